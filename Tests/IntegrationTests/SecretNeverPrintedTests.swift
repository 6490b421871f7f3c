import Foundation
import MRSEmulator
import MRSWatchdog
import Testing
import WatchdogTestSupport

/// The CLI as an operator runs it: whatever happens, the secret key never reaches stdout or stderr.
@Suite(.timeLimit(.minutes(2)))
struct SecretNeverPrintedTests {
    static let wrongSecret = "wrong-secret-key-that-must-not-be-printed"

    @Test func noCommandPrintsTheSecretKeyWhetherTheCallSucceedsOrFails() async throws {
        try await EmulatorHarness.run { harness in
            let cluster = await harness.addCluster("c-secret")
            try await harness.state.addJob(.init(cluster: cluster, name: "etl-x", startOffset: "-1h"))
            let config = try TemporaryConfig(
                ConfigText(
                    mrs: harness.mrs, watch: ConfigText.watching([cluster]),
                    rules: #"[{"name": "r", "match": {"job_name": ["etl-*"]}, "max_runtime": "2h"}]"#
                ).description)
            let good = EmulatorHarness.credentials
            let commands: [[String]] = [
                ["clusters"], ["jobs", "--cluster", cluster], ["kill", "--cluster", cluster, "no-such-job"],
                ["plan"], ["check"],
            ]
            for secret in [good.secretKey, Self.wrongSecret] {
                let environment = ChildProcess.cleanEnvironment([
                    "HUAWEICLOUD_SDK_AK": good.accessKey, "HUAWEICLOUD_SDK_SK": secret,
                ])
                for command in commands {
                    let result = try await ChildProcess.run(
                        "mrs-watchdog", command + ["--config", config.path], environment: environment)
                    #expect(!result.output.contains(secret), "\(command) printed the secret")
                    if secret == Self.wrongSecret, command != ["check"] {
                        #expect(result.status != 0, "\(command) succeeded with a wrong secret")
                        #expect(result.stderr.contains("APIG.0301"), "\(command): \(result.stderr)")
                    }
                }
                let listed = try await ChildProcess.run(
                    "mrs-watchdog", ["jobs", "--cluster", cluster, "--config", config.path], environment: environment)
                #expect((listed.status == 0) == (secret == good.secretKey))
            }
        }
    }
}

/// A config file in a fresh temporary directory.
struct TemporaryConfig {
    let path: String

    init(_ text: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("rules.json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
