extension WatchdogStateMachine {
    // Kill records and their verification: a kill is sent once its intent is saved, MRS's answer is
    // recorded (saved once the turn's requests are answered), and the job is read again until it is terminal
    // (confirmed, or gone when it ended by itself), re-killed when a read sent `verifyTimeout` or more after
    // the last kill finds it still active, unkillable after `maxKillAttempts`. A record changes only through
    // `KillRecord`'s transitions.

    /// Marks `record` as sent; `sendKills` then saves its intent before the request leaves.
    mutating func markSent(_ record: KillRecord, decision: Decision, now: Int64) -> JobKey {
        var record = record
        record.sent(at: now)
        killing[record.key] = decision
        state.record(record)
        return record.key
    }

    /// The kill requests for `keys` after one commit of their intents (with whatever else changed before
    /// them), so a restart never sends a kill twice unknowingly; then one commit of MRS's answers (the shell
    /// performs each request's answer before the next request). A turn's first kills cost two `fdatasync`s,
    /// not two per kill; a re-kill after a verification read is sent this way on its own.
    mutating func sendKills(_ keys: [JobKey]) -> [Action] {
        keys.isEmpty ? [] : [.persist] + keys.map(Action.sendKill) + [.persist]
    }

    /// MRS answered a kill request: `failure` nil means accepted (2xx), not that the job has ended.
    public mutating func killAnswered(_ key: JobKey, failure: HuaweiCloudError?, now: Int64) -> [Action] {
        latest = now
        guard let decision = killing.removeValue(forKey: key), var record = state.kill(key) else { return [] }
        budgets.killAnswered(at: now)  // counted from the answer: the gateway has surely counted it by then
        let retry = record.attempts > 0
        guard let failure else {
            record.answeredAccepted()
            if !retry { sinceStart.killed += 1 }
            state.record(record)
            return [
                decided(
                    DecisionRecord(
                        action: retry ? .killRetried : .kill, decision: decision,
                        detail: retry ? "attempt \(record.attempts)" : nil), now: now)
            ]
        }
        record.answeredRefused(failure, at: now)
        state.record(record)
        if failure.errorCode == "0175" || failure.isNotFound {
            // Refused because the job is no longer active: read it to tell "gone" from a real refusal.
            killing[key] = decision
            return readJob(key, .refusedKill(failure), now: now)
        }
        return killFailed(&record, failure: failure, decision: decision, now: now)
    }

    /// A verification read: terminal settles the record; still active on a read sent `verifyTimeout` or more
    /// after the last kill sends the kill again, if the rules as they are now still say kill.
    mutating func verified(_ key: JobKey, _ job: JobExecution, now: Int64) -> [Action] {
        guard var record = state.kill(key) else { return [] }
        var decision = Self.verificationDecision(record)
        decision.job = job
        guard job.state != nil else {
            // Neither ended nor known to run: never kill again on a state that cannot be read.
            record.lastError =
                "job_state '\(job.jobStateText ?? "missing")' is unknown; not killed again until it is read"
            state.record(record)
            return []
        }
        if job.isTerminal {
            return settle(
                &record, record.accepted ? .confirmed : .gone, decision: decision, detail: Self.finalState(job),
                now: now)
        }
        guard record.resendsIfActive(verifyTimeoutMillis: timing.verifyTimeout.wholeMilliseconds) else { return [] }
        if record.attempts >= timing.maxKillAttempts {
            return settle(
                &record, .unkillable, decision: decision,
                detail: "still \(job.jobStateText ?? "active") after \(record.attempts) kill requests", now: now)
        }
        // A kill is sent again only if the rules, as they are now, still say kill: a reload, an exemption, a
        // dry run or a fact that became unknown withdraws it (and a resumed intent is decided afresh).
        let fresh = evaluator.decide(
            clusterId: key.clusterId, clusterTags: clusterTags[key.clusterId] ?? nil, job: job, now: now)
        guard fresh.kind == .kill else {
            state.removeKill(key)
            return [.persist, .emit(.notice(.killWithdrawn(key, reason: fresh.reason)))]
        }
        // Over the per-minute kill budget the re-kill waits for a later verification read.
        guard budgets.killRoom(now: now, inFlight: killing.count, safety: config.safety) > 0 else {
            state.record(record)
            return []
        }
        return sendKills([markSent(record, decision: fresh, now: now)])
    }

    /// A verification read failed: a job that no longer exists settles the record; otherwise it is read again.
    mutating func verificationFailed(_ key: JobKey, _ failure: HuaweiCloudError, now: Int64) -> [Action] {
        guard var record = state.kill(key) else { return [] }
        if failure.isNotFound {
            return settle(
                &record, record.accepted ? .confirmed : .gone, decision: Self.verificationDecision(record),
                detail: "job no longer exists", now: now)
        }
        record.lastError = failure.description
        state.record(record)
        return []
    }

    mutating func refusedKillResolved(
        _ key: JobKey, failure: HuaweiCloudError, job: JobExecution?, now: Int64
    ) -> [Action] {
        guard let decision = killing.removeValue(forKey: key), var record = state.kill(key) else { return [] }
        if job?.isTerminal ?? failure.isNotFound {
            return settle(
                &record, .gone, decision: decision, detail: job.map(Self.finalState) ?? "job no longer exists", now: now
            )
        }
        return killFailed(&record, failure: failure, decision: decision, now: now)
    }

    mutating func killFailed(
        _ record: inout KillRecord, failure: HuaweiCloudError, decision: Decision, now: Int64
    ) -> [Action] {
        var actions: [Action] = [
            decided(DecisionRecord(action: .killFailed, decision: decision, detail: failure.description), now: now)
        ]
        switch failure.retryAdvice {
        case .retry: break  // sent again after the next read of the job
        case .authBackoff: actions += blockForAuth(failure, now: now)
        case .never:
            actions += settle(&record, .unkillable, decision: decision, detail: "kill refused: \(failure)", now: now)
        }
        return actions
    }

    mutating func settle(
        _ record: inout KillRecord, _ outcome: KillRecord.Status, decision: Decision, detail: String, now: Int64
    ) -> [Action] {
        record.settled(outcome, at: now)
        if outcome == .confirmed { sinceStart.confirmed += 1 }
        if outcome == .unkillable { sinceStart.unkillable += 1 }
        let action: DecisionRecord.Action =
            outcome == .confirmed ? .killConfirmed : outcome == .gone ? .gone : .unkillable
        state.record(record)
        var actions = [decided(DecisionRecord(action: action, decision: decision, detail: detail), now: now)]
        if outcome == .unkillable {
            actions.append(.emit(.notice(.unkillable(record.key, attempts: record.attempts))))
        }
        return actions
    }

    /// When the next verification read of `record` is due: `verifyInterval` after the last, and not before a
    /// throttled kill's `Retry-After`.
    func verificationDue(_ record: KillRecord) -> Int64 {
        max(record.lastCheckedAt + timing.verifyInterval.wholeMilliseconds, record.notBefore ?? 0)
    }

    /// The decision a verification record is about, as far as the record tells (the job is read next).
    static func verificationDecision(_ record: KillRecord) -> Decision {
        Decision(
            clusterId: record.clusterId, job: JobExecution(jobId: record.jobId, jobName: record.jobName), kind: .kill,
            rule: record.rule, reason: "verifying the kill", matches: [])
    }

    static func finalState(_ job: JobExecution) -> String {
        "ended \(job.jobStateText ?? "?")" + (job.jobResult.map { " / \($0)" } ?? "")
    }
}
