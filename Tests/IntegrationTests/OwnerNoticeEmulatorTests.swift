import Foundation
import Logging
import MRSEmulator
import MRSWatchdog
import Testing

/// Notices that reach the job's owner, end to end: the daemon against the emulator, whose webhook receivers
/// (one per path) and SMN publish endpoint record what arrives; and `require_notice`, which holds a kill
/// until a warning has arrived.
@Suite(.timeLimit(.minutes(2)))
struct OwnerNoticeEmulatorTests {
    static let quiet = Logger(label: "n", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A dispatcher over the emulator's HTTP client, with short retries, reporting to the daemon.
    static func dispatcher(_ emulator: EmulatorHarness, _ config: WatchdogConfig) -> NotificationDispatcher {
        let client = emulator.client()
        return NotificationDispatcher(
            settings: config.notifications,
            makeChannels: NotificationChannels.factory(
                http: emulator.http, direct: emulator.http, environment: [:], projectId: EmulatorHarness.projectId,
                credentials: client.credentials, logger: quiet),
            logger: quiet, retryDelays: [.milliseconds(100), .milliseconds(200)])
    }

    static func run(
        _ emulator: EmulatorHarness, _ config: WatchdogConfig, timing: DaemonTiming = DaemonHarness.fastTiming,
        _ body: @Sendable (DaemonHarness, NotificationDispatcher) async throws -> Void
    ) async throws {
        let notifications = dispatcher(emulator, config)
        try await DaemonHarness.run(
            emulator, config: config, timing: timing, extraSinks: [notifications],
            extraServices: { service in
                notifications.reportDeliveries { service.notificationDelivered($0) }
                return [notifications]
            }
        ) { daemon in try await body(daemon, notifications) }
    }

    @Test func warningsGoToTheUserThenTheClusterOwnerThenTheDefaultAndAFailureIsCounted() async throws {
        try await EmulatorHarness.run { emulator in
            let owned = await emulator.addCluster("c-owned", tags: ["owner": "bo"])
            let plain = await emulator.addCluster("c-plain")
            func job(_ cluster: String, _ user: String) async throws -> String {
                try await emulator.state.addJob(
                    .init(cluster: cluster, name: "etl-\(user)", user: user, startOffset: "-2m", queued: "0s"))
            }
            let ana = try await job(owned, "ana")
            let carl = try await job(owned, "carl")
            let dan = try await job(plain, "dan")
            let erin = try await job(plain, "erin")
            let topic = "urn:smn:cn-north-4:\(EmulatorHarness.projectId):owner-bo"
            let hook = "\(emulator.baseURL)/_emulator/webhook"
            let config = try DaemonHarness.config(
                emulator, clusters: [owned, plain],
                rules: #"[{"name": "etl", "match": {"job_name": ["etl-*"]}, "max_runtime": "1m", "mode": "warn"}]"#,
                more: """
                    "notifications": {"webhook": {"url": "\(hook)/default"},
                       "owners": {"cluster_tag": "owner", "by_user": {
                         "ana": {"webhook": {"url": "\(hook)/ana"}},
                         "bo": {"smn": {"topic_urn": "\(topic)", "endpoint": "\(emulator.baseURL)"}},
                         "erin": {"webhook": {"url": "http://127.0.0.1:1/unreachable", "timeout": "1s"}}}}}
                    """)
            try await Self.run(emulator, config) { daemon, _ in
                try await eventually("ana's, dan's and bo's warnings arrive", transcript: { daemon.events.transcript })
                {
                    let hooks = await emulator.state.webhookDeliveries
                    let published = await emulator.state.published
                    return hooks.count >= 2 && !published.isEmpty
                }
                let hooks = await emulator.state.webhookDeliveries
                func receiver(of job: String) -> [String] { hooks.filter { $0.body.contains(job) }.map(\.receiver) }
                #expect(receiver(of: ana) == ["ana"], "her own entry, though her cluster's owner is bo")
                #expect(receiver(of: dan) == ["default"], "no entry and no owner tag")
                #expect(receiver(of: carl).isEmpty && receiver(of: erin).isEmpty)
                let published = await emulator.state.published
                #expect(published.map(\.topicURN) == [topic])
                #expect(published.first?.message.contains(carl) == true, "carl has no entry: his cluster's owner bo")

                try await eventually("erin's failed delivery shows in STATUS") {
                    daemon.events.lastStatus?.text.contains("notifications failing: owner erin webhook (1)") == true
                }
                #expect(daemon.events.records(.warn).count == 4)
            }
        }
    }

    @Test func requireNoticeHoldsTheKillUntilAWarningHasArrived() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-notice")
            let job = try await emulator.state.addJob(
                .init(cluster: cluster, name: "etl-over", user: "ana", startOffset: "-2m", queued: "0s"))
            @Sendable func config(hook: String) throws -> WatchdogConfig {
                try DaemonHarness.config(
                    emulator, clusters: [cluster],
                    rules: """
                        [{"name": "etl", "match": {"job_name": ["etl-*"]}, "max_runtime": "1m", "warn_before": "3s",
                          "mode": "enforce", "require_notice": true}]
                        """,
                    more: #""notifications": {"webhook": {"url": "\#(hook)", "timeout": "1s"}}"#)
            }
            var timing = DaemonHarness.fastTiming
            // Longer than the dispatcher takes to give up on the dead receiver (3 attempts of up to 1 s, 0.3 s
            // apart), as the 5-minute default is than its 27 s.
            timing.noticeRetry = .seconds(4)
            // The receiver is down: warned, never killed.
            try await Self.run(emulator, try config(hook: "http://127.0.0.1:1/down"), timing: timing) { daemon, _ in
                try await eventually("held for notice", transcript: { daemon.events.transcript }) {
                    !daemon.events.records(.awaitingNotice).isEmpty
                }
                try await eventually("the delivery failed", timeout: .seconds(20)) {
                    daemon.events.lastStatus?.text.contains("notifications failing: webhook") == true
                }
                try await eventually("the warning is sent again after noticeRetry", timeout: .seconds(20)) {
                    daemon.events.records(.warn).count >= 2
                }
                #expect(await daemon.acceptedKills().isEmpty, "over its limit, but nobody was told")

                // The receiver is fixed (a reload): the next warning arrives, and the kill follows 3 s later.
                daemon.service.replaceConfig(.success(try config(hook: "\(emulator.baseURL)/_emulator/webhook/ana")))
                try await eventually("the warning arrives", timeout: .seconds(30)) {
                    !(await emulator.state.webhookDeliveries.isEmpty)
                }
                try await eventually("then the kill", timeout: .seconds(30)) { await daemon.acceptedKills() == [job] }
                let arrived = try #require(await emulator.state.webhookDeliveries.first?.receivedAt)
                let killed = try #require(await emulator.state.kills().first?.receivedAt)
                // After the delivery; the 3 s it waits is measured in server time, which may step forward on a
                // loaded machine, so it is pinned by RequireNoticeTests with a manual clock, not here.
                #expect(killed > arrived, "killed \(arrived - killed) ms before the warning arrived")
            }
        }
    }
}
