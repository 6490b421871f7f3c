/// What the daemon keeps of one cluster's listing, built page by page as it arrives: counts, the decisions
/// that call for action, the deadlines that fall before the next poll, and a few upcoming ones to show.
/// Everything else is dropped with the page, so memory does not grow with the number of jobs — except the
/// decisions of jobs a `max_active` rule counts, which are kept until the listing is complete.
public struct ClusterDigest: Sendable {
    let cluster: Cluster
    let evaluator: Evaluator
    /// MRS server time now, epoch ms: each page is judged when it arrives.
    let now: @Sendable () -> Int64
    /// Deadlines after this (server ms) are left to the next poll.
    let horizon: Int64

    var active = 0
    /// Where unreadable job entries were (`page 2 entry 17`), the first few of them, and how many in all.
    var malformedAt: [String] = []
    var malformed = 0
    /// Why the listing stopped before MRS said it was complete, if it did.
    var endedEarly: String?
    var kinds: [Decision.Kind: Int] = [:]
    /// kill, warn, would-kill and skipped-unknown decisions.
    var notable: [Decision] = []
    /// Job id → the next instant its decision can change, for the deadlines before `horizon`.
    var deadlines: [String: Int64] = [:]
    /// The named jobs under their limits with the soonest deadlines, at most `upcomingLimit`.
    var upcoming: [Decision] = []
    static let upcomingLimit = 20
    /// The latest deadline in `upcoming`.
    private var latestUpcoming: Int64?
    /// Decisions that took or refused an extension (one per extension file at most).
    var extended: [Decision] = []
    /// Jobs whose own runtime limit could not be read (the rule's applies), with why; the first 20.
    var unreadableDeclarations: [(job: String, note: String)] = []

    /// The `max_active` caps, counted over the whole listing.
    var caps: ConcurrencyCounter

    public init(cluster: Cluster, evaluator: Evaluator, now: @escaping @Sendable () -> Int64, horizon: Int64) {
        self.cluster = cluster
        self.evaluator = evaluator
        self.now = now
        self.horizon = horizon
        self.caps = ConcurrencyCounter(rules: evaluator.rules, dryRun: evaluator.dryRun)
    }

    public mutating func add(_ page: JobPage) {
        malformed += page.malformed.count
        malformedAt += page.malformed.prefix(max(0, 5 - malformedAt.count)).map { "page \(page.number) entry \($0)" }
        endedEarly = endedEarly ?? page.endedEarly
        let now = self.now()
        for job in page.jobs {
            let decision = evaluator.decide(clusterId: cluster.clusterId, clusterTags: cluster.tags, job: job, now: now)
            active += 1
            kinds[decision.kind, default: 0] += 1
            if !caps.isEmpty { caps.add(decision, now: now) }
            if let next = decision.nextChangeAt, next <= horizon { deadlines[job.jobId] = next }
            if unreadableDeclarations.count < 20,
                let declared = decision.matches.lazy.compactMap(\.declared).first(where: \.isMalformed)
            {
                unreadableDeclarations.append((job.jobId, declared.text))
            }
            if decision.extension != nil { extended.append(decision) }
            switch decision.kind {
            case .kill, .warn, .wouldKill, .skippedUnknown:
                notable.append(decision)
            case .ok where decision.deadline != nil:
                keepIfUpcoming(decision)
            default:
                break
            }
        }
    }

    /// Once the listing is complete: the jobs over a `max_active` cap take their cap decision; jobs with a
    /// kill record (`beingKilled`) neither count nor are chosen.
    mutating func settleCaps(beingKilled: (String) -> Bool) {
        guard !caps.isEmpty else { return }
        for (previous, decision) in caps.overCap(now: now(), beingKilled: beingKilled) {
            let id = decision.job.jobId
            notable.removeAll { $0.job.jobId == id }
            upcoming.removeAll { $0.job.jobId == id }
            latestUpcoming = upcoming.lazy.compactMap(\.deadline).max()
            kinds[previous, default: 0] -= 1
            kinds[decision.kind, default: 0] += 1
            notable.append(decision)
        }
    }

    /// Keeps `decision` if its deadline is among the `upcomingLimit` soonest so far: at most that many are
    /// held (for 200 clusters until the poll ends), and a later one is dropped after one comparison.
    private mutating func keepIfUpcoming(_ decision: Decision) {
        guard let deadline = decision.deadline else { return }
        if upcoming.count < Self.upcomingLimit {
            upcoming.append(decision)
            latestUpcoming = max(latestUpcoming ?? deadline, deadline)
            return
        }
        guard deadline < latestUpcoming ?? .max,
            let latest = upcoming.firstIndex(where: { $0.deadline == latestUpcoming })
        else { return }
        upcoming[latest] = decision
        latestUpcoming = upcoming.lazy.compactMap(\.deadline).max()
    }

    /// The upcoming deadlines, soonest first, at most `upcomingLimit`.
    mutating func trimUpcoming() {
        upcoming.sort { ($0.deadline ?? .max) < ($1.deadline ?? .max) }
        upcoming.removeLast(max(0, upcoming.count - Self.upcomingLimit))
    }
}
