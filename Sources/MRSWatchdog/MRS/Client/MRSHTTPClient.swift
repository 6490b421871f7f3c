import AsyncHTTPClient
import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The MRS client over async-http-client: signs every request, caps every body, maps every failure to
/// `HuaweiCloudError`. It does not retry; retry policy belongs to the caller, which knows what the request means.
public struct MRSHTTPClient: MRSJobAPI {
    public struct Options: Sendable {
        /// Per-request deadline, connection included.
        public var requestTimeout: Duration = .seconds(30)
        /// Largest response body accepted.
        public var maxBodyBytes = 8 * 1024 * 1024
        /// Page size for the job list (`limit`); 100 is what Huawei's own tooling uses.
        public var jobPageSize = 100
        public var clusterPageSize = 100
        /// A listing that still answers full pages after this many is broken; stop with an error.
        public var maxPages = 2_000
        /// One cluster's job listing stops after this long (with `JobPage.endedEarly`), so a slow or broken
        /// cluster cannot hold a poll for long.
        public var maxListingDuration: Duration = .seconds(120)
        public var userAgent = "mrs-watchdog"
        public init() {}
    }

    /// Shared with the notification channels, which use the same connection pool and credentials.
    public let http: HTTPClient
    let endpoint: MRSEndpoint
    public let projectId: String
    public let credentials: any CredentialProvider
    let options: Options
    let logger: Logger
    /// Called with the server's `Date` (epoch ms) of every response; the daemon keeps time by it.
    let onServerDate: @Sendable (Int64) -> Void
    /// The host clock for `X-Sdk-Date` (the gateway accepts ±15 minutes).
    let wallClock: @Sendable () -> Int64

    public init(
        http: HTTPClient, endpoint: MRSEndpoint, projectId: String, credentials: any CredentialProvider,
        options: Options = Options(), logger: Logger, onServerDate: @escaping @Sendable (Int64) -> Void = { _ in },
        wallClock: @escaping @Sendable () -> Int64 = { HostClock.nowMillis() / 1000 }
    ) {
        self.http = http
        self.endpoint = endpoint
        self.projectId = projectId
        self.credentials = credentials
        self.options = options
        self.logger = logger
        self.onServerDate = onServerDate
        self.wallClock = wallClock
    }

    // MARK: The four calls

    /// MRS API reference: ListClusters (`GET /v1.1/{project_id}/cluster_infos`), paged by `pageSize`; a cluster
    /// listed twice is kept once, and paging stops at a page with no new cluster.
    /// - Throws: `HuaweiCloudError` (`tooManyPages` past `maxPages` full pages).
    public func listClusters(state: String? = "existing", tags: [String: String?] = [:]) async throws -> ClusterList {
        var listing = ClusterList(clusters: [])
        var query: [SignableRequest.QueryItem] = [.init("pageSize", String(options.clusterPageSize))]
        if let state { query.append(.init("clusterState", state)) }
        if !tags.isEmpty {
            // `k*v` for a value, bare `k` for "has the key"; AND across tags.
            let filter = tags.keys.sorted().map { key in tags[key]!.map { "\(key)*\($0)" } ?? key }
            query.append(.init("tags", filter.joined(separator: ",")))
        }
        var entries = 0
        var seen: Set<String> = []
        for page in 1...options.maxPages {
            let response: ClusterListWire = try await send(
                "GET", "/v1.1/\(projectId)/cluster_infos", query: query + [.init("currentPage", String(page))])
            // A cluster listed twice (a server that ignores the page number) is watched once.
            let fresh = response.clusters.map(\.cluster).filter { seen.insert($0.clusterId).inserted }
            listing.clusters.append(contentsOf: fresh)
            listing.malformed.append(contentsOf: response.malformed.map { entries + $0 })
            let count = response.clusters.count + response.malformed.count
            entries += count
            if count < options.clusterPageSize || fresh.isEmpty { return listing }
            if let total = response.clusterTotal, entries >= total { return listing }
        }
        throw HuaweiCloudError.tooManyPages(operation: "GET /v1.1/\(projectId)/cluster_infos")
    }

    /// Pages until MRS's listing is complete. It stops early — handing over what it has, with the reason in
    /// the last page's `endedEarly` — at a full page that holds no job not already listed (a server that
    /// repeats itself; jobs that merely shift between pages as new ones arrive are kept, each once) or after
    /// `maxListingDuration`.
    /// - Throws: `HuaweiCloudError` (`tooManyPages` past `maxPages` full pages).
    public func forEachJobExecutionPage(
        clusterId: String, state: JobState?, _ body: (JobPage) throws -> Void
    ) async throws {
        try await forEachJobExecutionPage(
            clusterId: clusterId, query: state.map { [.init("job_state", $0.rawValue)] } ?? [], body)
    }

    /// Every job of a cluster submitted at or after `since` (epoch ms, `submitted_time_begin`), in any state,
    /// as `forEachJobExecutionPage` pages it (the YARN audit's join: MRS's state lags YARN's both ways).
    /// - Throws: as `forEachJobExecutionPage`.
    public func listJobExecutions(clusterId: String, submittedSince since: Int64) async throws -> [JobPage] {
        var pages: [JobPage] = []
        try await forEachJobExecutionPage(
            clusterId: clusterId, query: [.init("submitted_time_begin", String(since))]
        ) { pages.append($0) }
        return pages
    }

    private func forEachJobExecutionPage(
        clusterId: String, query: [SignableRequest.QueryItem], _ body: (JobPage) throws -> Void
    ) async throws {
        let path = "/v2/\(projectId)/clusters/\(Self.segment(clusterId))/job-executions"
        let started = ContinuousClock.now
        var entries = 0
        /// Job id → the page it was first listed on.
        var listedOn: [String: Int] = [:]
        // `offset` is a 1-based page number, not a record offset.
        for number in 1...options.maxPages {
            let response = try await jobPage(path, query, limit: options.jobPageSize, number: number)
            var page = JobPage(jobs: [], malformed: response.malformed, number: number)
            var firstRepeat: Int?
            for job in response.jobs {
                if let earlier = listedOn[job.jobId] {
                    firstRepeat = firstRepeat ?? earlier
                } else {
                    listedOn[job.jobId] = number
                    page.jobs.append(job)
                }
            }
            let count = response.jobs.count + response.malformed.count
            entries += count
            let complete = count < options.jobPageSize || response.totalRecord.map { entries >= $0 } ?? false
            // A full page of jobs already listed is a server repeating itself, even when the total looks
            // reached; a short last page of them is jobs that shifted while new ones arrived.
            if page.jobs.isEmpty, count == options.jobPageSize, let firstRepeat {
                page.endedEarly = "page \(number) repeats page \(firstRepeat)"
            } else if !complete, ContinuousClock.now - started >= options.maxListingDuration {
                page.endedEarly =
                    "listing stopped at page \(number) after \(DurationText.format(millis: options.maxListingDuration.wholeMilliseconds))"
            }
            try body(page)
            if complete || page.endedEarly != nil { return }
        }
        throw HuaweiCloudError.tooManyPages(operation: "GET \(path)")
    }

    /// Page `number` (1-based) of `limit` jobs. A page whose body is over `maxBodyBytes` (a few jobs with
    /// huge arguments) is read again as smaller pages over the same records — `limit` 10, then 1 — so only an
    /// entry too large on its own is skipped, as a malformed entry the digest reports; the other jobs of the
    /// cluster are judged as usual.
    /// - Throws: `HuaweiCloudError` for any other failure.
    private func jobPage(
        _ path: String, _ query: [SignableRequest.QueryItem], limit: Int, number: Int
    ) async throws -> JobResponseReader.List {
        do {
            return try await send(
                "GET", path,
                query: query + [.init("limit", String(limit)), .init("offset", String(number))],
                decode: JobResponseReader.list)
        } catch let error as HuaweiCloudError where error == .bodyTooLarge {
            guard limit > 1 else { return JobResponseReader.List(totalRecord: nil, jobs: [], malformed: [0]) }
            let smaller = limit > 10 && limit % 10 == 0 ? 10 : 1
            let parts = limit / smaller
            var merged = JobResponseReader.List()
            for part in 0..<parts {
                let page = try await jobPage(path, query, limit: smaller, number: (number - 1) * parts + part + 1)
                let offset = part * smaller
                merged.jobs += page.jobs
                merged.malformed += page.malformed.map { offset + $0 }
                merged.totalRecord = page.totalRecord ?? merged.totalRecord
                if page.jobs.count + page.malformed.count < smaller { break }
            }
            logger.warning(
                "job list page \(number) of \(path) is over \(options.maxBodyBytes) bytes: read in pages of \(smaller)",
                metadata: ["entries.too_large": "\(merged.malformed.count)"])
            return merged
        }
    }

    /// MRS API reference: ShowSingleJobExe.
    /// - Throws: `HuaweiCloudError` (`0176` when the job does not exist).
    public func showJob(clusterId: String, jobId: String) async throws -> JobExecution {
        try await send(
            "GET", "/v2/\(projectId)/clusters/\(Self.segment(clusterId))/job-executions/\(Self.segment(jobId))",
            decode: JobResponseReader.detail)
    }

    /// MRS API reference: StopJob (`POST …/job-executions/{id}/kill`); returning means accepted (2xx).
    /// - Throws: `HuaweiCloudError` (`0175` when the job is no longer active).
    public func killJob(clusterId: String, jobId: String) async throws {
        _ = try await exchange(
            "POST",
            "/v2/\(projectId)/clusters/\(Self.segment(clusterId))/job-executions/\(Self.segment(jobId))/kill",
            query: [])
    }

    // MARK: Plumbing

    /// IDs are UUIDs in practice; anything else is percent-encoded so it stays one path segment.
    static func segment(_ id: String) -> String { PercentEncoding.encode(id) }

    private func send<Response: Decodable>(
        _ method: String, _ path: String, query: [SignableRequest.QueryItem] = []
    ) async throws -> Response {
        try await send(method, path, query: query) { try JSONDecoder().decode(Response.self, from: Data($0)) }
    }

    /// One request whose 2xx body `decode` reads; what it throws becomes `malformedResponse`.
    private func send<Response>(
        _ method: String, _ path: String, query: [SignableRequest.QueryItem] = [],
        decode: ([UInt8]) throws -> Response
    ) async throws -> Response {
        let body = try await exchange(method, path, query: query)
        do {
            return try decode(body)
        } catch {
            throw HuaweiCloudError.malformedResponse(
                operation: "\(method) \(path)",
                errorMessage: "\(Self.describe(decodingError: error))")
        }
    }

    /// One signed request; returns the body of a 2xx answer, throws `HuaweiCloudError` otherwise.
    private func exchange(_ method: String, _ path: String, query: [SignableRequest.QueryItem]) async throws -> [UInt8]
    {
        try await SignedExchange(
            http: http, endpoint: endpoint, credentials: credentials, timeout: options.requestTimeout,
            maxBodyBytes: options.maxBodyBytes, userAgent: options.userAgent, logger: logger,
            onServerDate: onServerDate,
            wallClock: wallClock
        ).send(method, path, query: query, headers: [.init("X-Project-Id", projectId)])
    }

    private static func describe(decodingError error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return String(describing: error) }
        let context: DecodingError.Context
        switch decoding {
        case .typeMismatch(_, let found), .valueNotFound(_, let found), .keyNotFound(_, let found),
            .dataCorrupted(let found):
            context = found
        @unknown default:
            return String(describing: error)
        }
        return "\(context.debugDescription) at \(path(context.codingPath))"
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}
