extension WatchdogStateMachine {
    /// `require_notice`: a kill waits until a warning was delivered at least `warn_before` earlier, and no
    /// longer than the rule's `notice_max_hold` while none can be. Per job, for this run only (after a restart
    /// a held kill waits for a new warning): the last warning sent, the first delivered, the kills held and
    /// since when; and the notification channels whose deliveries fail, for the status line.
    struct NoticeGate: Sendable {
        enum Verdict: Sendable, Hashable {
            /// The kill goes.
            case go
            /// The kill goes without a warning: none was delivered within `notice_max_hold` (ms).
            case goUnannounced(maxHoldMillis: Int64)
            /// The kill waits: decided again at `wakeAt` (server ms); `warnNow` when a warning is to be sent now
            /// (none known delivered and none sent within the retry interval); `detail` says what it waits for.
            case hold(warnNow: Bool, wakeAt: Int64, detail: String)
        }

        private var sent: [JobKey: Int64] = [:]
        private var delivered: [JobKey: Int64] = [:]
        /// Held kills, with how long (ms) after a delivered warning they may go.
        private var awaiting: [JobKey: Int64] = [:]
        private var heldSince: [JobKey: Int64] = [:]
        /// Channels whose last deliveries failed, and how many in a row.
        private(set) var failingChannels: [String: Int] = [:]

        /// Whether the kill of `key` may go now. While no delivery is known, a warning is asked for now and
        /// again every `retryMillis`, whether the last one failed, was dropped from a full queue or is still
        /// on its way (the dispatcher gives up well within the retry).
        mutating func check(
            _ key: JobKey, waitMillis wait: Int64, maxHoldMillis maxHold: Int64, retryMillis retry: Int64, now: Int64
        ) -> Verdict {
            if let delivered = delivered[key], now >= delivered + wait {
                release(key)
                return .go
            }
            let since = heldSince[key] ?? now
            if delivered[key] == nil, now >= since + maxHold {
                release(key)
                return .goUnannounced(maxHoldMillis: maxHold)
            }
            heldSince[key] = since
            awaiting[key] = wait
            if let delivered = delivered[key] {
                return .hold(
                    warnNow: false, wakeAt: delivered + wait,
                    detail:
                        "warning delivered at \(RFC3339.format(epochMillis: delivered)); killed from \(RFC3339.format(epochMillis: delivered + wait)) (require_notice)"
                )
            }
            let warnNow = sent[key].map { now - $0 >= retry } ?? true
            return .hold(
                warnNow: warnNow, wakeAt: min((warnNow ? now : sent[key]!) + retry, since + maxHold),
                detail:
                    "no warning delivered yet; killed \(DurationText.format(millis: wait)) after one is, or at \(RFC3339.format(epochMillis: since + maxHold)) without one (require_notice)"
            )
        }

        /// A warning about `key` went to the dispatcher.
        mutating func warningSent(_ key: JobKey, at now: Int64) { sent[key] = now }

        /// A delivery finished. Returns the held job whose kill may now go at the returned server time (ms): a
        /// delivered warning starts the wait; the earliest delivery counts.
        mutating func deliveryFinished(_ delivery: NotificationDelivery, now: Int64) -> (JobKey, Int64)? {
            if delivery.failure == nil {
                failingChannels[delivery.channel] = nil
            } else {
                failingChannels[delivery.channel, default: 0] += 1
            }
            guard delivery.event == .warn, delivery.failure == nil, let key = delivery.job else { return nil }
            let first = delivered[key] ?? now
            delivered[key] = first
            return awaiting[key].map { (key, first + $0) }
        }

        /// Forgets every job `isWarned` no longer marks: what the gate remembers lasts as long as the warned
        /// marks of the state.
        mutating func keep(whileWarned isWarned: (JobKey) -> Bool) {
            for key in Set(sent.keys).union(delivered.keys) where !isWarned(key) {
                sent[key] = nil
                delivered[key] = nil
                release(key)
            }
        }

        /// A reload: the channels are built afresh, and held kills of clusters no longer watched are dropped.
        mutating func reloaded(watching: (String) -> Bool) {
            failingChannels = [:]
            for key in awaiting.keys where !watching(key.clusterId) { release(key) }
        }

        /// `notifications failing: webhook (3), smn (1)`; nil when none fails.
        var failingSummary: String? {
            failingChannels.isEmpty
                ? nil
                : "notifications failing: "
                    + failingChannels.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(
                        separator: ", ")
        }

        private mutating func release(_ key: JobKey) {
            awaiting[key] = nil
            heldSince[key] = nil
        }
    }

    /// The dispatcher finished sending one notification to one channel. A delivered warning starts the
    /// `warn_before` a `require_notice` kill waits for (a failed or lost one is sent again by `holdForNotice`).
    public mutating func notificationDelivered(_ delivery: NotificationDelivery, now: Int64) -> [Action] {
        latest = now
        if let (key, goesAt) = noticeGate.deliveryFinished(delivery, now: now) { setDeadline(key, goesAt) }
        return []
    }

    /// Under `require_notice`: nil when the kill may go (`decision` then says if it goes without a warning);
    /// otherwise the kill waits, a warning is sent when one is due, and the wait is reported once.
    mutating func holdForNotice(_ decision: inout Decision, now: Int64) -> [Action]? {
        guard let wait = decision.noticeMillis else { return nil }
        let key = JobKey(decision)
        let maxHold =
            decision.rule.flatMap { config.rule(named: $0)?.noticeMaxHoldMillis } ?? Rule.defaultNoticeMaxHoldMillis
        let verdict = noticeGate.check(
            key, waitMillis: wait, maxHoldMillis: maxHold, retryMillis: timing.noticeRetry.wholeMilliseconds, now: now)
        switch verdict {
        case .go:
            return nil
        case .goUnannounced(let maxHold):
            // No receiver took the warning in all that time: the kill goes, and says why it went unannounced.
            decision.noticeMillis = nil
            decision.why = .text(
                decision.why.text
                    + "; no warning could be delivered within notice_max_hold \(DurationText.format(millis: maxHold)): killed without one (require_notice)"
            )
            return nil
        case .hold(let warnNow, let wakeAt, let detail):
            var actions: [Action] = []
            if warnNow {
                var warning = decision
                warning.kind = .warn
                state.markWarned(key, at: now)
                sinceStart.warned += 1
                actions.append(
                    decided(DecisionRecord(action: .warn, decision: warning, detail: extendHint(decision)), now: now))
            }
            setDeadline(key, wakeAt)
            return actions + reportOnce(.awaitingNotice, decision, detail: detail, now: now)
        }
    }
}
