import HTTPTypes
import HummingbirdCore
import Logging
import MRSWatchdog
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An MRS endpoint on loopback with the real API's wire format and quirks, as a `Service`.
///
/// Built on HummingbirdCore directly (not `Hummingbird.Application`) so the emulator owns its `Date` header,
/// which must follow the emulator's clock, and can drop a connection to imitate a reset.
public struct MRSEmulatorServer: Service {
    public let state: EmulatorState
    let host: String
    let port: Int
    let logger: Logger
    let onListening: @Sendable (Int) async -> Void

    /// - Parameters:
    ///   - port: 0 picks a free port; `onListening` receives the one bound.
    public init(
        state: EmulatorState, host: String = "127.0.0.1", port: Int = 0, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.state = state
        self.host = host
        self.port = port
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let router = EmulatorRouter(state: state, logger: logger, hangsReleased: HangRelease())
        let server = try HTTPServerBuilder.http1().buildServer(
            configuration: ServerConfiguration(address: .hostname(host, port: port), serverName: "mrs-emulator"),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger,
            responder: { request, writer, channel in
                try await router.respond(to: request, writer: writer, channel: channel)
            },
            onServerRunning: { channel in
                await onListening(channel.localAddress?.port ?? port)
            })
        // Graceful shutdown waits for in-flight requests, so release the ones held by a "hang" fault.
        try await withGracefulShutdownHandler {
            try await server.run()
        } onGracefulShutdown: {
            router.hangsReleased.release()
        }
    }
}

/// Set once the server begins shutting down; requests held by a "hang" fault then end.
final class HangRelease: Sendable {
    private let released = Mutex(false)
    func release() { released.withLock { $0 = true } }
    var isReleased: Bool { released.withLock { $0 } }
}

/// Turns one HTTP request into one response: control API, YARN ResourceManagers, metadata credentials, or
/// the MRS API.
struct EmulatorRouter: Sendable {
    let state: EmulatorState
    let logger: Logger
    let hangsReleased: HangRelease

    static let maxBody = 1024 * 1024

    func respond(to incoming: Request, writer: consuming ResponseWriter, channel: any Channel) async throws {
        var request = incoming
        let body = Array(buffer: try await request.collectBody(upTo: Self.maxBody))
        let path = request.uri.path
        let reply: Reply
        if path.hasPrefix("/_emulator/") {
            reply = await control(request: request, path: path, body: body)
        } else if path.hasPrefix("/yarn/") {
            reply = await resourceManager(path: path, query: request.uri.query)
        } else if path == "/meta-data/latest/api/token" || path == "/openstack/latest/securitykey" {
            // The metadata service is another host: latency reaches it only when a plan names its paths.
            let faults = await state.faults
            if faults.latencyMs > 0, faults.paths?.contains(where: path.contains) == true {
                try? await Task.sleep(for: .milliseconds(faults.latencyMs))
            }
            reply = await metadata(request: request, path: path)
        } else {
            await state.countRequest()
            let faults = await state.faults
            switch faults.fault(for: path, draw: await state.draw()) {
            case .hang:
                // Hold the request until the client gives up and closes the connection.
                while channel.isActive, !Task.isCancelled, !hangsReleased.isReleased {
                    try? await Task.sleep(for: .milliseconds(50))
                }
                return
            case .reset:
                try? await channel.close()
                return
            case let fault:
                if faults.latencyMs > 0, faults.applies(to: path) {
                    try? await Task.sleep(for: .milliseconds(faults.latencyMs))
                }
                switch fault {
                case nil:
                    reply = await api(
                        request: request, path: path, body: body,
                        endlessPages: faults.endlessPages && faults.applies(to: path))
                case .truncated:
                    var full = await api(request: request, path: path, body: body, endlessPages: false)
                    full.body = Array(full.body.prefix(full.body.count / 2))
                    reply = full
                case let fault?:
                    reply = Self.faultReply(fault)
                }
            }
        }
        var headers = HTTPFields()
        headers[.contentType] = reply.contentType
        headers[.date] = HTTPDate.format(epochMillis: await state.dateHeaderMillis())
        headers[HTTPField.Name("X-Request-Id")!] = reply.requestId
        for (name, value) in reply.extraHeaders { headers[HTTPField.Name(name)!] = value }
        let response = Response(
            status: .init(code: reply.status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
        try await writer.write(response: response.head, body: response.body)
    }

    // MARK: MRS API

    func api(request: Request, path: String, body: [UInt8], endlessPages: Bool) async -> Reply {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // Every MRS call is signed; check before anything else, as the gateway does.
        // HTTP/1's Host header arrives as the request's authority.
        let received = request.headers.map { ($0.name.rawName, $0.value) } + [("host", request.head.authority ?? "")]
        let now = await state.now()
        let lookup = await state.accessKeys
        if let failure = SignatureVerifier.verify(
            method: request.method.rawValue, rawPath: path, rawQuery: request.uri.query, headers: received,
            body: body, serverNow: now, lookup: { lookup[$0] })
        {
            switch failure {
            case .signature(let why):
                return .gatewayError(401, "APIG.0301", "Incorrect IAM authentication information: \(why)")
            case .timestamp(let why):
                return .gatewayError(401, "APIG.0303", "Incorrect app authentication information: \(why)")
            }
        }
        let query = Self.queryPairs(request.uri.query)
        let method = request.method.rawValue
        // "", "v1.1", project, ...
        guard segments.count >= 4, segments[0].isEmpty else { return .gatewayError(404, "APIG.0101", "API not found") }
        let project = segments[2]
        if let headerProject = request.headers[HTTPField.Name("X-Project-Id")!], headerProject != project {
            return .gatewayError(403, "APIG.0302", "project id mismatch")
        }
        let known = await state.projectIds
        if !known.isEmpty, !known.contains(project) {
            // The gateway cannot get a token for a project outside the key's account. The exact answer is
            // UNCONFIRMED (not in the API reference); a 401 is what a client must be ready for, and it counts
            // towards the 5-failure lockout like a bad signature.
            return .gatewayError(
                401, "APIG.0301", "Incorrect IAM authentication information: unknown project \(project)")
        }
        let rest = Array(segments.dropFirst(3))
        let faults = await state.faults
        if let action = Self.iamAction(method: method, segments: segments),
            faults.deniedActions?.contains(action) == true, faults.applies(to: path)
        {
            // IAM's deny message; the error code differs between services, so clients key on the status.
            return .serviceError(
                403, "MRS.0403",
                "User: watchdog is not authorized to perform action \(action) because no identity-based policy allows the \(action) action."
            )
        }
        if method == "GET", segments[1] == "v1.1", rest == ["cluster_infos"] {
            return await listClusters(query: query)
        }
        if method == "POST", segments[1] == "v2", rest.count == 4, rest[0] == "notifications", rest[1] == "topics",
            rest[3] == "publish"
        {
            return await publish(topic: PercentEncoding.decode(rest[2]), body: body)
        }
        if segments[1] == "v2", rest.count >= 3, rest[0] == "clusters", rest[2] == "job-executions" {
            let cluster = rest[1]
            if let throttled = await throttle(method: method, rest: rest, request: request) { return throttled }
            switch (method, rest.count) {
            case ("GET", 3): return await listJobs(cluster: cluster, query: query, endless: endlessPages)
            case ("GET", 4): return await showJob(cluster: cluster, jobId: rest[3])
            case ("POST", 5) where rest[4] == "kill": return await kill(cluster: cluster, jobId: rest[3])
            default: break
            }
        }
        return .gatewayError(404, "APIG.0101", "The API does not exist or has not been published in the environment")
    }

    /// The IAM action a call needs (MRS API reference, "Permissions and supported actions"; mrs-api.md §11.8).
    static func iamAction(method: String, segments: [String]) -> String? {
        let rest = Array(segments.dropFirst(3))
        switch (method, segments[1], rest.count) {
        case ("GET", "v1.1", 1) where rest[0] == "cluster_infos": return "mrs:cluster:list"
        case ("POST", "v2", 4) where rest[0] == "notifications": return "smn:topic:publish"
        case ("GET", "v2", 3) where rest[0] == "clusters": return "mrs:job:list"
        case ("GET", "v2", 4) where rest[0] == "clusters": return "mrs:job:get"
        case ("POST", "v2", 5) where rest[0] == "clusters" && rest[4] == "kill": return "mrs:job:stop"
        default: return nil
        }
    }

    /// The gateway's per-tenant throttle for the job calls: 429 `APIGW.0308` with `Retry-After` beyond it.
    func throttle(method: String, rest: [String], request: Request) async -> Reply? {
        let limits = await state.rateLimits
        let (api, limit): (String, Int?) =
            switch (method, rest.count) {
            case ("GET", 3): ("list_jobs", limits.listJobs)
            case ("GET", 4): ("show_job", limits.showJob)
            default: ("kill", limits.kill)
            }
        let authorization = request.headers[.authorization] ?? ""
        let accessKey = SignatureVerifier.ParsedAuthorization(authorization)?.accessKey ?? "-"
        guard let wait = await state.throttle(api: api, accessKey: accessKey, limit: limit) else { return nil }
        let window = limits.windowSeconds == 60 ? "1 minute" : "\(limits.windowSeconds) seconds"
        var reply = Reply.gatewayError(
            429, "APIGW.0308",
            "The throttling threshold has been reached: policy user over ratelimit, limit:\(limit ?? 0), time:\(window)"
        )
        reply.extraHeaders.append(("Retry-After", String(max(1, wait))))
        return reply
    }

    func listClusters(query: [String: String]) async -> Reply {
        guard let pageSize = Int(query["pageSize"] ?? "10"), pageSize > 0,
            let page = Int(query["currentPage"] ?? "1"), page > 0
        else { return .serviceError(400, "0001", "Invalid pagination parameters.") }
        var clusters = await state.clusterList()
        // `existing`: every cluster but deleted ones; `history`: the deleted (terminated) ones; else the state.
        switch query["clusterState"] {
        case nil: break
        case "existing": clusters = clusters.filter { $0.cluster.clusterState != "terminated" }
        case "history": clusters = clusters.filter { $0.cluster.clusterState == "terminated" }
        case let wanted?: clusters = clusters.filter { $0.cluster.clusterState == wanted }
        }
        if let filter = query["tags"] {
            // `k*v` requires the value, bare `k` the key; AND across the list.
            let terms = filter.split(separator: ",").map { term -> (String, String?) in
                let parts = term.split(separator: "*", maxSplits: 1).map(String.init)
                return (parts[0], parts.count > 1 ? parts[1] : nil)
            }
            clusters = clusters.filter { wire in
                terms.allSatisfy { key, value in
                    guard let actual = wire.cluster.tags?[key] else { return false }
                    return value == nil || actual == value
                }
            }
        }
        let slice = Self.page(clusters, size: pageSize, number: page)
        return .json(200, ClusterListWire(clusterTotal: clusters.count, clusters: Array(slice)))
    }

    func listJobs(cluster: String, query: [String: String], endless: Bool) async -> Reply {
        guard await state.hasCluster(cluster) else {
            return .serviceError(400, "12000003", "The cluster does not exist.")
        }
        // `limit` defaults to 10 and `offset` is a 1-based page number, as in the real API.
        guard let limit = Int(query["limit"] ?? "10"), limit > 0,
            let offset = Int(query["offset"] ?? "1"), offset > 0
        else { return .serviceError(400, "0166", "Failed to query the job list.") }
        var jobs = await state.executions(cluster: cluster)
        if let wanted = query["job_state"] { jobs = jobs.filter { $0.execution.jobStateText == wanted.uppercased() } }
        if let name = query["job_name"] { jobs = jobs.filter { $0.execution.jobName == name } }
        if let user = query["user"] { jobs = jobs.filter { $0.execution.user == user } }
        if let queue = query["queue"] { jobs = jobs.filter { $0.execution.queue == queue } }
        if let since = query["submitted_time_begin"].flatMap({ Int64($0) }) {
            jobs = jobs.filter { ($0.execution.submittedTime ?? 0) >= since }
        }
        if query["sort_by"] == "asc" { jobs.reverse() }
        if endless {
            // A broken server: the first page (filled up by repeating it) whatever page is asked for, and a
            // total never reached.
            let first = jobs.isEmpty ? [] : (0..<limit).map { jobs[$0 % min(limit, jobs.count)] }
            return .json(202, JobListWire(totalRecord: Int.max, jobList: first))
        }
        let slice = Self.page(jobs, size: limit, number: offset)
        // Success is 202 here: the documented compatibility quirk.
        return .json(202, JobListWire(totalRecord: jobs.count, jobList: Array(slice)))
    }

    func showJob(cluster: String, jobId: String) async -> Reply {
        guard await state.hasCluster(cluster) else {
            return .serviceError(400, "12000003", "The cluster does not exist.")
        }
        guard let job = await state.execution(cluster: cluster, jobId: jobId) else {
            return .serviceError(400, "0176", "The job does not exist.")
        }
        return .json(202, JobDetailWire(jobDetail: job))
    }

    func kill(cluster: String, jobId: String) async -> Reply {
        switch await state.kill(cluster: cluster, jobId: jobId) {
        case .accepted: return Reply(status: 202, body: [])
        case .unknownCluster: return .serviceError(400, "12000003", "The cluster does not exist.")
        case .unknownJob: return .serviceError(400, "0176", "The job does not exist.")
        case .notActive: return .serviceError(400, "0175", "终止作业失败")
        }
    }

    /// SMN `publish`: `{"subject", "message"}` → `{"request_id", "message_id"}`.
    func publish(topic: String, body: [UInt8]) async -> Reply {
        struct Publish: Decodable {
            var subject: String?
            var message: String
        }
        guard let request = try? JSONDecoder().decode(Publish.self, from: Data(body)), !request.message.isEmpty else {
            return .serviceError(400, "SMN.00010013", "The message is empty or not valid JSON.")
        }
        await state.recordPublish(.init(topicURN: topic, subject: request.subject, message: request.message))
        let id = Reply.makeRequestId()
        return .json(200, ["request_id": id, "message_id": id])
    }

    static func faultReply(_ fault: FaultPlan.Fault) -> Reply {
        switch fault {
        case .tooManyRequests:
            var reply = Reply.gatewayError(
                429, "APIG.0308",
                "The throttling threshold has been reached: policy user over ratelimit, limit:20, time:1 second")
            reply.extraHeaders = [("Retry-After", "1")]
            return reply
        case .internalError: return .serviceError(500, "0166", "Failed to query the job list.")
        case .badGateway: return .gatewayError(502, "APIG.0201", "Backend unavailable")
        case .unauthorized:
            return .gatewayError(
                401, "APIG.0301", "Incorrect IAM authentication information: verify aksk signature fail")
        case .htmlError:
            var reply = Reply(
                status: 503, body: Array("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>".utf8))
            reply.contentType = "text/html"
            return reply
        case .reset, .hang, .truncated: return .gatewayError(500, "APIG.0201", "unreachable")
        }
    }

    // MARK: Metadata credentials (ECS agency)

    /// The ECS metadata service: the token step (`PUT …/api/token` with `X-Metadata-Token-Ttl-Seconds`), then
    /// `GET …/securitykey`, with or without `X-Metadata-Token` as `EmulatorState.metadataTokens` says.
    func metadata(request: Request, path: String) async -> Reply {
        let mode = await state.metadataTokens
        if path == "/meta-data/latest/api/token" {
            guard request.method == .put else { return .json(405, ["error": "method not allowed"]) }
            guard mode != .none else { return .json(404, ["error": "not found"]) }
            guard let ttl = request.headers[HTTPField.Name("X-Metadata-Token-Ttl-Seconds")!].flatMap({ Int($0) }),
                ttl > 0
            else { return .json(400, ["error": "X-Metadata-Token-Ttl-Seconds is required"]) }
            var reply = Reply(status: 200, body: Array(await state.issueMetadataToken().utf8))
            reply.contentType = "text/plain"
            return reply
        }
        let token = request.headers[HTTPField.Name("X-Metadata-Token")!]
        if mode == .required, await !state.isMetadataToken(token) {
            return .json(401, ["error": "a valid X-Metadata-Token is required"])
        }
        return await metadataCredentials()
    }

    func metadataCredentials() async -> Reply {
        let issued = await state.issueTemporaryCredentials()
        let body: [String: [String: String]] = [
            "credential": [
                "access": issued.credentials.accessKey, "secret": issued.credentials.secretKey,
                "securitytoken": issued.credentials.securityToken ?? "", "expires_at": issued.expiresAt,
            ]
        ]
        return .json(200, body)
    }

    // MARK: Control API (unsigned; loopback only)

    func control(request: Request, path: String, body: [UInt8]) async -> Reply {
        let decoder = JSONDecoder()
        do {
            switch (request.method.rawValue, path) {
            case ("GET", "/_emulator/kills"):
                return .json(200, await state.kills())
            case ("POST", "/_emulator/jobs"):
                let spec = try Scenario.decodeJob(body)
                return .json(200, ["job_id": try await state.addJob(spec)])
            case ("POST", "/_emulator/scenario"):
                try await state.load(try Scenario.decode(body))
                return .json(200, ["ok": true])
            case ("PUT", "/_emulator/faults"):
                await state.setFaults(try decoder.decode(FaultPlan.self, from: Data(body)))
                return .json(200, await state.faults)
            case ("PUT", "/_emulator/metadata"):
                struct Mode: Decodable { var token: MetadataTokens }
                await state.setMetadataTokens(try decoder.decode(Mode.self, from: Data(body)).token)
                return .json(200, ["token": await state.metadataTokens.rawValue])
            case ("GET", "/_emulator/faults"):
                return .json(200, await state.faults)
            case ("PUT", "/_emulator/kill-behaviour"):
                await state.setKillBehaviour(try decoder.decode(KillBehaviour.self, from: Data(body)))
                return .json(200, await state.killBehaviour)
            case ("POST", let target) where target == "/_emulator/webhook" || target.hasPrefix("/_emulator/webhook/"):
                // A loopback receiver for the daemon's webhook notifications; the path's last part names the
                // receiver, so owner routing can be told apart.
                let receiver = String(target.dropFirst("/_emulator/webhook".count).drop { $0 == "/" })
                await state.recordWebhook(String(decoding: body, as: UTF8.self), receiver: receiver)
                return .json(200, ["ok": true])
            case ("GET", "/_emulator/webhook"):
                return .json(200, await state.webhookBodies)
            case ("GET", "/_emulator/published"):
                return .json(200, await state.published)
            case ("GET", "/_emulator/stats"):
                struct Stats: Encodable {
                    var requests: Int
                    var throttled: [String: Int]
                }
                return .json(200, Stats(requests: await state.requestCount, throttled: await state.throttled))
            case ("PUT", "/_emulator/date-skew"):
                struct DateSkew: Codable {
                    var offsetMs: Int64
                    var responses: Int
                    enum CodingKeys: String, CodingKey {
                        case offsetMs = "offset_ms"
                        case responses
                    }
                }
                let skew = try decoder.decode(DateSkew.self, from: Data(body))
                await state.skewDates(offsetMillis: skew.offsetMs, responses: skew.responses)
                return .json(200, skew)
            case ("PUT", "/_emulator/rate-limits"):
                await state.setRateLimits(try decoder.decode(RateLimits.self, from: Data(body)))
                return .json(200, await state.rateLimits)
            default:
                return .json(404, ["error": "unknown control path \(path)"])
            }
        } catch {
            return .json(400, ["error": String(describing: error)])
        }
    }

    // MARK: Helpers

    static func page<T>(_ items: [T], size: Int, number: Int) -> ArraySlice<T> {
        let (start, overflow) = (number - 1).multipliedReportingOverflow(by: size)
        guard !overflow, start < items.count else { return [] }
        return items[start..<min(items.count, start + size)]
    }

    /// Query parameters by name; a repeated name keeps its last value.
    static func queryPairs(_ query: String?) -> [String: String] {
        Dictionary(SignableRequest.parseQuery(query).map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
    }
}

/// One response before it is written.
struct Reply {
    var status: Int
    var body: [UInt8]
    var requestId = Reply.makeRequestId()
    var extraHeaders: [(String, String)] = []
    var contentType = "application/json;charset=UTF-8"

    static func json<T: Encodable>(_ status: Int, _ value: T) -> Reply {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Reply(status: status, body: Array((try? encoder.encode(value)) ?? Data("{}".utf8)))
    }

    static func serviceError(_ status: Int, _ code: String, _ message: String) -> Reply {
        json(status, ["error_code": code, "error_msg": message])
    }

    static func gatewayError(_ status: Int, _ code: String, _ message: String) -> Reply {
        // The gateway repeats its request id in the body.
        let requestId = makeRequestId()
        var reply = json(status, ["error_code": code, "error_msg": message, "request_id": requestId])
        reply.requestId = requestId
        return reply
    }

    static func makeRequestId() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next() as UInt32, radix: 16) }.joined()
    }
}
