import Logging
import MRSWatchdog
import Synchronization
import Testing
import WatchdogTestSupport

/// Owner routing in the dispatcher, with channels that only record: a job's notices go to its user's
/// channels, else to those of its cluster's owner tag, else to the defaults; the breaker to the defaults;
/// every outcome is reported per channel.
struct NotificationRoutingTests {
    final class Recorder: Sendable {
        let sent = Mutex<[String]>([])
        let deliveries = Mutex<[NotificationDelivery]>([])
    }

    struct RecordingChannel: NotificationChannel {
        let name: String
        let recorder: Recorder
        let fails: Bool
        func send(_ message: NotificationMessage) async throws {
            recorder.sent.withLock { $0.append("\(name): \(message.event.rawValue) \(message.user ?? "-")") }
            if fails { throw HuaweiCloudError.http(operation: "POST", httpStatus: 503) }
        }
    }

    static func settings(defaults: Bool) throws -> NotificationSettings {
        let fallback = defaults ? #""webhook": {"url": "https://hooks.example.com/all"},"# : ""
        let text = ConfigText(
            mrs: .init(projectId: "p"),
            more: """
                "notifications": {\(fallback)
                  "owners": {"cluster_tag": "owner",
                             "by_user": {"ana": {"webhook": {"url": "https://hooks.example.com/ana"}},
                                         "bo": {"smn": {"topic_urn": "urn:smn:cn-north-4:p:bo"}},
                                         "erin": {"webhook": {"url": "https://hooks.example.com/erin"}}}}}
                """
        ).description
        return try ConfigLoader.parse(text, file: "t.json").get().notifications
    }

    static func warning(user: String?, tags: [String: String]?) -> DaemonEvent {
        var record = NotificationMessageTests.record(.warn)
        record.decision.job.user = user
        record.decision.job.jobId = user ?? "nobody"
        record.clusterTags = tags
        return .decision(record)
    }

    /// Runs a dispatcher over `events` until every message has an outcome.
    static func dispatch(_ events: [DaemonEvent], defaults: Bool = true) async throws -> Recorder {
        let recorder = Recorder()
        let dispatcher = NotificationDispatcher(
            settings: try settings(defaults: defaults),
            makeChannels: { channels, owner in
                channels.isEmpty
                    ? []
                    : [
                        RecordingChannel(
                            name: owner.map { "owner \($0)" } ?? "default", recorder: recorder, fails: owner == "erin")
                    ]
            },
            logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }), retryDelays: [.milliseconds(10)])
        dispatcher.reportDeliveries { delivery in recorder.deliveries.withLock { $0.append(delivery) } }
        for event in events { dispatcher.emit(event) }
        dispatcher.finish()
        try await dispatcher.run()
        return recorder
    }

    @Test func aJobsNoticeGoesToItsUserThenItsClustersOwnerThenTheDefault() async throws {
        let recorder = try await Self.dispatch([
            Self.warning(user: "ana", tags: ["owner": "bo"]),  // her own entry wins over the tag
            Self.warning(user: "carl", tags: ["owner": "bo"]),  // no entry: the cluster's owner
            Self.warning(user: "dan", tags: [:]),  // neither: the default
            Self.warning(user: nil, tags: nil),  // unknown user, unreadable tags: the default
            .breaker(open: true, candidates: 30, threshold: 25),
        ])
        #expect(
            recorder.sent.withLock { $0 }.sorted() == [
                "default: breaker -", "default: warn -", "default: warn dan", "owner ana: warn ana",
                "owner bo: warn carl",
            ])
        let deliveries = recorder.deliveries.withLock { $0 }
        #expect(deliveries.count == 5 && deliveries.allSatisfy { $0.failure == nil })
    }

    @Test func aFailedDeliveryIsRetriedReportedAndThenGoesToTheDefaultChannels() async throws {
        let recorder = try await Self.dispatch([Self.warning(user: "erin", tags: [:])])
        #expect(
            recorder.sent.withLock { $0 } == ["owner erin: warn erin", "owner erin: warn erin", "default: warn erin"],
            "two attempts to erin's receiver, then the default channel")
        let deliveries = recorder.deliveries.withLock { $0 }
        let failed = try #require(deliveries.first)
        #expect(failed.channel == "owner erin" && failed.event == .warn && failed.job?.jobId == "erin")
        #expect(failed.failure?.contains("503") == true)
        #expect(deliveries.dropFirst().map(\.channel) == ["default"] && deliveries.last?.failure == nil)
    }

    /// A receiver that holds every message (until another channel has delivered, or 5 s at most) delays
    /// only its own messages.
    @Test func aSlowReceiverDelaysOnlyItsOwnMessages() async throws {
        final class Flag: Sendable {
            let value: Mutex<Bool>
            init(_ value: Bool) { self.value = Mutex(value) }
            func withLock<T>(_ body: (inout Bool) -> T) -> T { value.withLock { body(&$0) } }
        }
        let held = Flag(true)
        let arrivedWhileHeld = Flag(false)
        struct HoldingChannel: NotificationChannel {
            let name = "owner ana webhook"
            let held: Flag
            func send(_ message: NotificationMessage) async throws {
                for _ in 0..<500 where held.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
                held.withLock { $0 = false }
            }
        }
        let recorder = Recorder()
        let dispatcher = NotificationDispatcher(
            settings: try Self.settings(defaults: true),
            makeChannels: { channels, owner in
                owner == "ana"
                    ? [HoldingChannel(held: held)]
                    : [
                        RecordingChannel(
                            name: owner.map { "owner \($0)" } ?? "default", recorder: recorder, fails: false)
                    ]
            },
            logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }), retryDelays: [])
        dispatcher.reportDeliveries { delivery in
            guard delivery.channel == "default" else { return }
            arrivedWhileHeld.withLock { $0 = held.withLock { $0 } }
            held.withLock { $0 = false }
        }
        for _ in 0..<3 { dispatcher.emit(Self.warning(user: "ana", tags: [:])) }
        dispatcher.emit(Self.warning(user: "carl", tags: [:]))
        dispatcher.finish()
        try await dispatcher.run()
        #expect(arrivedWhileHeld.withLock { $0 }, "carl's warning waited behind ana's receiver")
        #expect(recorder.sent.withLock { $0 } == ["default: warn carl"])
    }

    @Test func aJobNobodyServesIsReportedUndelivered() async throws {
        let recorder = try await Self.dispatch([Self.warning(user: "dan", tags: [:])], defaults: false)
        #expect(recorder.sent.withLock { $0 }.isEmpty)
        let delivery = try #require(recorder.deliveries.withLock { $0 }.first)
        #expect(delivery.channel == "none" && delivery.failure?.hasPrefix("no channel") == true)
    }
}
