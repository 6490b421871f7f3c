import MRSWatchdog

/// Everything the emulator knows: clusters, jobs, the kill log, faults and accepted credentials.
/// One actor, so concurrent requests see consistent state.
public actor EmulatorState {
    /// One entry per kill request that reached the kill handler (accepted or refused).
    public struct KillRecord: Codable, Sendable, Hashable {
        public var clusterId: String
        public var jobId: String
        /// Emulator time (epoch ms) when the request arrived.
        public var receivedAt: Int64
        /// HTTP status answered.
        public var status: Int
        public var errorCode: String?

        enum CodingKeys: String, CodingKey {
            case clusterId = "cluster_id"
            case jobId = "job_id"
            case receivedAt = "received_at"
            case status
            case errorCode = "error_code"
        }
    }

    /// One body POSTed to the webhook receiver: `/_emulator/webhook` (receiver "") or `/_emulator/webhook/NAME`.
    public struct WebhookDelivery: Codable, Sendable, Hashable {
        public var receiver: String
        public var body: String
        /// Emulator time (epoch ms) when it arrived, as `KillRecord.receivedAt`.
        public var receivedAt: Int64
    }

    /// One message published to an SMN topic (signature verified like every API call).
    public struct PublishedMessage: Codable, Sendable, Hashable {
        public var topicURN: String
        public var subject: String?
        public var message: String

        enum CodingKeys: String, CodingKey {
            case topicURN = "topic_urn"
            case subject, message
        }
    }

    private(set) var clusters: [String: Cluster] = [:]
    /// Fields each cluster's list entry leaves out (a scenario's `omit`).
    private var clusterOmits: [String: Set<String>] = [:]
    private(set) var clusterOrder: [String] = []
    private(set) var jobs: [String: [EmulatedJob]] = [:]
    /// The scenario's YARN applications outside MRS job management, with their start (epoch ms), and the
    /// ResourceManagers' roles.
    var yarnApps: [(spec: Scenario.YarnSpec.AppSpec, startedAt: Int64, id: String)] = []
    var yarnStandby = "rm2"
    var malformedYarnApps = 0
    private var jobIndex: [String: (cluster: String, index: Int)] = [:]
    private(set) var killLog: [KillRecord] = []
    public var faults = FaultPlan()
    public var killBehaviour = KillBehaviour()
    /// The gateway's throttles, and the requests each access key sent to each API within the window.
    public var rateLimits = RateLimits()
    private var rateLog: [String: [Int64]] = [:]
    /// Requests answered 429 by the throttles, per API.
    public private(set) var throttled: [String: Int] = [:]
    /// How the metadata service treats the token step (`PUT /meta-data/latest/api/token`).
    public var metadataTokens = MetadataTokens.optional
    /// Tokens handed out by the token step.
    private var issuedTokens: Set<String> = []
    /// Milliseconds added to the host clock: the emulator's idea of "now" (its `Date` header) may differ.
    public var clockOffsetMillis: Int64
    /// `skewDates`: the offset of the next answers' `Date`, and how many are left.
    private var dateSkew: (offsetMillis: Int64, responses: Int) = (0, 0)
    private var random: SplitMix64
    private var nextJobNumber = 1
    /// Access key → secret key (and token, for temporary credentials) that signatures are checked against.
    private(set) var accessKeys: [String: Credentials] = [:]
    public private(set) var requestCount = 0
    /// The projects the access keys belong to; empty: any project id is accepted.
    public private(set) var projectIds: Set<String> = []
    /// SMN publishes and webhook bodies received, oldest first.
    public private(set) var published: [PublishedMessage] = []
    public private(set) var webhookDeliveries: [WebhookDelivery] = []
    public var webhookBodies: [String] { webhookDeliveries.map(\.body) }

    /// When this emulator started, epoch ms: the ResourceManager start in the YARN ids it hands out.
    let startedAt: Int64

    public init(clockOffsetMillis: Int64 = 0, seed: UInt64 = 42) {
        self.clockOffsetMillis = clockOffsetMillis
        self.random = SplitMix64(seed: seed)
        self.startedAt = HostClock.nowMillis() + clockOffsetMillis
    }

    /// Emulator time in epoch milliseconds.
    public func now() -> Int64 { HostClock.nowMillis() + clockOffsetMillis }

    public func setFaults(_ plan: FaultPlan) { faults = plan }
    public func setMetadataTokens(_ mode: MetadataTokens) { metadataTokens = mode }
    public func setRateLimits(_ limits: RateLimits) { rateLimits = limits }

    /// Counts one request of `accessKey` to `api` (`kill`, `list_jobs`, `show_job`); the seconds to wait when
    /// it is over the limit (it is then not counted, and answered 429), nil when it may go on.
    func throttle(api: String, accessKey: String, limit: Int?) -> Int? {
        guard let limit else { return nil }
        let now = now()
        guard limit > 0 else {
            throttled[api, default: 0] += 1
            return Int(rateLimits.windowSeconds.rounded(.up))
        }
        let window = Int64(rateLimits.windowSeconds * 1000)
        let key = api + " " + accessKey
        var times = rateLog[key, default: []].filter { $0 > now - window }
        defer { rateLog[key] = times }
        guard times.count < limit else {
            throttled[api, default: 0] += 1
            return Int(((times[times.count - limit] + window - now) + 999) / 1000)
        }
        times.append(now)
        return nil
    }

    func issueMetadataToken() -> String {
        let token = "mdtoken-" + String(UInt64(draw() * 1e15), radix: 16)
        issuedTokens.insert(token)
        return token
    }

    func isMetadataToken(_ token: String?) -> Bool { token.map(issuedTokens.contains) ?? false }
    public func setKillBehaviour(_ behaviour: KillBehaviour) { killBehaviour = behaviour }
    /// The `Date` header of the next `responses` answers is `offsetMillis` away from the emulator's clock (a
    /// proxy, a cache or a gateway node with a wrong clock); its own clock, and job times, do not move.
    public func skewDates(offsetMillis: Int64, responses: Int) { dateSkew = (offsetMillis, responses) }

    /// The `Date` of the next answer, epoch ms.
    func dateHeaderMillis() -> Int64 {
        guard dateSkew.responses > 0 else { return now() }
        dateSkew.responses -= 1
        return now() + dateSkew.offsetMillis
    }
    public func setProjectIds(_ ids: Set<String>) { projectIds = ids }

    public func addCredentials(_ credentials: Credentials) {
        accessKeys[credentials.accessKey] = credentials
    }

    // MARK: Loading

    /// Adds a scenario's clusters and jobs; offsets are taken relative to the current emulator time.
    /// - Throws: `EmulatorError` when a job names an unknown cluster or an unknown time unit.
    public func load(_ scenario: Scenario) throws {
        for spec in scenario.clusters {
            addCluster(
                Cluster(
                    clusterId: spec.id, clusterName: spec.name ?? spec.id, clusterState: spec.state ?? "running",
                    tags: spec.tags ?? [:]),
                omit: Set(spec.omit ?? []))
        }
        for spec in scenario.jobs {
            _ = try addJob(spec)
        }
        if let yarn = scenario.yarn { try loadYarn(yarn) }
    }

    /// - Parameter omit: wire fields its list entry leaves out (`clusterId` makes an unreadable entry).
    public func addCluster(_ cluster: Cluster, omit: Set<String> = []) {
        if clusters[cluster.clusterId] == nil { clusterOrder.append(cluster.clusterId) }
        clusters[cluster.clusterId] = cluster
        clusterOmits[cluster.clusterId] = omit
    }

    /// Adds one job and returns its id.
    @discardableResult
    /// - Throws: `EmulatorError` when the job names an unknown cluster or an unknown time unit.
    public func addJob(_ spec: Scenario.JobSpec) throws -> String {
        guard clusters[spec.cluster] != nil else { throw EmulatorError.unknownCluster(spec.cluster) }
        let now = now()
        let submitted = now + (try spec.startOffset.map(Self.signedMillis) ?? 0)
        let starts = submitted + (try spec.queued.map(Self.signedMillis) ?? 2000)
        let ends = try spec.duration.map { starts + (try Self.signedMillis($0)) }
        let id = spec.id ?? Self.makeJobId(nextJobNumber)
        nextJobNumber += 1
        if let unit = spec.timeUnit, unit != "s", unit != "ms" { throw EmulatorError.badTimeUnit(unit) }
        // YARN numbers applications per ResourceManager start: the launcher first, then the job's own app.
        let sequence = jobs[spec.cluster, default: []].count * 2 + 1
        let application = { (number: Int) in self.applicationId(cluster: spec.cluster, number) }
        let job = EmulatedJob(
            clusterId: spec.cluster, jobId: id, name: spec.name, user: spec.user, queue: spec.queue, type: spec.type,
            submittedAt: submitted, startsAt: starts, endsAt: ends, killedAt: nil, omit: Set(spec.omit ?? []),
            timesInSeconds: spec.timeUnit == "s",
            arguments: spec.arguments
                ?? "[--class, org.example.Main, --master, yarn-cluster, obs://bucket/\(spec.name).jar]",
            properties: spec.properties ?? "{}", launcherId: application(sequence), appId: application(sequence + 1))
        jobIndex[id] = (spec.cluster, jobs[spec.cluster, default: []].count)
        jobs[spec.cluster, default: []].append(job)
        return id
    }

    /// `"-90m"` → -5_400_000; the sign is allowed here (scenario offsets), unlike in rule durations.
    static func signedMillis(_ text: String) throws -> Int64 {
        let trimmed = text.trimmingSpaces()
        if trimmed == "0" || trimmed == "0s" { return 0 }
        if trimmed.hasPrefix("-") {
            return -(try DurationText.parseMillis(String(trimmed.dropFirst())))
        }
        return try DurationText.parseMillis(trimmed.hasPrefix("+") ? String(trimmed.dropFirst()) : trimmed)
    }

    /// A UUID-shaped id derived from a counter, so ids are stable across runs of the same scenario.
    static func makeJobId(_ number: Int) -> String {
        let hex = String(number, radix: 16)
        let padded = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        return "e0b1d2c3-0000-4000-8000-\(padded)"
    }

    // MARK: Queries the HTTP layer makes

    /// The clusters as their list entries go on the wire.
    func clusterList() -> [ClusterWire] {
        clusterOrder.compactMap { id in clusters[id].map { ClusterWire($0, omit: clusterOmits[id] ?? []) } }
    }

    func hasCluster(_ id: String) -> Bool { clusters[id] != nil }

    /// The cluster's jobs as the API would show them now, newest submission first (the API's `desc`).
    /// A job whose submission lies in the future does not exist yet: it is neither listed nor shown.
    func executions(cluster: String) -> [JobExecutionWire] {
        let now = now()
        return (jobs[cluster] ?? []).reversed().filter { $0.submittedAt <= now }
            .map { $0.wire(at: now, killedShape: killBehaviour.endShape) }
    }

    func execution(cluster: String, jobId: String) -> JobExecutionWire? {
        guard let location = jobIndex[jobId], location.cluster == cluster else { return nil }
        let job = jobs[cluster]![location.index]
        guard job.submittedAt <= now() else { return nil }
        return job.wire(at: now(), killedShape: killBehaviour.endShape)
    }

    enum KillOutcome: Equatable {
        case accepted
        case unknownCluster, unknownJob, notActive
    }

    /// Applies a kill request: 202 for an active job (it ends after the configured delay, unless kills are
    /// ignored), `0175` for a job that has already ended, `0176` / `12000003` for unknown ids.
    func kill(cluster: String, jobId: String) -> KillOutcome {
        let now = now()
        let outcome: KillOutcome
        if clusters[cluster] == nil {
            outcome = .unknownCluster
        } else if let location = jobIndex[jobId], location.cluster == cluster {
            let job = jobs[cluster]![location.index]
            if job.submittedAt > now {
                outcome = .unknownJob
            } else if job.execution(at: now, killedShape: killBehaviour.endShape).isTerminal {
                outcome = .notActive
            } else if let type = job.type,
                killBehaviour.refuseTypes.contains(where: { $0.lowercased() == type.lowercased() })
            {
                // As the console says of Spark SQL jobs: they cannot be stopped; the job runs on.
                outcome = .notActive
            } else {
                if !killBehaviour.ignore, job.killedAt == nil {
                    jobs[cluster]![location.index].killedAt = now + Int64(killBehaviour.delaySeconds * 1000)
                }
                outcome = .accepted
            }
        } else {
            outcome = .unknownJob
        }
        let (status, code): (Int, String?) =
            switch outcome {
            case .accepted: (202, nil)
            case .unknownCluster: (400, "12000003")
            case .unknownJob: (400, "0176")
            case .notActive: (400, "0175")
            }
        killLog.append(KillRecord(clusterId: cluster, jobId: jobId, receivedAt: now, status: status, errorCode: code))
        return outcome
    }

    public func kills() -> [KillRecord] { killLog }

    func recordPublish(_ message: PublishedMessage) { published.append(message) }

    func recordWebhook(_ body: String, receiver: String) {
        webhookDeliveries.append(WebhookDelivery(receiver: receiver, body: body, receivedAt: now()))
    }

    func countRequest() { requestCount += 1 }

    func draw() -> Double { random.nextUnit() }
}

/// The ECS metadata service's token step, as services differ: tokens required, offered, or not known at all.
public enum MetadataTokens: String, Sendable, Codable, CaseIterable {
    /// `securitykey` answers 401 without a valid `X-Metadata-Token`.
    case required
    /// The token endpoint works; `securitykey` also answers without a token.
    case optional
    /// The token endpoint answers 404, as services without the step do.
    case none
}

enum EmulatorError: Error, CustomStringConvertible {
    case unknownCluster(String)
    case badTimeUnit(String)
    case badStandby(String)
    var description: String {
        switch self {
        case .unknownCluster(let id): return "job refers to unknown cluster '\(id)'"
        case .badTimeUnit(let unit): return "time_unit '\(unit)' is not s or ms"
        case .badStandby(let name): return "yarn.standby '\(name)' is not rm1 or rm2"
        }
    }
}

extension EmulatorState {
    /// Issues temporary credentials (valid one hour) that the API then accepts with their token.
    func issueTemporaryCredentials() -> (credentials: Credentials, expiresAt: String) {
        let number = draw()
        let suffix = String(UInt64(number * 1e12), radix: 16)
        let credentials = Credentials(
            accessKey: "TMPAK\(suffix)", secretKey: "tmp-secret-\(suffix)", securityToken: "tmp-token-\(suffix)")
        addCredentials(credentials)
        let expires = now() + 3_600_000
        return (credentials, Self.metadataTimestamp(epochMillis: expires))
    }

    /// `%Y-%m-%dT%H:%M:%S.%fZ`, the metadata service's `expires_at` format.
    static func metadataTimestamp(epochMillis: Int64) -> String {
        String(RFC3339.format(epochMillis: epochMillis).dropLast()) + ".000000Z"
    }
}
