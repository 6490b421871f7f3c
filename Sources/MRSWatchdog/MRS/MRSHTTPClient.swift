import AsyncHTTPClient
import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The MRS client over async-http-client: signs every request, caps every body, maps every failure to
/// `MRSError`. It does not retry; retry policy belongs to the caller, which knows what the request means.
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

    public func listClusters(state: String? = "existing", tags: [String: String?] = [:]) async throws -> [Cluster] {
        var clusters: [Cluster] = []
        var query: [SignableRequest.QueryItem] = [.init("pageSize", String(options.clusterPageSize))]
        if let state { query.append(.init("clusterState", state)) }
        if !tags.isEmpty {
            // `k*v` for a value, bare `k` for "has the key"; AND across tags.
            let filter = tags.keys.sorted().map { key in tags[key]!.map { "\(key)*\($0)" } ?? key }
            query.append(.init("tags", filter.joined(separator: ",")))
        }
        for page in 1...options.maxPages {
            let response: ClusterListWire = try await send(
                "GET", "/v1.1/\(projectId)/cluster_infos", query: query + [.init("currentPage", String(page))])
            clusters.append(contentsOf: response.clusters.map(\.cluster))
            if response.clusters.count < options.clusterPageSize { return clusters }
            if let total = response.clusterTotal, clusters.count >= total { return clusters }
        }
        throw MRSError(kind: .tooManyPages, operation: "GET /v1.1/\(projectId)/cluster_infos")
    }

    public func forEachJobExecutionPage(
        clusterId: String, state: JobState?, _ body: (JobPage) throws -> Void
    ) async throws {
        let path = "/v2/\(projectId)/clusters/\(Self.segment(clusterId))/job-executions"
        var query: [SignableRequest.QueryItem] = [.init("limit", String(options.jobPageSize))]
        if let state { query.append(.init("job_state", state.rawValue)) }
        var seen = 0
        // `offset` is a 1-based page number, not a record offset.
        for page in 1...options.maxPages {
            let response: JobListWire = try await send("GET", path, query: query + [.init("offset", String(page))])
            try body(JobPage(jobs: response.jobList.map(\.execution), malformed: response.malformed))
            let entries = response.jobList.count + response.malformed
            seen += entries
            if entries < options.jobPageSize { return }
            if let total = response.totalRecord, seen >= total { return }
        }
        throw MRSError(kind: .tooManyPages, operation: "GET \(path)")
    }

    public func showJob(clusterId: String, jobId: String) async throws -> JobExecution {
        let response: JobDetailWire = try await send(
            "GET", "/v2/\(projectId)/clusters/\(Self.segment(clusterId))/job-executions/\(Self.segment(jobId))")
        return response.jobDetail.execution
    }

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
        let body = try await exchange(method, path, query: query)
        do {
            return try JSONDecoder().decode(Response.self, from: Data(body))
        } catch {
            throw MRSError(
                kind: .malformedResponse, operation: "\(method) \(path)",
                errorMessage: "\(Self.describe(decodingError: error))")
        }
    }

    /// One signed request; returns the body of a 2xx answer, throws `MRSError` otherwise.
    private func exchange(_ method: String, _ path: String, query: [SignableRequest.QueryItem]) async throws -> [UInt8] {
        try await SignedExchange(
            http: http, endpoint: endpoint, credentials: credentials, timeout: options.requestTimeout,
            maxBodyBytes: options.maxBodyBytes, userAgent: options.userAgent, logger: logger, onServerDate: onServerDate,
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
