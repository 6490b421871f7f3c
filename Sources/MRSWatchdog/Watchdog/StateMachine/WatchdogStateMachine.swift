/// Where every kill is decided: the daemon's policy as a pure state machine. Events come in (a poll finished,
/// a job was read, MRS answered a kill, the timer fired, the config was replaced), actions go out (start a
/// poll, read a job, send a kill, save the state, report). It does no I/O and reads no clock: every event
/// carries `now`, MRS server time in epoch ms. `WatchdogService` is the thin shell that performs the actions.
///
/// It owns what must be decided consistently in one place: deadlines, warnings, the breaker and the kill
/// budgets, kill records and their verification (re-kill, unkillable, gone), the authentication back-off,
/// report-once marks and the status line. "Is this job already killed or being verified?" is `newKills`.
public struct WatchdogStateMachine: Sendable {
    public enum Mode: Sendable {
        /// Poll every `watch.poll_interval`, meet deadlines between polls.
        case daemon
        /// `--once`: one poll, then only the verification of its kills.
        case once
    }

    public internal(set) var config: WatchdogConfig
    /// The rules as the current config has them (the shell judges each listed page with it).
    public internal(set) var evaluator: Evaluator
    let dryRun: Bool
    let timing: DaemonTiming
    let mode: Mode

    /// What survives a restart (the state database).
    public internal(set) var state = WatchdogState()
    /// Cluster → job → the next instant (server ms) its decision can change, for deadlines before the next
    /// poll; the job is read again then.
    var deadlines: [String: [String: Int64]] = [:]
    /// The watched clusters' tags at the last poll (nil: unreadable), for deciding a job again at its deadline.
    var clusterTags: [String: [String: String]?] = [:]
    var schedule = PollSchedule()
    /// READY has not been sent yet: it goes once the first poll has been acted on, or when the shell says the
    /// first poll is overdue (`readyOverdue`, on the host's monotonic clock: server time may step back at
    /// MRS's first answer).
    public internal(set) var awaitsReady = true
    /// Server time (ms) of the last summary, or of the start: the first covers the first interval.
    var lastSummaryAt: Int64 = 0
    /// A reload that came while a poll was listing: applied once that poll is acted on, as between cycles.
    var deferredReload: Result<WatchdogConfig, ConfigReloadFailure>?
    var budgets: KillBudgets
    var status = StatusLine()
    /// Decisions acted on since start, whichever path made them (a poll or a deadline read).
    var sinceStart = DecisionTally()
    /// Server time (ms) of the latest event, for the status line's last hour.
    var latest: Int64 = 0
    var reloadFailure: String?
    /// Sections of the reloaded file that only a restart applies (`mrs`, `metrics.listen`).
    var restartPending: [String] = []
    var reports = Reports()
    var noticeGate = NoticeGate()
    var extensionNotes = ExtensionNotes()
    var killLoops = KillLoops()
    /// Reads of single jobs in flight, and why each was asked for.
    var reads: [JobKey: ReadPurpose] = [:]
    /// The decision each kill in flight acts on, for its journal record.
    var killing: [JobKey: Decision] = [:]

    enum ReadPurpose: Sendable, Hashable {
        /// Its deadline or warning time came: decide again on a fresh read.
        case deadline
        /// A kill is pending: is the job terminal yet?
        case verification
        /// MRS refused the kill as if the job had ended (`0175`, not found): did it?
        case refusedKill(HuaweiCloudError)
    }

    public init(
        config: WatchdogConfig, dryRun: Bool = false, timing: DaemonTiming = DaemonTiming(), mode: Mode = .daemon
    ) {
        self.config = config
        self.evaluator = Evaluator(config: config, dryRun: dryRun)
        self.dryRun = dryRun
        self.timing = timing
        self.mode = mode
        self.budgets = KillBudgets(rateWindow: timing.rateWindow)
    }

    // MARK: Queries

    /// True once a kill was sent (or is being sent) for the job: it is never killed a second time by a
    /// decision, only re-killed by its verification.
    public func hasKillRecord(_ key: JobKey) -> Bool { state.kill(key) != nil }

    /// True while a poll round lists clusters (waiting for it is not idleness: the heartbeat stops if it
    /// hangs).
    public var isPolling: Bool { schedule.isPolling }

    /// Kills sent and not yet confirmed, gone or unkillable, and kills a budget holds back.
    public var pendingKills: Int { state.pendingCount + budgets.waiting.count }

    /// The next instant (server ms) something is due: a poll, a deadline or warning, a verification; nil
    /// when nothing is scheduled.
    public func nextWake() -> Int64? {
        var candidates: [Int64] = []
        if let poll = schedule.pollDue(floorMillis: pollFloorMillis) { candidates.append(poll) }
        // An authentication back-off that ends lets the deadline reads and verifications go again.
        if let until = schedule.authBlockedUntil { candidates.append(until) }
        if !schedule.authBlocked(at: nil), !schedule.isStopping {
            // A read or kill that is due but over its budget waits for the first slot to free.
            let readSlot = budgets.readSlotFrees(safety: config.safety)
            let reads =
                ([mode == .daemon ? nextDeadline : nil].compactMap { $0 }
                    + state.pendingKills.filter { self.reads[$0.key] == nil }.map(verificationDue))
            candidates += reads.map { max($0, readSlot ?? $0) }
            if let slot = budgets.killSlotFrees(safety: config.safety, killTimes: state.killTimes) {
                candidates.append(slot)
            }
        }
        return candidates.min()
    }

    /// Sets when `key`'s job is read again (nil: not before the next poll); deadlines are the daemon's only,
    /// `--once` reads no job on its own.
    mutating func setDeadline(_ key: JobKey, _ at: Int64?) {
        if mode == .daemon { deadlines[key.clusterId]?[key.jobId] = at }
    }

    var nextDeadline: Int64? { deadlines.values.compactMap { $0.values.min() }.min() }

    // MARK: Events

    /// The saved state was read at start: resume what it holds. `notices` say what happened reading it.
    public mutating func started(state loaded: WatchdogState, notices: [WatchdogNotice], now: Int64) -> [Action] {
        latest = now
        state = loaded
        lastSummaryAt = now
        if mode == .daemon { schedule.schedule(at: now) }
        var actions: [Action] = notices.map { .emit(.notice($0)) }
        let pending = state.pendingCount
        if pending > 0 { actions.append(.emit(.notice(.resumingVerification(count: pending)))) }
        return actions
    }

    /// Time has come: start a due poll, read the jobs whose deadlines came, verify due kills.
    public mutating func timerFired(now: Int64) -> [Action] {
        latest = now
        var actions: [Action] = []
        schedule.timerFired(now: now)
        if let discover = schedule.startPoll(now: now, floorMillis: pollFloorMillis) {
            actions.append(.startPoll(discover: discover))
        }
        guard !schedule.authBlocked(at: now), !schedule.isStopping else { return actions }
        var readRoom = budgets.readRoom(now: now, safety: config.safety)
        if mode == .daemon {
            let due = deadlines.flatMap { cluster, jobs in
                jobs.filter { $0.value <= now }.map { (JobKey(clusterId: cluster, jobId: $0.key), $0.value) }
            }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            for (key, _) in due where reads[key] == nil && readRoom > 0 {
                readRoom -= 1
                actions += readJob(key, .deadline, now: now)
            }
        }
        // Re-kills the verification reads may lead to keep their place in the kill budget ahead of first kills.
        var rekills = 0
        let due = state.pendingKills.filter {
            reads[$0.key] == nil && killing[$0.key] == nil && now >= verificationDue($0)
        }
        for pending in due.sorted(by: { $0.key < $1.key }) where readRoom > 0 {
            readRoom -= 1
            var record = pending
            record.checked(at: now)
            if record.resendsIfActive(verifyTimeoutMillis: timing.verifyTimeout.wholeMilliseconds) { rekills += 1 }
            state.record(record)  // saved at the end of the turn
            actions += readJob(record.key, .verification, now: now)
        }
        if !budgets.waiting.isEmpty, !budgets.breakerOpen {
            actions += planKills([], now: now, reserved: rekills)
        }
        return actions
    }

    mutating func readJob(_ key: JobKey, _ purpose: ReadPurpose, now: Int64) -> [Action] {
        reads[key] = purpose
        budgets.readSent(at: now)
        return [.readJob(key)]
    }

    /// The shell has performed what `pollFinished` asked (its kills answered): READY the first time, the
    /// daily summary when due, and a reload that came while the poll listed.
    public mutating func pollActedOn(now: Int64) -> [Action] {
        var actions: [Action] = []
        if awaitsReady {
            awaitsReady = false
            actions.append(.emit(.ready(currentStatus)))
        }
        if mode == .daemon, now - lastSummaryAt >= timing.summaryInterval.wholeMilliseconds {
            // The summary is read from the database: the poll's answers are saved first.
            actions.append(.persist)
            actions.append(.summarize(sinceMillis: lastSummaryAt, untilMillis: now))
            lastSummaryAt = now
        }
        if let reload = deferredReload {
            deferredReload = nil
            actions += configReplaced(reload, now: now)
        }
        return actions
    }

    /// The first poll is still running after `DaemonTiming.readyWithin` (an endpoint slow to answer, reads
    /// retried): READY anyway, within half the unit's `TimeoutStartSec=90s`, so systemd does not fail the unit
    /// before it polls again.
    public mutating func readyOverdue() -> [Action] {
        guard awaitsReady else { return [] }
        awaitsReady = false
        var status = currentStatus
        status.problem = status.problem ?? "first poll still running (MRS slow to answer)"
        return [.emit(.ready(status))]
    }

    /// A poll round finished. `jitter` in [-1, 1] spreads the next poll by `DaemonTiming.pollJitter`. The
    /// shell calls `pollActedOn` once it has performed the actions.
    public mutating func pollFinished(_ report: PollReport, now: Int64, jitter: Double) -> [Action] {
        latest = now
        schedule.pollEnded()
        var actions: [Action] = []
        if let notice = Self.discoveryNotice(report.discovery) { actions.append(.emit(.notice(notice))) }
        if case .authFailed(let error) = report.discovery {
            return actions + blockForAuth(error, now: now) + scheduleNextPoll(now: now, jitter: jitter)
        }
        if case .failed = report.discovery { schedule.wantDiscovery() }
        if report.clusters.isEmpty, case .failed = report.discovery {
            return actions + scheduleNextPoll(now: now, jitter: jitter)
        }
        let notices = reports.clockAndHealth(report, skewWarningMillis: timing.skewWarningMillis)
        actions += notices.map { .emit(.notice($0)) }
        var decisions: [Decision] = []
        var upcoming: [Decision] = []
        var extended: [Decision] = []
        var activeJobs: [String: Int] = [:]
        var kinds: [Decision.Kind: Int] = [:]
        for cluster in report.clusters {
            guard var digest = report.digests[cluster.clusterId] else { continue }
            digest.settleCaps { self.hasKillRecord(JobKey(clusterId: cluster.clusterId, jobId: $0)) }
            digest.trimUpcoming()
            if mode == .daemon { deadlines[cluster.clusterId] = digest.deadlines }
            decisions += digest.notable
            upcoming += digest.upcoming
            extended += digest.extended
            activeJobs[cluster.clusterId] = digest.active
            kinds.merge(digest.kinds, uniquingKeysWith: +)
            actions += reports.listing(cluster.clusterId, digest).map { .emit(.notice($0)) }
        }
        let watched = Set(report.clusters.map(\.clusterId))
        deadlines = deadlines.filter { watched.contains($0.key) }
        clusterTags = Dictionary(
            report.clusters.map { ($0.clusterId, $0.tags) }, uniquingKeysWith: { first, _ in first })
        if report.digests.isEmpty, let auth = report.failures.values.first(where: { $0.retryAdvice == .authBackoff }) {
            actions += blockForAuth(auth, now: now)
        } else {
            schedule.authWorks()
        }

        // Listed while the extensions in force changed: its kills were decided without the change. They wait
        // for a poll at once (warnings and reports stand).
        let stale = report.digests.values.contains { $0.evaluator.extensions != evaluator.extensions }
        if stale { decisions.removeAll { $0.kind == .kill } }
        let candidates = newKills(decisions)
        if budgets.pollFinished(candidates: candidates.count, safety: config.safety) {
            actions.append(
                .emit(
                    .breaker(
                        open: budgets.breakerOpen, candidates: candidates.count,
                        threshold: config.safety.breakerThreshold)))
        }
        status = StatusLine(
            clusters: report.clusters.count, failedClusters: report.failures.count,
            activeJobs: activeJobs.values.reduce(0, +))
        actions += noteExtensions(extended, now: now)
        actions += act(on: decisions, now: now)
        let notable = Set(decisions.map(JobKey.init))
        let polled = Set(report.digests.keys)
        reports.keepOnce(polled: polled, notable: notable)
        state.prune(now: now)
        noticeGate.keep(whileWarned: state.wasWarned)
        actions.append(
            .emit(
                .cycle(
                    CycleReport(
                        at: now, decisions: decisions + upcoming, activeJobs: activeJobs, kinds: kinds,
                        clusters: report.clusters.map(\.clusterId), failures: report.failures,
                        duration: report.duration,
                        breakerOpen: budgets.breakerOpen, nextDeadline: nextDeadline, sinceStart: sinceStart,
                        lastHour: state.tally(lastHourBefore: now)))))
        actions += scheduleNextPoll(now: now, jitter: jitter)
        if stale, mode == .daemon { schedule.schedule(at: now) }
        return actions
    }

    /// MRS answered a read of one job.
    public mutating func jobRead(_ key: JobKey, _ job: JobExecution, now: Int64) -> [Action] {
        latest = now
        guard job.jobId == key.jobId else {
            let failure = HuaweiCloudError.malformedResponse(
                operation: "show \(key)", errorMessage: "MRS answered with job \(job.jobId)")
            return jobReadFailed(key, failure, now: now)
        }
        guard let purpose = reads.removeValue(forKey: key) else { return [] }
        switch purpose {
        case .deadline:
            let decision = evaluator.decide(
                clusterId: key.clusterId, clusterTags: clusterTags[key.clusterId] ?? nil, job: job, now: now)
            setDeadline(key, job.isTerminal ? nil : decision.nextChangeAt)
            return noteExtensions([decision], now: now) + act(on: [decision], now: now)
        case .verification:
            return verified(key, job, now: now)
        case .refusedKill(let failure):
            return refusedKillResolved(key, failure: failure, job: job, now: now)
        }
    }

    /// A read of one job failed.
    public mutating func jobReadFailed(_ key: JobKey, _ failure: HuaweiCloudError, now: Int64) -> [Action] {
        latest = now
        guard let purpose = reads.removeValue(forKey: key) else { return [] }
        switch purpose {
        case .deadline:
            if failure.isNotFound {
                setDeadline(key, nil)
                return []
            }
            setDeadline(key, now + timing.deadlineRetry.wholeMilliseconds)
            return [.emit(.notice(.deadlineReadFailed(key, failure)))]
        case .verification:
            return verificationFailed(key, failure, now: now)
        case .refusedKill(let killFailure):
            guard failure.isNotFound else {
                // Whether the job ended cannot be told now: the verification reads it again later.
                killing[key] = nil
                return []
            }
            return refusedKillResolved(key, failure: killFailure, job: nil, now: now)
        }
    }

    /// A reload finished: the new config applies from the next poll, or the reason it was refused (while a
    /// poll lists, once it has been acted on, as between cycles). The `mrs` section is kept as it was
    /// (endpoint, project and CA need a restart).
    public mutating func configReplaced(_ result: Result<WatchdogConfig, ConfigReloadFailure>, now: Int64) -> [Action] {
        guard !schedule.isPolling else {
            deferredReload = result
            return []
        }
        var actions: [Action] = [.emit(.reloading)]
        switch result {
        case .success(let fresh):
            // What is bound at start stays as it is; the status says what waits for a restart.
            var applied = fresh
            applied.mrs = config.mrs
            applied.metricsListen = config.metricsListen
            restartPending = Self.restartOnlyChanges(from: config, to: fresh)
            for section in restartPending {
                actions.append(.emit(.notice(.restartNeeded(section: section))))
            }
            config = applied
            evaluator = Evaluator(config: applied, dryRun: dryRun, extensions: evaluator.extensions)
            // Clusters the new `watch` no longer names are forgotten at once, not at the next poll.
            clusterTags = clusterTags.filter { applied.watches(Cluster(clusterId: $0.key, tags: $0.value)) }
            deadlines = deadlines.filter { clusterTags[$0.key] != nil }
            schedule.wantDiscovery()
            schedule.schedule(at: now)
            budgets.waiting = []  // decided under the old rules: the next poll decides again
            reports.forgetOnce()
            noticeGate.reloaded(watching: { clusterTags[$0] != nil })
            reloadFailure = nil
            actions.append(.emit(.configApplied(applied)))
            actions.append(.emit(.reloaded(currentStatus, failure: nil)))
        case .failure(let failure):
            let reason = failure.description
            reloadFailure = WatchdogNotice.reloadRefusedText(reason, firstLineOnly: true)
            actions.append(.emit(.reloaded(currentStatus, failure: reason)))
        }
        return actions
    }

    /// SIGTERM (the shell has reported `stopping` already): no new polls, reads or kills; what is in flight
    /// finishes.
    public mutating func stopRequested() {
        schedule.stop()
    }

    /// Saves what changed in the state since the last save, and reports progress: the end of one turn.
    public mutating func turnEnded() -> [Action] {
        var actions: [Action] = []
        if !state.changes.isEmpty { actions.append(.persist) }
        actions.append(.emit(.progress(currentStatus)))
        return actions
    }

    /// What changed in the state since the last save, for the shell to save (`Action.persist`).
    public mutating func takeChanges() -> StateChanges { state.takeChanges() }

    // MARK: Acting on decisions

    mutating func act(on decisions: [Decision], now: Int64) -> [Action] {
        var actions: [Action] = []
        var candidates: [Decision] = []
        let fresh = Set(newKills(decisions).map(JobKey.init))
        for var decision in decisions {
            let key = JobKey(decision)
            switch decision.kind {
            case .warn where extensionNotes.warnAgain(key) || !state.wasWarned(key):
                state.markWarned(key, at: now)
                sinceStart.warned += 1
                actions.append(
                    decided(DecisionRecord(action: .warn, decision: decision, detail: extendHint(decision)), now: now))
            case .wouldKill:
                actions += reportOnce(.wouldKill, decision, now: now)
            case .skippedUnknown:
                actions += reportOnce(.skipped, decision, now: now)
            case .kill where fresh.contains(key):
                if let hold = holdForNotice(&decision, now: now) {
                    actions += hold
                    continue
                }
                if let loop = killLoop(decision, now: now) {
                    actions += loop.report
                    if loop.stopsKill { continue }
                }
                candidates.append(decision)
            default:
                break
            }
        }
        guard !candidates.isEmpty else { return actions }
        return actions + planKills(candidates, now: now)
    }

    /// The kill decisions among `decisions` whose jobs have no kill record yet, each job once: the one place
    /// that asks "is this job already killed or being verified?", wherever kill candidates are formed (the
    /// breaker's count, a poll's or a deadline's decisions, the kills a budget held back).
    func newKills(_ decisions: [Decision]) -> [Decision] {
        var seen: Set<JobKey> = []
        return decisions.filter { $0.kind == .kill && !hasKillRecord(JobKey($0)) && seen.insert(JobKey($0)).inserted }
    }

    /// What a warned job's owner can do: the exact `extend` command, or that the rule grants no extensions.
    func extendHint(_ decision: Decision) -> String? {
        guard let name = decision.rule else { return nil }
        guard let most = config.rule(named: name)?.maxExtensionMillis else {
            return "rule \(name) grants no extensions"
        }
        return "for more time: "
            + ExtendCommand.text(
                clusterId: decision.clusterId, jobId: decision.job.jobId, byMillis: most,
                directory: config.extensionsDirectory)
    }

    /// Kills `candidates` and the waiting ones as the breaker and the budgets allow, most overdue first; the
    /// rest wait (`budgets.waiting`) and are reported once as deferred or held.
    /// - Parameter reserved: kill requests to keep free for re-kills about to be decided.
    mutating func planKills(_ candidates: [Decision], now: Int64, reserved: Int = 0) -> [Action] {
        // A kill that waited for a budget does not leave once its rule's enforcement window has closed: the next
        // poll reports it as would-kill instead. (New candidates were just decided inside their windows.)
        let config = config
        let stillOpen = budgets.waiting.filter { config.rule(named: $0.rule)?.enforces(at: now) ?? true }
        let all = newKills(candidates + stillOpen)
        // Kills in flight count too: they are stamped when answered.
        let plan = budgets.plan(
            all, now: now, safety: config.safety, killedLastHour: state.killsInLastHour(now: now),
            used: killing.count + reserved)
        var actions: [Action] = []
        for decision in plan.deferred {
            actions += reportOnce(budgets.breakerOpen ? .held : .deferred, decision, detail: plan.holdReason, now: now)
        }
        var sent: [JobKey] = []
        for decision in plan.kill {
            if schedule.isStopping, !dryRun { break }
            let record = KillRecord(decision: decision, at: now)
            state.countKill(at: record.firstAttemptAt)
            budgets.killSent()
            sent.append(markSent(record, decision: decision, now: now))
        }
        return actions + sendKills(sent)
    }

    // MARK: Helpers

    /// Sections a running daemon cannot take over from a reloaded file, by name (`mrs`: endpoint, project
    /// and CA; `metrics.listen`: the endpoint is bound at start).
    static func restartOnlyChanges(from old: WatchdogConfig, to new: WatchdogConfig) -> [String] {
        (old.mrs != new.mrs ? ["mrs"] : []) + (old.metricsListen != new.metricsListen ? ["metrics.listen"] : [])
    }
}
