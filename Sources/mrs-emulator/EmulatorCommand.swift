import ArgumentParser
import Logging
import MRSEmulator
import MRSWatchdog
import ServiceLifecycle
import UnixSignals

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

@main
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mrs-emulator",
        abstract: "A local Huawei Cloud MRS endpoint for tests, demos and trying a policy safely.",
        discussion: """
            Serves list clusters, list/show job executions and kill on loopback with the real API's wire format \
            and quirks (202 on success, 1-based page numbers, tags as a "k=v,k2=v2" string), verifies \
            SDK-HMAC-SHA256 signatures, throttles each API per access key as the gateway does (429 APIGW.0308), \
            serves the ECS metadata service with its token step, and lets jobs move NEW → ACCEPTED → RUNNING → \
            FINISHED on their own clock.

            Control API (unsigned): GET /_emulator/kills, POST /_emulator/jobs, POST /_emulator/scenario, \
            PUT|GET /_emulator/faults, PUT /_emulator/kill-behaviour, PUT /_emulator/rate-limits, \
            PUT /_emulator/metadata, GET /_emulator/stats, GET /_emulator/published, POST|GET /_emulator/webhook.

            Scenario jobs may be served in odd shapes, as real responses sometimes are: "omit": ["queue", ...] \
            leaves fields out and "time_unit": "s" sends times in epoch seconds; "arguments" and "properties" are \
            served as given; a cluster with "omit": ["clusterId"] is an entry the client cannot read. Unknown \
            scenario keys are refused. With the fault "endless_pages", the job list answers the same full page for \
            every page number (limit it to some clusters with "paths").

            Examples:
              mrs-emulator --listen 127.0.0.1:8080 --scenario examples/demo-scenario.json
              mrs-emulator --listen 127.0.0.1:0 --clock-offset -600
              mrs-emulator --rate-limits '{"kill": 6, "window_seconds": 10}' --refuse-kill-types SparkSql
            """)

    @Option(help: "Address to listen on; port 0 picks a free port (printed on stdout).")
    var listen = "127.0.0.1:8080"

    @Option(help: "Scenario file (JSON) with clusters and jobs.")
    var scenario: String?

    @Option(help: "Access key the emulator accepts (also HUAWEICLOUD_SDK_AK).")
    var accessKey: String?

    @Option(help: "Secret key for that access key (also HUAWEICLOUD_SDK_SK).")
    var secretKey: String?

    // `.unconditional`: a negative value such as `-600` is the value, not an unknown option.
    @Option(
        parsing: .unconditional,
        help: "Seconds added to the host clock for the emulator's own time and Date header (e.g. -600).")
    var clockOffset: Int64 = 0

    @Option(help: "Seconds between an accepted kill and the job becoming terminal.")
    var killDelay: Double = 1

    @Option(help: "How a killed job ends: killed (job_state KILLED) or finished_killed (FINISHED + result KILLED).")
    var killEndShape: String = "killed"

    @Flag(help: "Accept kills with 202 but never let them take effect.")
    var ignoreKills = false

    @Option(
        help: ArgumentHelp(
            "Job types whose kills are refused with 0175 while the job runs on; repeatable.", valueName: "TYPE"))
    var refuseKillTypes: [String] = []

    @Option(
        help: ArgumentHelp(
            "The gateway's per-access-key throttles as JSON (default: the documented kill 60, list_jobs 1000, show_job 1000 a minute), or 'off'.",
            valueName: "JSON"))
    var rateLimits: String?

    @Option(help: "The metadata service's token step: required, optional or none (404, no tokens).")
    var metadataToken: String = "optional"

    @Option(help: "Fault plan as JSON, e.g. '{\"rate_429\":0.1,\"rate_hang\":0.05}'.")
    var faults: String?

    @Option(help: "Seed for fault injection.")
    var seed: UInt64 = 42

    func run() async throws {
        var logger = Logger(label: "mrs-emulator")
        logger.logLevel = .notice
        let environment = ProcessInfo.processInfo.environment
        let state = EmulatorState(clockOffsetMillis: clockOffset * 1000, seed: seed)
        await state.addCredentials(
            Credentials(
                accessKey: accessKey ?? environment["HUAWEICLOUD_SDK_AK"] ?? DemoCredentials.accessKey,
                secretKey: secretKey ?? environment["HUAWEICLOUD_SDK_SK"] ?? DemoCredentials.secretKey))
        guard let shape = KillBehaviour.EndShape(rawValue: killEndShape) else {
            throw ValidationError("--kill-end-shape must be killed or finished_killed")
        }
        await state.setKillBehaviour(
            KillBehaviour(delaySeconds: killDelay, endShape: shape, ignore: ignoreKills, refuseTypes: refuseKillTypes))
        guard let tokens = MetadataTokens(rawValue: metadataToken) else {
            throw ValidationError("--metadata-token must be required, optional or none")
        }
        await state.setMetadataTokens(tokens)
        if let rateLimits {
            await state.setRateLimits(
                rateLimits == "off" ? .off : try JSONDecoder().decode(RateLimits.self, from: Data(rateLimits.utf8)))
        }
        if let faults {
            await state.setFaults(try JSONDecoder().decode(FaultPlan.self, from: Data(faults.utf8)))
        }
        if let scenario {
            let data = try Data(contentsOf: URL(fileURLWithPath: scenario))
            try await state.load(try Scenario.decode(Array(data)))
        }
        guard let address = HostPort(listen) else { throw ValidationError("--listen must be HOST:PORT") }
        let server = MRSEmulatorServer(
            state: state, host: address.host, port: address.port, logger: logger,
            onListening: { bound in
                Console.out("mrs-emulator listening on http://\(address.host):\(bound)")
            })
        let group = ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
