/// Injected misbehaviour: latency and a share of requests answered with errors, resets or hangs.
/// Rates are fractions of requests (0…1); `paths` limits the plan to paths containing one of the strings.
public struct FaultPlan: Codable, Sendable, Hashable {
    public var latencyMs = 0
    public var rate429 = 0.0
    public var rate500 = 0.0
    public var rate502 = 0.0
    public var rateReset = 0.0
    public var rateHang = 0.0
    /// A 503 with an HTML page, as a load balancer in front of the gateway answers.
    public var rateHTML = 0.0
    /// A success status whose JSON body is cut off half-way.
    public var rateTruncated = 0.0
    /// The job list ignores the page number and always answers a full page, like a broken server.
    public var endlessPages = false
    /// Answer every request with 401 `APIG.0301` (as if the key were wrong or locked).
    public var authFailure = false
    /// IAM actions the identity is not granted (`mrs:job:stop`, `mrs:job:list`, …): a call that needs one is
    /// answered 403 with IAM's "not authorized to perform action" message, wherever `paths` points.
    public var deniedActions: [String]?
    public var paths: [String]?

    enum CodingKeys: String, CodingKey {
        case latencyMs = "latency_ms"
        case rate429 = "rate_429"
        case rate500 = "rate_500"
        case rate502 = "rate_502"
        case rateReset = "rate_reset"
        case rateHang = "rate_hang"
        case rateHTML = "rate_html"
        case rateTruncated = "rate_truncated"
        case endlessPages = "endless_pages"
        case authFailure = "auth_failure"
        case deniedActions = "denied_actions"
        case paths
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        latencyMs = try container.decodeIfPresent(Int.self, forKey: .latencyMs) ?? 0
        rate429 = try container.decodeIfPresent(Double.self, forKey: .rate429) ?? 0
        rate500 = try container.decodeIfPresent(Double.self, forKey: .rate500) ?? 0
        rate502 = try container.decodeIfPresent(Double.self, forKey: .rate502) ?? 0
        rateReset = try container.decodeIfPresent(Double.self, forKey: .rateReset) ?? 0
        rateHang = try container.decodeIfPresent(Double.self, forKey: .rateHang) ?? 0
        rateHTML = try container.decodeIfPresent(Double.self, forKey: .rateHTML) ?? 0
        rateTruncated = try container.decodeIfPresent(Double.self, forKey: .rateTruncated) ?? 0
        endlessPages = try container.decodeIfPresent(Bool.self, forKey: .endlessPages) ?? false
        authFailure = try container.decodeIfPresent(Bool.self, forKey: .authFailure) ?? false
        deniedActions = try container.decodeIfPresent([String].self, forKey: .deniedActions)
        paths = try container.decodeIfPresent([String].self, forKey: .paths)
    }

    public enum Fault: Sendable, Equatable {
        case tooManyRequests, internalError, badGateway, reset, hang, unauthorized, htmlError, truncated
    }

    func applies(to path: String) -> Bool {
        guard let paths else { return true }
        return paths.contains { path.contains($0) }
    }

    /// Picks the fault for one request from a uniform draw in [0, 1).
    func fault(for path: String, draw: Double) -> Fault? {
        guard applies(to: path) else { return nil }
        if authFailure { return .unauthorized }
        var edge = 0.0
        for (rate, fault) in [
            (rate429, Fault.tooManyRequests), (rate500, .internalError), (rate502, .badGateway),
            (rateReset, .reset), (rateHang, .hang), (rateHTML, .htmlError), (rateTruncated, .truncated),
        ] {
            edge += rate
            if draw < edge { return fault }
        }
        return nil
    }
}

/// The MRS API gateway's per-tenant throttles (MRS API reference, "Selecting an API type", flow control):
/// requests per window for each API, counted per access key; beyond them the gateway answers 429
/// `APIGW.0308`. The defaults are the documented ones; nil lifts a limit.
public struct RateLimits: Codable, Sendable, Hashable {
    public var kill: Int? = 60
    public var listJobs: Int? = 1000
    public var showJob: Int? = 1000
    public var windowSeconds: Double = 60

    enum CodingKeys: String, CodingKey {
        case kill
        case listJobs = "list_jobs"
        case showJob = "show_job"
        case windowSeconds = "window_seconds"
    }

    public init(kill: Int? = 60, listJobs: Int? = 1000, showJob: Int? = 1000, windowSeconds: Double = 60) {
        self.kill = kill
        self.listJobs = listJobs
        self.showJob = showJob
        self.windowSeconds = windowSeconds
    }

    /// No throttles (benchmarks).
    public static let off = RateLimits(kill: nil, listJobs: nil, showJob: nil)

    /// A key left out keeps its documented default; `null` lifts that limit.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func limit(_ key: CodingKeys, _ fallback: Int) throws -> Int? {
            guard container.contains(key) else { return fallback }
            return try container.decodeNil(forKey: key) ? nil : container.decode(Int.self, forKey: key)
        }
        kill = try limit(.kill, 60)
        listJobs = try limit(.listJobs, 1000)
        showJob = try limit(.showJob, 1000)
        windowSeconds = try container.decodeIfPresent(Double.self, forKey: .windowSeconds) ?? 60
    }

    /// A lifted limit is written as `null`, so that reading it back lifts it again.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        for (key, value) in [(CodingKeys.kill, kill), (.listJobs, listJobs), (.showJob, showJob)] {
            if let value { try container.encode(value, forKey: key) } else { try container.encodeNil(forKey: key) }
        }
        try container.encode(windowSeconds, forKey: .windowSeconds)
    }
}
