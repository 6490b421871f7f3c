import ServiceLifecycle
import Synchronization

/// The daemon's I/O shell around `WatchdogStateMachine`, where every kill is decided: it feeds the machine
/// events (a poll finished, a job was read, a kill was answered, the time came, a config was reloaded, stop)
/// and performs the actions it returns (poll, read, kill, save, report). Polls run beside the loop, so
/// deadlines are met while clusters are still being listed. All times are MRS server time (`ServerClock`).
public actor WatchdogService: Service {
    /// Why the loop woke up: the one place every reason is listed.
    enum WakeReason: Sendable {
        /// The time the machine asked for came (or a sleep ended early: the machine decides what is due).
        case timer
        case pollFinished(PollReport)
        case configReplaced(Result<WatchdogConfig, ConfigReloadFailure>)
        case notification(NotificationDelivery)
        case stop
    }

    let api: any MRSJobAPI
    let clock: ServerClock
    let store: StateStore
    let sink: any DaemonEventSink
    let options: Options
    let sleep: @Sendable (Duration) async throws -> Void
    let inbox = Mailbox<WakeReason>()
    /// Set by SIGTERM from any task: no read or kill leaves after it, even in the middle of a batch.
    private let stopRequested = Mutex(false)
    /// Beats while the loop makes progress; the systemd watchdog pings follow it.
    public nonisolated let heartbeat = LoopHeartbeat()
    var machine: WatchdogStateMachine
    let rounds: PollRounds
    /// The poll round running beside the loop, if any: awaited at stop.
    private var poll: Task<Void, Never>?
    /// Read each time the loop wakes: an extension applies without a reload.
    private var extensionDirectory: ExtensionDirectory

    public init(
        config: WatchdogConfig, api: any MRSJobAPI, clock: ServerClock, store: StateStore, sink: any DaemonEventSink,
        options: Options = Options(),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.machine = WatchdogStateMachine(config: config, dryRun: options.dryRun, timing: options.timing)
        self.extensionDirectory = ExtensionDirectory(path: config.extensionsDirectory)
        self.api = ObservedAPI(base: api, heartbeat: heartbeat)
        let retrier = Retrier(attempts: options.timing.readAttempts, backoff: options.timing.readBackoff, sleep: sleep)
        self.rounds = PollRounds(api: self.api, clock: clock, retrier: retrier)
        self.clock = clock
        self.store = store
        self.sink = sink
        self.options = options
        self.sleep = sleep
    }

    /// A reload finished (the `ReloadService` read the file again): applied from the next poll, or refused.
    public nonisolated func replaceConfig(_ result: Result<WatchdogConfig, ConfigReloadFailure>) {
        inbox.post(.configReplaced(result))
    }

    /// The notification dispatcher finished sending one message to one channel (`require_notice`, STATUS).
    public nonisolated func notificationDelivered(_ delivery: NotificationDelivery) {
        inbox.post(.notification(delivery))
    }

    /// SIGTERM: stop polling, let an in-flight request finish but send no other, save state, return.
    public nonisolated func requestStop() {
        let first = stopRequested.withLock { stop in
            defer { stop = true }
            return !stop
        }
        guard first else { return }
        sink.emit(.stopping)
        inbox.post(.stop)
    }

    nonisolated var stopping: Bool { stopRequested.withLock { $0 } }

    /// A copy of the state the daemon keeps (what the state database holds), for tests.
    public var snapshot: WatchdogState { machine.state }

    public func run() async throws {
        try start()
        await withGracefulShutdownHandler {
            await self.loop()
        } onGracefulShutdown: {
            self.requestStop()
        }
        poll?.cancel()
        await poll?.value
        await perform([.persist])
    }

    /// - Throws: `StateFileError` when the state database cannot be opened.
    func start() throws {
        let loaded = try store.load(now: clock.now())
        for case .emit(let event) in machine.started(state: loaded.state, notices: loaded.notices, now: clock.now()) {
            sink.emit(event)
        }
    }

    private func loop() async {
        // READY's bound is on the monotonic clock: server time may step back at MRS's first answer.
        let readyBy = ContinuousClock.now + options.timing.readyWithin
        await scanExtensions()
        var reason = WakeReason.timer
        while true {
            switch reason {
            case .stop:
                machine.stopRequested()
                return
            case .timer:
                if ContinuousClock.now >= readyBy { await perform(machine.readyOverdue()) }
            case .pollFinished(let report):
                await perform(machine.pollFinished(report, now: clock.now(), jitter: .random(in: -1...1)))
                await perform(machine.pollActedOn(now: clock.now()))
            case .configReplaced(let result):
                await perform(machine.configReplaced(result, now: clock.now()))
            case .notification(let delivery):
                await perform(machine.notificationDelivered(delivery, now: clock.now()))
            }
            // After every wake, whatever woke it: what is due goes now, not after the queued messages.
            await perform(machine.timerFired(now: clock.now()))
            await perform(machine.turnEnded())
            // Waiting for a poll is not idleness: a poll stuck in a call must stop the heartbeat.
            heartbeat.setIdle(!machine.isPolling)
            var delay = machine.nextWake().map { Duration.milliseconds(max(0, $0 - clock.now())) } ?? .seconds(3600)
            if machine.awaitsReady { delay = min(delay, max(.zero, readyBy - ContinuousClock.now)) }
            let next = await inbox.next(within: delay, sleep: sleep)
            heartbeat.setIdle(false)
            reason = next ?? (stopping || Task.isCancelled ? .stop : .timer)
            // Once per wake, before anything is decided: an extension applies without a reload, and one written
            // while a poll listed is seen before that poll's kills.
            await scanExtensions()
        }
    }

    /// Reads the extensions directory (the config's, which a reload may change) into the machine.
    func scanExtensions() async {
        if extensionDirectory.path != machine.config.extensionsDirectory {
            extensionDirectory = ExtensionDirectory(path: machine.config.extensionsDirectory)
        }
        await perform(machine.extensionsScanned(extensionDirectory.scan(), now: clock.now()))
    }

    /// Performs actions in order; an answer from MRS goes back into the machine and its actions follow.
    func perform(_ actions: [WatchdogStateMachine.Action]) async {
        var queue = actions[...]
        while let action = queue.popFirst() {
            switch action {
            case .startPoll(let discover):
                // Beside the loop: deadlines are met while clusters are listed.
                let (rounds, inbox, config, evaluator) = (rounds, inbox, machine.config, machine.evaluator)
                poll = Task {
                    inbox.post(
                        .pollFinished(await rounds.poll(config: config, evaluator: evaluator, discover: discover)))
                }
            case .emit(let event):
                sink.emit(event)
            case .summarize(let since, let until):
                // Nothing when the history cannot be read (state in memory only).
                if let history = try? store.history(since: since) {
                    sink.emit(.notice(KillReport.summary(history, sinceMillis: since, untilMillis: until)))
                }
            case .persist:
                do {
                    try store.save(machine.takeChanges())
                } catch {
                    sink.emit(.notice(.stateSaveFailed(reason: "\(error)")))
                }
            case .readJob where stopping, .sendKill where stopping:
                continue  // after SIGTERM nothing new leaves; a saved intent is decided afresh after a restart
            case .readJob(let key):
                let answer: [WatchdogStateMachine.Action]
                do {
                    // One call per read, as the read budget counts them; the machine reads again later on failure.
                    let job = try await api.showJob(clusterId: key.clusterId, jobId: key.jobId)
                    answer = machine.jobRead(key, job, now: clock.now())
                } catch {
                    answer = machine.jobReadFailed(
                        key, HuaweiCloudError.wrapping(error, operation: "show \(key)"), now: clock.now())
                }
                queue.insert(contentsOf: answer, at: queue.startIndex)
            case .sendKill(let key):
                var failure: HuaweiCloudError?
                do {
                    // Only with its intent on disk: otherwise a restart could send it a second time unknowingly.
                    guard store.isDurable else {
                        throw HuaweiCloudError.transport(
                            .other, operation: "kill \(key)",
                            errorMessage: "not sent: the state database cannot be written, so its intent is not saved")
                    }
                    try await api.killJob(clusterId: key.clusterId, jobId: key.jobId)
                } catch {
                    failure = HuaweiCloudError.wrapping(error, operation: "kill \(key)")
                }
                queue.insert(
                    contentsOf: machine.killAnswered(key, failure: failure, now: clock.now()), at: queue.startIndex)
            }
        }
    }
}
