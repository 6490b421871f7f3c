import Foundation
import MRSEmulator
import MRSWatchdog
import Testing
import WatchdogTestSupport

/// `mrs-watchdog yarn-audit` against the emulator's ResourceManagers: an HA pair whose first is the standby,
/// tracked and untracked applications, and malformed entries.
@Suite(.timeLimit(.minutes(1)))
struct YarnAuditEmulatorTests {
    static let rules =
        #"[{"name": "spark-2h", "match": {"job_type": ["SparkSubmit"]}, "max_runtime": "2h", "mode": "enforce"}]"#

    static func config(_ harness: EmulatorHarness, resourceManagers: [String]) throws -> TemporaryConfig {
        let managers = resourceManagers.map { "\"\($0)\"" }.joined(separator: ", ")
        return try TemporaryConfig(
            ConfigText(
                mrs: harness.mrs, watch: ConfigText.watching(["c-dev"]), rules: rules,
                more:
                    #""yarn": {"request_timeout": "2s", "clusters": [{"cluster_id": "c-dev", "resource_managers": [\#(managers)]}]}"#
            ).description)
    }

    static var environment: [String: String] {
        ChildProcess.cleanEnvironment([
            "HUAWEICLOUD_SDK_AK": EmulatorHarness.credentials.accessKey,
            "HUAWEICLOUD_SDK_SK": EmulatorHarness.credentials.secretKey,
        ])
    }

    @Test func untrackedAppsAreShownWithWhatTheRulesWouldDoAndNothingIsKilled() async throws {
        try await EmulatorHarness.run { harness in
            await harness.addCluster("c-dev", tags: ["env": "dev"])
            let tracked = try await harness.state.addJob(
                .init(cluster: "c-dev", name: "etl-nightly", type: "SparkSubmit", startOffset: "-3h", queued: "1m"))
            let scenario = #"""
                {"clusters": [], "jobs": [], "yarn": {"standby": "rm1", "malformed_apps": 2, "apps": [
                  {"cluster": "c-dev", "name": "spark-shell", "user": "alice", "queue": "adhoc", "type": "SPARK",
                   "tags": ["notebook"], "start_offset": "-3h"},
                  {"cluster": "c-dev", "name": "INSERT INTO t", "user": "hive", "type": "TEZ", "start_offset": "-10m",
                   "state": "ACCEPTED"}]}}
                """#
            try await harness.state.load(try Scenario.decode(Array(scenario.utf8)))
            let base = "\(harness.baseURL)/yarn/c-dev"
            let config = try Self.config(harness, resourceManagers: ["\(base)/rm1", "\(base)/rm2"])

            let result = try await ChildProcess.run(
                "mrs-watchdog", ["yarn-audit", "--json", "--config", config.path], environment: Self.environment)
            #expect(result.status == 0, "\(result.stderr)")
            let root = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let clusters = try #require(root["clusters"] as? [[String: Any]])
            let audit = try #require(clusters.first)
            #expect(audit["resource_manager"] as? String == "\(base)/rm2", "the active one, asked, not redirected to")
            #expect(audit["listed"] as? Int == 4, "the job's launcher and app, and two more")
            #expect(audit["tracked"] as? Int == 2)
            #expect(audit["malformed"] as? Int == 2)
            let untracked = try #require(audit["untracked"] as? [[String: Any]])
            #expect(untracked.map { $0["name"] as? String } == ["spark-shell", "INSERT INTO t"])
            #expect(untracked.first?["verdict"] as? String == "kill")
            #expect(untracked.first?["rule"] as? String == "spark-2h")
            #expect(untracked.last?["verdict"] as? String == "skipped-unknown")
            #expect(await harness.state.kills().isEmpty, "an audit never kills")

            let text = try await ChildProcess.run(
                "mrs-watchdog", ["yarn-audit", "--config", config.path], environment: Self.environment)
            #expect(text.stdout.contains("YARN runs 4 apps, mrs-watchdog sees 2 of them"))
            #expect(text.stdout.contains("kill: over spark-2h by 1h"))
            #expect(text.stdout.contains("2 application entries could not be read"))
            #expect(!text.stdout.contains(tracked))
        }
    }

    /// A ResourceManager that cannot be reached or is no ResourceManager fails that cluster's audit, named, with
    /// exit status 1; nothing is reported as untracked.
    @Test func aClusterWithoutAnActiveResourceManagerIsNamedAndNotAudited() async throws {
        try await EmulatorHarness.run { harness in
            await harness.addCluster("c-dev", tags: ["env": "dev"])
            let config = try Self.config(
                harness, resourceManagers: ["http://127.0.0.1:9/closed", "\(harness.baseURL)/not-yarn"])
            let result = try await ChildProcess.run(
                "mrs-watchdog", ["yarn-audit", "--config", config.path], environment: Self.environment)
            #expect(result.status == 1)
            #expect(result.stderr.contains("cluster c-dev could not be audited: YARN: no active ResourceManager"))
            #expect(result.stdout.contains("no cluster could be audited"))
            #expect(!result.stdout.contains("YARN runs"), "no figure is given for what was not read")

            // Two that both say ACTIVE (a failover in progress, or the same one twice) are not guessed between.
            let base = "\(harness.baseURL)/yarn/c-dev"
            let split = try Self.config(harness, resourceManagers: ["\(base)/rm1", "\(base)/rm1/"])
            let both = try await ChildProcess.run(
                "mrs-watchdog", ["yarn-audit", "--config", split.path], environment: Self.environment)
            #expect(both.status == 1)
            #expect(both.stderr.contains("more than one ResourceManager says it is active"), "\(both.stderr)")
        }
    }

    /// A cluster MRS does not list is named, not audited (every application would look untracked); one the
    /// config does not watch is audited, and the watchdog is said to see none of it.
    @Test func aClusterMRSDoesNotListIsNamedAndAnUnwatchedOneIsSeenAsSuch() async throws {
        try await EmulatorHarness.run { harness in
            await harness.addCluster("c-dev", tags: ["env": "dev"])
            await harness.addCluster("c-other", tags: ["env": "prod"])
            _ = try await harness.state.addJob(
                .init(cluster: "c-other", name: "etl", type: "SparkSubmit", startOffset: "-1h", queued: "1m"))
            let other = "\(harness.baseURL)/yarn/c-other"
            let config = try TemporaryConfig(
                ConfigText(
                    mrs: harness.mrs, watch: ConfigText.watching(["c-dev"]), rules: Self.rules,
                    more: #"""
                        "yarn": {"clusters": [
                          {"cluster_id": "c-gone", "resource_managers": ["\#(harness.baseURL)/yarn/c-gone/rm1"]},
                          {"cluster_id": "c-other", "resource_managers": ["\#(other)/rm1", "\#(other)/rm2"]}]}
                        """#
                ).description)
            let result = try await ChildProcess.run(
                "mrs-watchdog", ["yarn-audit", "--config", config.path], environment: Self.environment)
            #expect(result.status == 1)
            #expect(result.stderr.contains("cluster c-gone could not be audited: MRS does not list this cluster"))
            #expect(
                result.stdout.contains(
                    "cluster c-other: YARN runs 2 apps, mrs-watchdog sees 0 of them (the config does not watch this cluster)"
                ), "\(result.stdout)")
            #expect(result.stdout.contains("YARN runs 2 apps, mrs-watchdog sees 0 of them (1 of 2 clusters audited)"))
        }
    }

    /// `doctor --yarn`: each ResourceManager's role, the one active, its list and its clock; one that cannot be
    /// reached is its own failed line; a ResourceManager whose clock is 10 minutes off fails the clock check.
    @Test func doctorChecksEachResourceManager() async throws {
        for offset: Int64 in [0, -600_000] {
            try await EmulatorHarness.run(clockOffsetMillis: offset) { harness in
                await harness.addCluster("c-dev", tags: ["env": "dev"])
                _ = try await harness.state.addJob(
                    .init(cluster: "c-dev", name: "etl", user: "etl", type: "SparkSubmit", startOffset: "-1h"))
                let base = "\(harness.baseURL)/yarn/c-dev"
                let config = try Self.config(
                    harness, resourceManagers: ["\(base)/rm1", "\(base)/rm2", "http://127.0.0.1:9/closed"])
                let result = try await ChildProcess.run(
                    "mrs-watchdog",
                    [
                        "doctor", "--yarn", "--config", config.path, "--state-dir",
                        try DaemonHarness.freshStateDirectory(),
                    ],
                    environment: Self.environment)
                let lines = result.stdout.split(separator: "\n").map(String.init)
                func line(_ check: String) -> String? { lines.first { $0.dropFirst(2).hasPrefix(check + ":") } }
                #expect(line("yarn c-dev \(base)/rm1")?.hasPrefix("✔") == true, "\(result.stdout)")
                #expect(line("yarn c-dev \(base)/rm1")?.contains("answers as ACTIVE") == true)
                #expect(line("yarn c-dev \(base)/rm2")?.contains("answers as STANDBY") == true)
                #expect(line("yarn c-dev http://127.0.0.1:9/closed")?.hasPrefix("✘") == true)
                #expect(line("yarn c-dev active")?.hasPrefix("✔") == true)
                #expect(line("yarn c-dev applications")?.contains("2 running or accepted, of 1 user(s)") == true)
                #expect(line("yarn c-dev clock")?.hasPrefix(offset == 0 ? "✔" : "✘") == true, "\(result.stdout)")
                #expect(result.status == 1, "the closed one fails the run")
                #expect(await harness.state.kills().allSatisfy { $0.jobId == Preflight.probeJobId }, "only MRS's probe")
            }
        }
    }

    @Test func withoutAYarnSectionItSaysWhatToAdd() async throws {
        try await EmulatorHarness.run { harness in
            await harness.addCluster("c-dev")
            let config = try TemporaryConfig(
                ConfigText(mrs: harness.mrs, watch: ConfigText.watching(["c-dev"]), rules: Self.rules).description)
            let result = try await ChildProcess.run(
                "mrs-watchdog", ["yarn-audit", "--config", config.path], environment: Self.environment)
            #expect(result.status != 0)
            #expect(result.stderr.contains("no yarn section"))
        }
    }
}
