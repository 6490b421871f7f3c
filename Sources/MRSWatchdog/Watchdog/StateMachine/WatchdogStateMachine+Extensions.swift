extension WatchdogStateMachine {
    /// What the machine remembers about the extensions directory, so each thing is said once: extensions
    /// applied or refused (once per file), malformed drop-ins (while they stay so), drop-ins not read, the
    /// directory's problem; and the jobs warned before an extension moved their deadline.
    struct ExtensionNotes: Sendable {
        /// How many new malformed drop-ins are reported one by one per read; the rest in one notice.
        static let malformedReportedOneByOne = 10

        private var reported: [JobKey: AppliedExtension] = [:]
        private var warnAgainBefore: Set<JobKey> = []
        /// By file name → the problem.
        private var malformed: [String: String] = [:]
        private var notRead: [String: Int] = [:]
        private var problem: String?

        /// The extensions in force changed to `active`: what was reported of the others is forgotten.
        mutating func inForce(_ active: ExtensionSet) {
            reported = reported.filter { key, applied in active[key.clusterId, key.jobId] == applied.grant }
            warnAgainBefore = warnAgainBefore.filter { reported[$0] != nil }
        }

        /// The notices a read of the directory calls for: new malformed drop-ins (a few one by one, the rest
        /// counted, so a flood of files cannot flood the journal), owners with drop-ins not read, a directory
        /// that cannot be listed.
        mutating func scanned(_ scan: ExtensionScan, directory: String) -> [WatchdogNotice] {
            let fresh = scan.entries.compactMap { entry -> (file: String, owner: String, problem: String)? in
                guard case .malformed(let file, let owner, let problem) = entry, malformed[file] != problem
                else { return nil }
                return (file, owner, problem)
            }
            var notices = fresh.prefix(Self.malformedReportedOneByOne).map {
                WatchdogNotice.extensionMalformed(
                    directory: directory, file: $0.file, owner: $0.owner, problem: $0.problem)
            }
            var notListed: [String] = []
            if fresh.count > Self.malformedReportedOneByOne {
                let more = fresh.count - Self.malformedReportedOneByOne
                notListed.append(
                    "\(more) more malformed drop-ins, not reported one by one (mrs-watchdog extensions lists them); they change nothing"
                )
            }
            if scan.notRead != notRead {
                let limit = ExtensionDirectory.maxEntriesPerOwner
                for (owner, count) in scan.notRead.sorted(by: { $0.key < $1.key }) {
                    notListed.append(
                        "\(owner) has \(count + limit) drop-ins: only their first \(limit) by name are read")
                }
            }
            notices += notListed.map { .extensionsNotListed(directory: directory, note: $0) }
            notRead = scan.notRead
            malformed = Dictionary(scan.malformed, uniquingKeysWith: { first, _ in first })
            if let problem = scan.problem, problem != self.problem {
                notices.append(.extensionsUnreadable(reason: problem))
            }
            problem = scan.problem
            return notices
        }

        /// True the first time `applied` is seen for `key`; a job `warned` before the extension moved its
        /// deadline is warned again before the new one.
        mutating func applied(_ applied: AppliedExtension, to key: JobKey, warned: Bool) -> Bool {
            guard reported[key] != applied else { return false }
            reported[key] = applied
            if applied.moved, warned { warnAgainBefore.insert(key) }
            return true
        }

        /// True (once) when `key`'s job is to be warned again: an extension moved its deadline after a warning.
        mutating func warnAgain(_ key: JobKey) -> Bool { warnAgainBefore.remove(key) != nil }
    }

    /// The extensions directory was read (each time the daemon wakes). A change applies at once: a poll
    /// follows, so jobs are decided again with it (and a withdrawn one brings its deadline back in time).
    /// Malformed files and an unreadable directory are reported once each; they change nothing.
    public mutating func extensionsScanned(_ scan: ExtensionScan, now: Int64) -> [Action] {
        latest = now
        var actions: [Action] = []
        let active = scan.active(now: now)
        if active != evaluator.extensions {
            actions += withdrawnExtensions(from: evaluator.extensions, to: active, now: now)
            evaluator = evaluator.with(active)
            budgets.waiting = []  // decided without the change: the poll below decides again
            extensionNotes.inForce(active)
            if mode == .daemon { schedule.pollSoon(now: now) }
        }
        let notices = extensionNotes.scanned(scan, directory: config.extensionsDirectory)
        return actions + notices.map { .emit(.notice($0)) }
    }

    /// Records every extension that was in force and is gone before it ran out, or whose file now belongs to
    /// someone else: journal, notification and history say whose it was and what happened.
    mutating func withdrawnExtensions(from previous: ExtensionSet, to current: ExtensionSet, now: Int64) -> [Action] {
        previous.all.filter { $0.untilMillis > now }.compactMap { grant in
            let replacement = current[grant.clusterId, grant.jobId]
            guard replacement?.grantedBy != grant.grantedBy else { return nil }
            let detail =
                replacement.map {
                    "the extension \(grant.grantedBy) asked for (\(grant.reason)) was replaced by \($0.grantedBy)'s"
                } ?? "the extension \(grant.grantedBy) asked for (\(grant.reason)) was removed before it ran out"
            let decision = Decision(
                clusterId: grant.clusterId, job: JobExecution(jobId: grant.jobId), kind: .ok, reason: detail,
                matches: [])
            return decided(DecisionRecord(action: .extensionWithdrawn, decision: decision, detail: detail), now: now)
        }
    }

    /// Records, once per extension file, that a decision took an extension or refused it: who asked and why
    /// go to the journal, the notifications and the history.
    mutating func noteExtensions(_ decisions: [Decision], now: Int64) -> [Action] {
        var actions: [Action] = []
        for decision in decisions {
            guard let applied = decision.extension else { continue }
            let key = JobKey(decision)
            guard extensionNotes.applied(applied, to: key, warned: state.wasWarned(key)) else { continue }
            actions.append(
                decided(
                    DecisionRecord(
                        action: applied.moved ? .extended : .extensionRefused, decision: decision,
                        detail: applied.text), now: now))
        }
        return actions
    }
}
