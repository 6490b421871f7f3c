import Logging
import ServiceLifecycle
import Synchronization

/// Sends notifications without ever holding the daemon up: `emit` only queues (the newest 256 are kept if
/// receivers fall behind), and `run` delivers each message to every channel with a timeout and at most
/// three attempts. On shutdown what is queued gets `shutdownGrace` to go out.
public final class NotificationDispatcher: DaemonEventSink, Service {
    /// The channels and the events they get; replaced when a reloaded config takes effect.
    private struct Routing {
        var channels: [any NotificationChannel]
        var events: Set<NotificationSettings.Event>
    }

    let makeChannels: @Sendable (NotificationSettings) -> [any NotificationChannel]
    let logger: Logger
    let retryDelays: [Duration]
    let shutdownGrace: Duration
    private let routing: Mutex<Routing>
    private let queue: AsyncStream<NotificationMessage>
    private let input: AsyncStream<NotificationMessage>.Continuation

    /// - Parameter makeChannels: the channels a `notifications` section asks for; called again on reload.
    public init(
        settings: NotificationSettings,
        makeChannels: @escaping @Sendable (NotificationSettings) -> [any NotificationChannel],
        logger: Logger, retryDelays: [Duration] = [.seconds(2), .seconds(10)], shutdownGrace: Duration = .seconds(5)
    ) {
        self.makeChannels = makeChannels
        self.routing = Mutex(Routing(channels: makeChannels(settings), events: settings.events))
        self.shutdownGrace = shutdownGrace
        self.logger = logger
        self.retryDelays = retryDelays
        (queue, input) = AsyncStream.makeStream(of: NotificationMessage.self, bufferingPolicy: .bufferingNewest(256))
    }

    /// Fixed channels, never replaced by a reload (tests).
    public convenience init(
        channels: [any NotificationChannel], events: Set<NotificationSettings.Event>, logger: Logger
    ) {
        var settings = NotificationSettings()
        settings.events = events
        self.init(settings: settings, makeChannels: { _ in channels }, logger: logger)
    }

    public func emit(_ event: DaemonEvent) {
        if case .configApplied(let config) = event {
            let channels = makeChannels(config.notifications)
            routing.withLock { $0 = Routing(channels: channels, events: config.notifications.events) }
            return
        }
        guard let message = NotificationMessage.from(event, at: HostClock.nowMillis()),
            routing.withLock({ $0.events.contains(message.event) && !$0.channels.isEmpty })
        else { return }
        input.yield(message)
    }

    /// No more messages: `run` returns once the queued ones are delivered (used by `--once`).
    public func finish() { input.finish() }

    public func run() async throws {
        try? await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await message in self.queue {
                    await withTaskGroup(of: Void.self) { deliveries in
                        for channel in self.routing.withLock({ $0.channels }) {
                            deliveries.addTask { await self.deliver(message, to: channel) }
                        }
                    }
                }
            }
            group.addTask {
                try await gracefulShutdown()
                self.input.finish()
                try await Task.sleep(for: self.shutdownGrace)
            }
            // The queue drained (after `finish`), or the grace ran out: stop whatever is left.
            try await group.next()
            group.cancelAll()
        }
    }

    private func deliver(_ message: NotificationMessage, to channel: any NotificationChannel) async {
        for attempt in 0...retryDelays.count {
            do {
                try await channel.send(message)
                return
            } catch {
                guard attempt < retryDelays.count else {
                    logger.warning(
                        "notification (\(message.event.rawValue)) not delivered to \(channel.name) after \(attempt + 1) attempts: \(error)"
                    )
                    return
                }
                try? await Task.sleep(for: retryDelays[attempt])
            }
        }
    }
}
