import Foundation
import MRSEmulator
import MRSWatchdog
import Testing
import WatchdogTestSupport

/// `mrs-watchdog doctor` against the emulator: every check passes on a sound setup, and each fault an
/// operator meets first makes its own check fail with a fix — without stopping any job.
@Suite(.timeLimit(.minutes(2)))
struct DoctorTests {
    static let rules = #"[{"name": "etl", "match": {"job_name": ["etl-*"]}, "max_runtime": "2h", "mode": "enforce"}]"#

    struct Outcome {
        var status: Int32
        var output: String
        /// MRS API requests the emulator received during the run.
        var requests: Int

        func line(_ check: String) -> String? {
            output.split(separator: "\n").map(String.init).first { $0.dropFirst(2).hasPrefix(check + ":") }
        }
        func passed(_ check: String) -> Bool { line(check)?.hasPrefix("✔") == true }
        func failed(_ check: String) -> Bool { line(check)?.hasPrefix("✘") == true }
    }

    static func doctor(
        _ emulator: EmulatorHarness, clusters: [String], endpoint: String? = nil, projectId: String? = nil,
        environment: [String: String] = DaemonProcessTests.environment
    ) async throws -> Outcome {
        let mrs = ConfigText.MRS(
            projectId: projectId ?? EmulatorHarness.projectId, endpoint: endpoint ?? emulator.baseURL,
            more: #""request_timeout": "5s""#)
        let config = try TemporaryConfig(
            ConfigText(mrs: mrs, watch: ConfigText.watching(clusters), rules: rules).description)
        let before = await emulator.state.requestCount
        let finished = try await ChildProcess.run(
            "mrs-watchdog",
            ["doctor", "--config", config.path, "--state-dir", try DaemonHarness.freshStateDirectory()],
            environment: environment)
        return Outcome(
            status: finished.status, output: finished.output, requests: await emulator.state.requestCount - before)
    }

    @Test func aSoundSetupPassesEveryCheckAndStopsNothing() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-doctor")
            let job = try await emulator.state.addJob(.init(cluster: cluster, name: "etl-1", startOffset: "-5h"))
            let outcome = try await Self.doctor(emulator, clusters: [cluster])
            #expect(outcome.status == 0, "\(outcome.output)")
            for check in [
                "config", "state directory", "endpoint", "credentials", "signed request", "clock", "cluster c-doctor",
                "may read job details", "may stop jobs",
            ] {
                #expect(outcome.passed(check), "\(check) in:\n\(outcome.output)")
            }
            #expect(outcome.output.contains("all checks passed"))
            #expect(!outcome.output.contains(EmulatorHarness.credentials.secretKey), "never the secret")
            #expect(await emulator.state.kills().allSatisfy { $0.jobId == Preflight.probeJobId }, "only the probe")
            #expect(await emulator.state.kills().first?.status == 400, "answered 'does not exist'")
            let listed = try await emulator.client().listJobExecutions(clusterId: cluster, state: nil)
            #expect(listed.first { $0.jobId == job }?.state == .running, "the overdue job still runs")
        }
    }

    @Test func aWrongSecretStopsAfterExactlyOneSignedRequest() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-doctor")
            var environment = DaemonProcessTests.environment
            environment["HUAWEICLOUD_SDK_SK"] = "not-the-secret-key-0000000000000000000"
            let outcome = try await Self.doctor(emulator, clusters: [cluster], environment: environment)
            #expect(outcome.status == 1)
            #expect(outcome.failed("signed request") && outcome.output.contains("APIG.0301"), "\(outcome.output)")
            #expect(outcome.output.contains("fix: check the access key pair"))
            #expect(outcome.requests == 1, "one signed request, then stop: \(outcome.requests)")
            #expect(outcome.line("may stop jobs") == nil)
        }
    }

    @Test func aRefusedSignatureLaterOnStillEndsTheRun() async throws {
        try await EmulatorHarness.run { emulator in
            let first = await emulator.addCluster("c-doctor-1")
            let second = await emulator.addCluster("c-doctor-2")
            var plan = FaultPlan()
            plan.authFailure = true
            plan.paths = ["/job-executions"]
            await emulator.state.setFaults(plan)
            let outcome = try await Self.doctor(emulator, clusters: [first, second])
            #expect(outcome.status == 1)
            #expect(outcome.failed("cluster c-doctor-1") && outcome.output.contains("no further signed request"))
            #expect(outcome.line("cluster c-doctor-2") == nil, "\(outcome.output)")
            #expect(outcome.requests == 2, "the cluster list and one refused job list: \(outcome.requests)")
        }
    }

    @Test func aClockTooFarOffForSignaturesIsNamedAsTheCause() async throws {
        try await EmulatorHarness.run(clockOffsetMillis: -1_200_000) { emulator in
            let cluster = await emulator.addCluster("c-doctor")
            let outcome = try await Self.doctor(emulator, clusters: [cluster])
            #expect(outcome.status == 1)
            // Date has whole seconds: the host is 20 minutes and up to a second ahead of it.
            #expect(
                outcome.failed("clock")
                    && (outcome.output.contains("20m ahead of MRS") || outcome.output.contains("20m1s ahead of MRS")),
                "\(outcome.output)")
            #expect(outcome.failed("signed request") && outcome.output.contains("APIG.0303"))
            #expect(outcome.output.contains("fix: the host clock is more than 15 minutes off"))
            #expect(outcome.requests == 1)
        }
    }

    @Test func aProjectOutsideTheAccountFailsTheSignedRequest() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-doctor")
            await emulator.state.setProjectIds([EmulatorHarness.projectId])
            let outcome = try await Self.doctor(
                emulator, clusters: [cluster], projectId: "ffffffffffffffffffffffffffffffff")
            #expect(outcome.status == 1)
            #expect(outcome.failed("signed request"), "\(outcome.output)")
            #expect(outcome.output.contains("credentials or project ffffffffffffffffffffffffffffffff"))
            #expect(outcome.requests == 1)
        }
    }

    @Test func anUnreachableEndpointIsNamed() async throws {
        try await EmulatorHarness.run { emulator in
            // A loopback port nothing listens on: the connection is refused.
            let outcome = try await Self.doctor(emulator, clusters: ["c-doctor"], endpoint: "http://127.0.0.1:1")
            #expect(outcome.status == 1)
            #expect(
                outcome.failed("signed request") && outcome.output.contains("could not be reached"), "\(outcome.output)"
            )
            #expect(outcome.output.contains("fix: check mrs.endpoint"))
            let unresolvable = try await Self.doctor(
                emulator, clusters: ["c-doctor"], endpoint: "https://mrs.cn-nowhere-9.invalid")
            #expect(
                unresolvable.failed("endpoint") && unresolvable.line("credentials") == nil, "\(unresolvable.output)")
        }
    }

    @Test func anUnknownWatchedClusterIsReported() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-doctor")
            let outcome = try await Self.doctor(emulator, clusters: [cluster, "c-gone"])
            #expect(outcome.status == 1)
            #expect(outcome.failed("cluster c-gone") && outcome.output.contains("not found"), "\(outcome.output)")
            #expect(outcome.passed("cluster c-doctor") && outcome.passed("may stop jobs"))
        }
    }

    @Test func aHostClockTenMinutesOffFailsTheClockCheck() async throws {
        try await EmulatorHarness.run(clockOffsetMillis: -600_000) { emulator in
            let cluster = await emulator.addCluster("c-doctor")
            let outcome = try await Self.doctor(emulator, clusters: [cluster])
            #expect(outcome.status == 1)
            #expect(outcome.failed("clock") && outcome.output.contains("10m ahead of MRS"), "\(outcome.output)")
            #expect(outcome.passed("signed request") && outcome.passed("may stop jobs"), "only the clock fails")
        }
    }

    @Test func anIdentityThatMayNotStopJobsFailsThatCheckOnly() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-doctor")
            var plan = FaultPlan()
            plan.deniedActions = ["mrs:job:stop"]
            await emulator.state.setFaults(plan)
            let outcome = try await Self.doctor(emulator, clusters: [cluster])
            #expect(outcome.status == 1)
            #expect(outcome.failed("may stop jobs") && outcome.output.contains("mrs:job:stop"), "\(outcome.output)")
            #expect(outcome.output.contains("fix: grant the identity mrs:job:stop"))
            #expect(outcome.passed("may read job details") && outcome.passed("cluster c-doctor"))
        }
    }
}
