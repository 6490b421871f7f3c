import Logging
import MRSWatchdog
import Synchronization
import Testing

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
        let text = """
            {"mrs": {"region": "cn-north-4", "project_id": "p"}, "rules": [],
             "notifications": {\(fallback)
               "owners": {"cluster_tag": "owner",
                          "by_user": {"ana": {"webhook": {"url": "https://hooks.example.com/ana"}},
                                      "bo": {"smn": {"topic_urn": "urn:smn:cn-north-4:p:bo"}},
                                      "erin": {"webhook": {"url": "https://hooks.example.com/erin"}}}}}}
            """
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

    @Test func aFailedDeliveryIsRetriedThenReportedForItsChannelAndJob() async throws {
        let recorder = try await Self.dispatch([Self.warning(user: "erin", tags: [:])])
        #expect(recorder.sent.withLock { $0 } == ["owner erin: warn erin", "owner erin: warn erin"], "two attempts")
        let delivery = try #require(recorder.deliveries.withLock { $0 }.first)
        #expect(delivery.channel == "owner erin" && delivery.event == .warn && delivery.job?.jobId == "erin")
        #expect(delivery.failure?.contains("503") == true)
    }

    @Test func aJobNobodyServesIsReportedUndelivered() async throws {
        let recorder = try await Self.dispatch([Self.warning(user: "dan", tags: [:])], defaults: false)
        #expect(recorder.sent.withLock { $0 }.isEmpty)
        let delivery = try #require(recorder.deliveries.withLock { $0 }.first)
        #expect(delivery.channel == "none" && delivery.failure?.hasPrefix("no channel") == true)
    }
}
