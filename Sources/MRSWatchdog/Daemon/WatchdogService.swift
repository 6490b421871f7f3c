import ServiceLifecycle
import Synchronization

/// The daemon: polls the watched clusters, wakes at the next deadline, decides through `Evaluator`, lets
/// `KillPlanner` apply the breaker and budgets, kills, and verifies every kill until the job is terminal.
/// All times are MRS server time (`ServerClock`); what must survive a restart is in `WatchdogState`.
public actor WatchdogService: Service {
    public struct Options: Sendable {
        /// `--dry-run`: every rule observes.
        public var dryRun = false
        public var timing = DaemonTiming()
        public init() {}
    }

    /// The result of one poll round.
    public struct PollOutcome: Sendable {
        public var polled = 0
        public var failed = 0
        /// Set when MRS refused our credentials; the daemon then waits `authBackoff`.
        public var authFailure: MRSError?
    }

    private struct Requests {
        var stop = false
        var reload = false
    }

    let api: any MRSJobAPI
    let clock: ServerClock
    let store: StateStore
    let sink: any DaemonEventSink
    /// Reads and validates the config again for a reload; the error's description says why it was refused.
    let reloadConfig: @Sendable () -> Result<WatchdogConfig, any Error>
    let options: Options
    let sleep: @Sendable (Duration) async throws -> Void
    private let requests = Mutex(Requests())
    private let doorbell = Doorbell()
    /// Beats while the loop makes progress; the systemd watchdog pings follow it.
    public nonisolated let heartbeat = LoopHeartbeat()

    private var config: WatchdogConfig
    private var evaluator: Evaluator
    private var state = WatchdogState()
    private var clusters: [Cluster] = []
    private var lastDiscovery: ContinuousClock.Instant?
    /// Cluster → job → the next instant its decision can change, for deadlines before the next poll; the
    /// job itself is read again when that instant comes.
    private var deadlines: [String: [String: Int64]] = [:]
    /// The watched clusters' tags at the last poll (nil: unreadable), for re-deciding a job at its deadline.
    private var clusterTags: [String: [String: String]?] = [:]
    private var breakerOpen = false
    private var killsSincePoll = 0
    private var status = StatusLine()
    /// Why the status line carries a problem: a refused reload, failing credentials, a breaker or budget hold.
    private var reloadFailure: String?
    private var authProblem: String?
    private var holdReason: String?
    private var authBlockedUntil: ContinuousClock.Instant?
    /// Records written once per job (would-kill, skipped, deferred, held), so the journal is not flooded.
    /// Forgotten once a polled cluster no longer shows the job as notable, so the set does not grow forever.
    private var reportedOnce: [JobKey: Set<DecisionRecord.Action>] = [:]
    private var failingClusters: [String: String] = [:]
    private var skewReported = false
    private var stateDirty = false
    /// True while a poll round lists clusters; deadlines are met alongside it.
    private var polling = false

    public init(
        config: WatchdogConfig, api: any MRSJobAPI, clock: ServerClock, store: StateStore, sink: any DaemonEventSink,
        options: Options = Options(),
        reloadConfig: @escaping @Sendable () -> Result<WatchdogConfig, any Error>,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.config = config
        self.evaluator = Evaluator(config: config, dryRun: options.dryRun)
        self.api = ObservedAPI(base: api, heartbeat: heartbeat)
        self.clock = clock
        self.store = store
        self.sink = sink
        self.options = options
        self.reloadConfig = reloadConfig
        self.sleep = sleep
    }

    var timing: DaemonTiming { options.timing }
    var retrier: Retrier { Retrier(attempts: timing.readAttempts, backoff: timing.readBackoff, sleep: sleep) }

    // MARK: Requests from outside the loop (signals)

    /// SIGHUP: re-read the config between cycles.
    public nonisolated func requestReload() {
        requests.withLock { $0.reload = true }
        doorbell.ring()
    }

    /// SIGTERM: stop polling, finish an in-flight kill, save state, return.
    public nonisolated func requestStop() {
        let first = requests.withLock { requests in
            defer { requests.stop = true }
            return !requests.stop
        }
        if first { sink.emit(.stopping) }
        doorbell.ring()
    }

    private var stopping: Bool { requests.withLock { $0.stop } }

    // MARK: Running

    public func run() async throws {
        loadState()
        await withGracefulShutdownHandler {
            await self.loop()
        } onGracefulShutdown: {
            self.requestStop()
        }
        persist()
    }

    /// `--once`: one full cycle, then wait (bounded) for its kills to be confirmed. Returns the poll outcome.
    public func runOnce() async -> PollOutcome {
        loadState()
        let outcome = await cycle()
        sink.emit(.ready(refreshStatus()))
        let deadline = ContinuousClock.now + timing.onceVerifyBound
        while !state.pendingKills.isEmpty, ContinuousClock.now < deadline, !stopping {
            await doorbell.wait(for: timing.verifyInterval, sleep: sleep)
            await verifyDueKills()
        }
        persist()
        sink.emit(.progress(refreshStatus()))
        return outcome
    }

    private func loop() async {
        var nextPoll = ContinuousClock.now
        var ready = false
        while !stopping {
            if requests.withLock({ requests in defer { requests.reload = false }; return requests.reload }) {
                reload()
                nextPoll = .now
            }
            if ContinuousClock.now >= nextPoll {
                let outcome = await cycle()
                nextPoll = .now + (outcome.authFailure != nil ? timing.authBackoff : jittered(config.watch.pollIntervalMillis))
                if !ready {
                    ready = true
                    sink.emit(.ready(refreshStatus()))
                }
            } else if !authBlocked {
                await handleDueDeadlines()
            }
            if !authBlocked, !stopping { await verifyDueKills() }
            persistIfDirty()
            sink.emit(.progress(refreshStatus()))
            if stopping { break }
            heartbeat.setIdle(true)
            await doorbell.wait(for: wakeDelay(nextPoll: nextPoll), sleep: sleep)
            heartbeat.setIdle(false)
        }
    }

    private var authBlocked: Bool { authBlockedUntil.map { ContinuousClock.now < $0 } ?? false }

    private func jittered(_ millis: Int64) -> Duration {
        .milliseconds(Double(millis) * (1 + Double.random(in: -timing.pollJitter...timing.pollJitter)))
    }

    /// Sleep until the next poll, the next deadline or warning, or the next verification, whichever is first.
    private func wakeDelay(nextPoll: ContinuousClock.Instant) -> Duration {
        var delay = nextPoll - .now
        guard !authBlocked else { return max(.zero, delay) }
        let now = clock.now()
        let checks = state.pendingKills.map { $0.lastCheckedAt + timing.verifyInterval.wholeMilliseconds }
        if let earliest = ([nextDeadline].compactMap { $0 } + checks).min() {
            delay = min(delay, .milliseconds(earliest - now))
        }
        return max(.zero, delay)
    }

    // MARK: One cycle: discover, poll, decide, act

    /// One poll round and what follows from it. The listing stops at once on shutdown; kills are not
    /// interrupted.
    func cycle() async -> PollOutcome {
        let started = ContinuousClock.now
        let listed = await pollMeetingDeadlines()
        guard let (outcome, result) = listed else { return PollOutcome() }
        reportSkew()
        let now = clock.now()
        var decisions: [Decision] = []
        var upcoming: [Decision] = []
        var activeJobs: [String: Int] = [:]
        var kinds: [Decision.Kind: Int] = [:]
        for cluster in result.clusters {
            guard var digest = result.digests[cluster.clusterId] else { continue }
            digest.trimUpcoming()
            deadlines[cluster.clusterId] = digest.deadlines
            decisions += digest.notable
            upcoming += digest.upcoming
            activeJobs[cluster.clusterId] = digest.active
            kinds.merge(digest.kinds, uniquingKeysWith: +)
            if digest.malformed > 0 {
                sink.emit(.notice(.warning, "cluster \(cluster.clusterId): \(digest.malformed) job entr\(digest.malformed == 1 ? "y" : "ies") could not be read and were skipped (\(digest.malformedAt.joined(separator: ", ")))"))
            }
            if let why = digest.endedEarly {
                sink.emit(.notice(.warning, "cluster \(cluster.clusterId): \(why); its listing was cut short and the jobs read so far are used"))
            }
        }
        let watched = Set(result.clusters.map(\.clusterId))
        deadlines = deadlines.filter { watched.contains($0.key) }
        clusterTags = Dictionary(result.clusters.map { ($0.clusterId, $0.tags) }, uniquingKeysWith: { first, _ in first })

        let candidates = decisions.filter { $0.kind == .kill && state.kill(JobKey($0)) == nil }
        let wasOpen = breakerOpen
        breakerOpen = KillPlanner.breakerOpens(candidates: candidates.count, safety: config.safety)
        if breakerOpen != wasOpen {
            sink.emit(.breaker(open: breakerOpen, candidates: candidates.count, threshold: config.safety.breakerThreshold))
        }
        killsSincePoll = 0
        holdReason = nil
        status = StatusLine(clusters: result.clusters.count, failedClusters: outcome.failed, activeJobs: activeJobs.values.reduce(0, +))
        await act(on: decisions, now: now)
        let notable = Set(decisions.map(JobKey.init))
        let polled = Set(result.digests.keys)
        reportedOnce = reportedOnce.filter { !polled.contains($0.key.clusterId) || notable.contains($0.key) }
        state.prune(now: clock.now())
        stateDirty = true
        sink.emit(.cycle(CycleReport(
            at: now, decisions: decisions + upcoming, activeJobs: activeJobs, kinds: kinds,
            clusters: result.clusters.map(\.clusterId), failures: result.failures, duration: .now - started,
            breakerOpen: breakerOpen, nextDeadline: nextDeadline)))
        return outcome
    }

    /// Polls (stopping at once on shutdown) while deadlines known from the last poll keep being met, so one
    /// cluster's slow listing never delays a kill on another. The deadline side is not cancelled: a kill it
    /// has sent finishes; it stops once the poll has.
    private func pollMeetingDeadlines() async -> (PollOutcome, ClusterPoller.Result<ClusterDigest>)? {
        polling = true
        return await withTaskGroup(of: (PollOutcome, ClusterPoller.Result<ClusterDigest>)?.self) { group in
            group.addTask {
                let listed = try? await cancelWhenGracefulShutdown { await self.discoverAndPoll() }
                await self.pollFinished()
                return listed ?? nil
            }
            group.addTask {
                await self.meetDeadlinesWhilePolling()
                return nil
            }
            var listed: (PollOutcome, ClusterPoller.Result<ClusterDigest>)?
            for await result in group where result != nil { listed = result }
            return listed
        }
    }

    private func pollFinished() { polling = false }

    private func meetDeadlinesWhilePolling() async {
        while polling, !stopping {
            let untilDeadline = nextDeadline.map { Duration.milliseconds(max(0, $0 - clock.now())) } ?? timing.pollDeadlineCheck
            try? await sleep(min(untilDeadline, timing.pollDeadlineCheck))
            if polling, !authBlocked { await handleDueDeadlines() }
        }
    }

    /// The earliest deadline or warning time known, server ms.
    private var nextDeadline: Int64? {
        deadlines.values.compactMap { $0.values.min() }.min()
    }

    private func discoverAndPoll() async -> (PollOutcome, ClusterPoller.Result<ClusterDigest>)? {
        var outcome = PollOutcome()
        let poller = ClusterPoller(api: api, config: config, retrier: retrier)
        let discoveryDue = lastDiscovery.map { ContinuousClock.now - $0 >= .milliseconds(config.watch.discoveryIntervalMillis) } ?? true
        if discoveryDue || clusters.isEmpty {
            do {
                let discovered = try await poller.discover()
                clusters = discovered.clusters
                lastDiscovery = .now
                if !discovered.malformed.isEmpty {
                    let indices = discovered.malformed.map(String.init).joined(separator: ", ")
                    sink.emit(.notice(.warning, "cluster list: \(discovered.malformed.count) entr\(discovered.malformed.count == 1 ? "y" : "ies") could not be read and were skipped (index \(indices)); the other clusters are watched"))
                }
            } catch {
                let failure = Self.mrsError(error, operation: "list clusters")
                if failure.retryAdvice == .authBackoff {
                    blockForAuth(failure)
                    outcome.authFailure = failure
                    return (outcome, ClusterPoller.Result(clusters: [], digests: [:], failures: [:]))
                }
                // Clusters named by id stay watched (tags unknown: rules on tags fail closed) until discovery works.
                let named = poller.namedClusters.count
                let kept =
                    !clusters.isEmpty ? "keeping the previous \(clusters.count) clusters"
                    : named > 0 ? "watching the \(named) cluster\(named == 1 ? "" : "s") named by id, tags unknown"
                    : "no cluster is named by id: nothing is watched until discovery works"
                if clusters.isEmpty { clusters = poller.namedClusters }
                sink.emit(.notice(.error, "cluster discovery failed: \(failure); \(kept)"))
                if clusters.isEmpty { return (outcome, ClusterPoller.Result(clusters: [], digests: [:], failures: [:])) }
            }
        }
        // Deadlines beyond the next poll (with its jitter) are picked up by that poll.
        let horizon = clock.now() + config.watch.pollIntervalMillis * 11 / 10 + 5_000
        let (evaluator, clock) = (evaluator, clock)
        let result = await poller.poll(
            clusters: clusters,
            digest: { ClusterDigest(cluster: $0, evaluator: evaluator, clock: clock, horizon: horizon) },
            page: { digest, page in digest.add(page) })
        outcome.polled = result.digests.count
        outcome.failed = result.failures.count
        for (cluster, error) in result.failures.sorted(by: { $0.key < $1.key }) where failingClusters[cluster] != error.description {
            sink.emit(.notice(.warning, "cluster \(cluster) could not be polled: \(error)"))
        }
        for cluster in failingClusters.keys where result.failures[cluster] == nil {
            sink.emit(.notice(.info, "cluster \(cluster) is answering again"))
        }
        failingClusters = result.failures.mapValues(\.description)
        if outcome.polled == 0, let auth = result.failures.values.first(where: { $0.retryAdvice == .authBackoff }) {
            blockForAuth(auth)
            outcome.authFailure = auth
        } else {
            authBlockedUntil = nil
            authProblem = nil
        }
        return (outcome, result)
    }

    private func blockForAuth(_ error: MRSError) {
        authBlockedUntil = .now + timing.authBackoff
        let code = error.errorCode ?? error.httpStatus.map(String.init) ?? "auth"
        let text = "auth failing (\(code)), retrying in \(DurationText.format(millis: timing.authBackoff.wholeMilliseconds))"
        authProblem = text
        sink.emit(.notice(.error, "\(text): \(error)"))
    }

    private func reportSkew() {
        guard !skewReported, let skew = clock.hostSkewMillis(), abs(skew) > timing.skewWarningMillis else { return }
        skewReported = true
        sink.emit(.notice(.warning, "the host clock is \(DurationText.format(millis: abs(skew))) \(skew > 0 ? "ahead of" : "behind") MRS server time; runtimes are measured in server time"))
    }

    // MARK: Acting on decisions

    private func act(on decisions: [Decision], now: Int64) async {
        var candidates: [Decision] = []
        for decision in decisions {
            let key = JobKey(decision)
            switch decision.kind {
            case .warn where !state.wasWarned(key):
                state.warned[key.description] = now
                stateDirty = true
                status.warned += 1
                sink.emit(.decision(DecisionRecord(action: .warn, decision: decision)))
            case .wouldKill:
                reportOnce(.wouldKill, decision)
            case .skippedUnknown:
                reportOnce(.skipped, decision)
            case .kill where state.kill(key) == nil:
                candidates.append(decision)
            default:
                break
            }
        }
        guard !candidates.isEmpty else { return }
        let plan = KillPlanner.plan(
            candidates: candidates, safety: config.safety, breakerOpen: breakerOpen, killedThisCycle: killsSincePoll,
            killedLastHour: state.killsInLastHour(now: now), now: now)
        for decision in plan.deferred {
            reportOnce(breakerOpen ? .held : .deferred, decision, detail: plan.holdReason)
        }
        if let reason = plan.holdReason { holdReason = reason }
        for decision in plan.kill {
            if stopping, !options.dryRun { break }
            var record = KillRecord(decision: decision, at: clock.now())
            state.killTimes.append(record.firstAttemptAt)
            killsSincePoll += 1
            await attemptKill(&record, decision: decision)
        }
    }

    private func reportOnce(_ action: DecisionRecord.Action, _ decision: Decision, detail: String? = nil) {
        guard reportedOnce[JobKey(decision), default: []].insert(action).inserted else { return }
        sink.emit(.decision(DecisionRecord(action: action, decision: decision, detail: detail)))
    }

    /// Sends one kill request and records it; the record is saved at once so a restart cannot send it twice.
    /// Only accepted requests count as attempts: a request refused by throttling never reached the job.
    private func attemptKill(_ record: inout KillRecord, decision: Decision) async {
        let retry = record.attempts > 0
        record.lastAttemptAt = clock.now()
        record.lastCheckedAt = record.lastAttemptAt
        do {
            try await api.killJob(clusterId: record.clusterId, jobId: record.jobId)
            record.attempts += 1
            record.accepted = true
            record.lastError = nil
            if !retry { status.killed += 1 }
            sink.emit(.decision(DecisionRecord(action: retry ? .killRetried : .kill, decision: decision, detail: retry ? "attempt \(record.attempts)" : nil)))
        } catch {
            let failure = Self.mrsError(error, operation: "kill \(record.key)")
            record.accepted = false
            record.lastError = failure.description
            if failure.errorCode == "0175" || failure.isNotFound {
                // Refused because the job is no longer active: read it to tell "gone" from a real refusal.
                let job = try? await api.showJob(clusterId: record.clusterId, jobId: record.jobId)
                if job?.isTerminal ?? failure.isNotFound {
                    settle(&record, .gone, decision: decision, detail: job.map(Self.finalState) ?? "job no longer exists")
                    return save(record)
                }
            }
            sink.emit(.decision(DecisionRecord(action: .killFailed, decision: decision, detail: failure.description)))
            switch failure.retryAdvice {
            case .retry: break  // sent again after the next read of the job
            case .authBackoff: blockForAuth(failure)
            case .never: settle(&record, .unkillable, decision: decision, detail: "kill refused: \(failure)")
            }
        }
        save(record)
    }

    private func save(_ record: KillRecord) {
        state.kills[record.key.description] = record
        stateDirty = true
        persistIfDirty()
    }

    private func settle(_ record: inout KillRecord, _ status: KillRecord.Status, decision: Decision, detail: String) {
        record.status = status
        record.resolvedAt = clock.now()
        let action: DecisionRecord.Action = status == .confirmed ? .killConfirmed : status == .gone ? .gone : .unkillable
        sink.emit(.decision(DecisionRecord(action: action, decision: decision, detail: detail)))
        if status == .unkillable {
            sink.emit(.notice(.error, "job \(record.key) is still active after \(record.attempts) kill requests; marked unkillable"))
        }
    }

    private static func finalState(_ job: JobExecution) -> String {
        "ended \(job.jobStateText ?? "?")" + (job.jobResult.map { " / \($0)" } ?? "")
    }

    // MARK: Deadlines between polls

    /// Re-reads every job whose deadline or warning time has come and acts on a fresh decision.
    private func handleDueDeadlines() async {
        let now = clock.now()
        let due = deadlines.flatMap { cluster, jobs in
            jobs.filter { $0.value <= now }.map { (JobKey(clusterId: cluster, jobId: $0.key), $0.value) }
        }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        for (key, _) in due {
            if stopping { return }
            let job: JobExecution
            do {
                job = try await retrier.run { try await api.showJob(clusterId: key.clusterId, jobId: key.jobId) }
            } catch {
                let failure = Self.mrsError(error, operation: "show \(key)")
                if failure.isNotFound {
                    deadlines[key.clusterId]?[key.jobId] = nil
                } else {
                    deadlines[key.clusterId]?[key.jobId] = clock.now() + timing.deadlineRetry.wholeMilliseconds
                    sink.emit(.notice(.warning, "job \(key) could not be read at its deadline: \(failure)"))
                }
                continue
            }
            let tags = clusterTags[key.clusterId] ?? nil
            let decision = evaluator.decide(clusterId: key.clusterId, clusterTags: tags, job: job, now: clock.now())
            deadlines[key.clusterId]?[key.jobId] = job.isTerminal ? nil : decision.nextChangeAt
            await act(on: [decision], now: clock.now())
        }
    }

    // MARK: Kill verification

    /// Reads every pending kill's job again when due: terminal → confirmed (or gone); still active past the
    /// verification timeout → kill again, up to the attempt limit → unkillable.
    func verifyDueKills() async {
        for pending in state.pendingKills {
            if stopping { return }
            let now = clock.now()
            guard now - pending.lastCheckedAt >= timing.verifyInterval.wholeMilliseconds else { continue }
            var record = pending
            record.lastCheckedAt = now
            let decision = verificationDecision(record)
            do {
                let job = try await retrier.run { try await api.showJob(clusterId: record.clusterId, jobId: record.jobId) }
                var current = decision
                current.job = job
                if job.isTerminal {
                    settle(&record, record.accepted ? .confirmed : .gone, decision: current, detail: Self.finalState(job))
                } else if !record.accepted || now - record.lastAttemptAt >= timing.verifyTimeout.wholeMilliseconds {
                    if record.attempts >= timing.maxKillAttempts {
                        settle(&record, .unkillable, decision: current, detail: "still \(job.jobStateText ?? "active") after \(record.attempts) kill requests")
                    } else {
                        await attemptKill(&record, decision: current)
                        continue
                    }
                }
            } catch {
                let failure = Self.mrsError(error, operation: "show \(record.key)")
                if failure.isNotFound, record.accepted {
                    settle(&record, .confirmed, decision: decision, detail: "job no longer exists")
                } else if failure.isNotFound {
                    settle(&record, .gone, decision: decision, detail: "job no longer exists")
                } else {
                    record.lastError = failure.description
                }
            }
            save(record)
        }
    }

    /// The decision a verification record is about, as far as the record tells (the job is read next).
    private func verificationDecision(_ record: KillRecord) -> Decision {
        let job = JobExecution(jobId: record.jobId, jobName: record.jobName)
        return Decision(
            clusterId: record.clusterId, job: job, kind: .kill, rule: record.rule, reason: "verifying the kill",
            matches: [])
    }

    // MARK: Reload and state

    private func reload() {
        sink.emit(.reloading)
        switch reloadConfig() {
        case .success(let fresh):
            var applied = fresh
            if fresh.mrs != config.mrs {
                applied.mrs = config.mrs
                sink.emit(.notice(.warning, "reload: the mrs section changed; endpoint, project and CA take effect after a restart"))
            }
            config = applied
            evaluator = Evaluator(config: applied, dryRun: options.dryRun)
            lastDiscovery = nil
            reportedOnce = [:]
            reloadFailure = nil
            sink.emit(.reloaded(refreshStatus(), failure: nil))
        case .failure(let error):
            let reason = "\(error)"
            reloadFailure = "reload failed: \(reason.split(separator: "\n").first.map(String.init) ?? reason); keeping previous rules"
            sink.emit(.reloaded(refreshStatus(), failure: reason))
        }
    }

    private func loadState() {
        let loaded = store.load(now: clock.now())
        state = loaded.state
        if let problem = loaded.problem { sink.emit(.notice(.error, problem)) }
        let pending = state.pendingKills.count
        if pending > 0 { sink.emit(.notice(.info, "resuming verification of \(pending) kill(s) from the state file")) }
    }

    private func persistIfDirty() {
        guard stateDirty else { return }
        persist()
    }

    private func persist() {
        do {
            try store.save(state)
            stateDirty = false
        } catch {
            sink.emit(.notice(.error, "could not save state: \(error)"))
        }
    }

    private func refreshStatus() -> StatusLine {
        status.pendingVerifications = state.pendingKills.count
        status.unkillable = state.kills.values.count { $0.status == .unkillable }
        status.nextDeadline = nextDeadline
        let problems = [reloadFailure, authBlocked ? authProblem : nil, holdReason].compactMap { $0 }
        status.problem = problems.isEmpty ? nil : problems.joined(separator: " · ")
        return status
    }

    /// A copy of the state the daemon keeps (what the state file holds), for tests.
    public var snapshot: WatchdogState { state }

    private static func mrsError(_ error: any Error, operation: String) -> MRSError {
        error as? MRSError ?? MRSError(kind: .transport(.other), operation: operation, errorMessage: "\(error)")
    }
}
