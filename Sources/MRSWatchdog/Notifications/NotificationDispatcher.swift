import CoreMetrics
import Logging
import ServiceLifecycle
import Synchronization

/// Sends notifications without ever holding the daemon up: `emit` only queues, and `run` gives every channel
/// its own queue (the newest 256 are kept if it falls behind) and delivery task, so a slow or failing
/// receiver delays only its own messages. Each delivery has a timeout (the whole exchange) and at most three
/// attempts, backing off between them. A message about a job goes to its owner's channels
/// (`notifications.owners`) when the owner map names the job's user or its cluster's owner tag, else to the
/// default channels; one an owner's channel could not deliver goes to the default channels as well, so no
/// owner's receiver can keep a warning from everyone. Each outcome is counted per channel
/// (`mrs_watchdog_notifications_total{channel, result}`) and reported to `onDelivery` (the daemon:
/// `require_notice`, STATUS). On shutdown what is queued gets `shutdownGrace` to go out.
public final class NotificationDispatcher: DaemonEventSink, Service {
    /// The channels and the events they get; replaced when a reloaded config takes effect.
    private struct Routing {
        var defaults: [any NotificationChannel]
        var owners: [String: [any NotificationChannel]]
        var ownership: NotificationSettings.Owners
        var events: Set<NotificationSettings.Event>

        /// The owner's channels when the owner map names the job's owner, else the defaults.
        func channels(for message: NotificationMessage) -> [any NotificationChannel] {
            ownership.owner(user: message.user, clusterTags: message.clusterTags).flatMap { owners[$0] } ?? defaults
        }
    }

    private struct Outgoing: Sendable {
        var message: NotificationMessage
        var channels: [any NotificationChannel]
        /// Where a message the channels could not deliver goes next: the defaults, for an owner's message.
        var fallback: [any NotificationChannel]
    }

    /// One message for one channel's queue.
    private struct Delivery: Sendable {
        var message: NotificationMessage
        var channel: any NotificationChannel
        var fallback: [any NotificationChannel]
    }

    /// The channels of one recipient: the defaults (owner nil) or one owner's, named after the owner.
    public typealias ChannelFactory =
        @Sendable (_ channels: NotificationSettings.Channels, _ owner: String?) -> [any NotificationChannel]

    let makeChannels: ChannelFactory
    let logger: Logger
    let retryDelays: [Duration]
    let shutdownGrace: Duration
    private let routing: Mutex<Routing>
    private let onDelivery = Mutex<(@Sendable (NotificationDelivery) -> Void)?>(nil)
    private let queue: AsyncStream<Outgoing>
    private let input: AsyncStream<Outgoing>.Continuation

    /// - Parameter makeChannels: the channels a `notifications` section asks for; called again on reload.
    public init(
        settings: NotificationSettings, makeChannels: @escaping ChannelFactory, logger: Logger,
        retryDelays: [Duration] = [.seconds(2), .seconds(10)], shutdownGrace: Duration = .seconds(5)
    ) {
        self.makeChannels = makeChannels
        self.routing = Mutex(Self.routing(settings, makeChannels))
        self.shutdownGrace = shutdownGrace
        self.logger = logger
        self.retryDelays = retryDelays
        (queue, input) = AsyncStream.makeStream(of: Outgoing.self, bufferingPolicy: .bufferingNewest(256))
    }

    /// Fixed default channels, never replaced by a reload (tests).
    public convenience init(
        channels: [any NotificationChannel], events: Set<NotificationSettings.Event>, logger: Logger
    ) {
        var settings = NotificationSettings()
        settings.events = events
        self.init(settings: settings, makeChannels: { _, owner in owner == nil ? channels : [] }, logger: logger)
    }

    private static func routing(_ settings: NotificationSettings, _ makeChannels: ChannelFactory) -> Routing {
        Routing(
            defaults: makeChannels(settings.defaults, nil),
            owners: Dictionary(
                uniqueKeysWithValues: settings.owners.byUser.map { ($0.key, makeChannels($0.value, $0.key)) }),
            ownership: settings.owners, events: settings.events)
    }

    /// Where each delivery's outcome is reported (set once the daemon exists).
    public func reportDeliveries(to handler: @escaping @Sendable (NotificationDelivery) -> Void) {
        onDelivery.withLock { $0 = handler }
    }

    public func emit(_ event: DaemonEvent) {
        if case .configApplied(let config) = event {
            let fresh = Self.routing(config.notifications, makeChannels)
            routing.withLock { $0 = fresh }
            return
        }
        guard let message = NotificationMessage.from(event, at: HostClock.nowMillis()) else { return }
        let (wanted, channels, defaults) = routing.withLock {
            ($0.events.contains(message.event), $0.channels(for: message), $0.defaults)
        }
        guard wanted else { return }
        guard !channels.isEmpty else {
            // About a job that nobody is to hear of: say so, or `require_notice` would wait without knowing why.
            if message.job != nil, routing.withLock({ !$0.owners.isEmpty }) {
                report(
                    NotificationDelivery(
                        channel: "none", event: message.event, job: message.job,
                        failure:
                            "no channel: the owner map does not name the job's owner and there is no default channel"
                    ))
            }
            return
        }
        let isOwners = channels.map(\.name) != defaults.map(\.name)
        input.yield(Outgoing(message: message, channels: channels, fallback: isOwners ? defaults : []))
    }

    /// No more messages: `run` returns once the queued ones are delivered (used by `--once`).
    public func finish() { input.finish() }

    public func run() async throws {
        try? await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.deliverQueued() }
            group.addTask {
                try await gracefulShutdown()
                self.input.finish()
                try await Task.sleep(for: self.shutdownGrace)
            }
            // The queues drained (after `finish`), or the grace ran out: stop whatever is left.
            try await group.next()
            group.cancelAll()
        }
    }

    /// Hands each queued message to its channels' queues, starting a channel's delivery task when it first
    /// gets one (channels are told apart by name: a reload that changes a channel keeps its queue). Returns
    /// once the input has finished and every channel's queue is empty.
    private func deliverQueued() async {
        await withTaskGroup(of: Void.self) { workers in
            var queues: [String: AsyncStream<Delivery>.Continuation] = [:]
            for await outgoing in queue {
                for channel in outgoing.channels {
                    let delivery = Delivery(message: outgoing.message, channel: channel, fallback: outgoing.fallback)
                    if let queue = queues[channel.name] {
                        queue.yield(delivery)
                        continue
                    }
                    let (stream, continuation) = AsyncStream.makeStream(
                        of: Delivery.self, bufferingPolicy: .bufferingNewest(256))
                    queues[channel.name] = continuation
                    continuation.yield(delivery)
                    workers.addTask {
                        for await delivery in stream where await !self.deliver(delivery.message, to: delivery.channel) {
                            // An owner's channel failed: the default channels carry the message too. Sent from
                            // this channel's task, so only the failing receiver's own queue waits for it.
                            for channel in delivery.fallback { _ = await self.deliver(delivery.message, to: channel) }
                        }
                    }
                }
            }
            for continuation in queues.values { continuation.finish() }
        }
    }

    /// Delivers with retries; false when every attempt failed.
    private func deliver(_ message: NotificationMessage, to channel: any NotificationChannel) async -> Bool {
        for attempt in 0...retryDelays.count {
            do {
                try await channel.send(message)
                report(
                    NotificationDelivery(channel: channel.name, event: message.event, job: message.job, failure: nil))
                return true
            } catch {
                guard attempt < retryDelays.count else {
                    logger.warning(
                        "notification (\(message.event.rawValue)) not delivered to \(channel.name) after \(attempt + 1) attempts: \(error)"
                    )
                    report(
                        NotificationDelivery(
                            channel: channel.name, event: message.event, job: message.job, failure: "\(error)"))
                    return false
                }
                try? await Task.sleep(for: retryDelays[attempt])
            }
        }
        return false
    }

    private func report(_ delivery: NotificationDelivery) {
        Counter(
            label: "mrs_watchdog_notifications_total",
            dimensions: [("channel", delivery.channel), ("result", delivery.failure == nil ? "delivered" : "failed")]
        ).increment()
        let handler = onDelivery.withLock { $0 }
        handler?(delivery)
    }
}
