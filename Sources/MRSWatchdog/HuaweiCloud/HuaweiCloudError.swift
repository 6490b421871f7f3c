/// Every way a call to a Huawei Cloud API (MRS, SMN, the ECS metadata service) can fail, with the advice the
/// daemon's retry policy follows. A struct over a private code, as async-http-client's `HTTPClientError`:
/// build one with the static functions (`.tooManyPages(operation:)`), compare with the static values
/// (`error == .tooManyPages`: same kind, whatever the details), label metrics with `metricLabel`.
///
/// MRS error codes arrive under HTTP 400 in some docs and 500 in others, so the advice is derived from
/// `errorCode` first and the HTTP status second.
public struct HuaweiCloudError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        /// The service answered `{error_code, error_msg}` (e.g. `0175`, `0176`, `12000003`).
        case service
        /// The API gateway answered (`APIG.xxxx` / `APIGW.xxxx`).
        case gateway
        /// An error status with a body that is not an error document.
        case http
        /// No usable HTTP answer: connect, timeout, TLS or a reset connection.
        case transport(Transport)
        /// A success status with a body that is not the documented shape.
        case malformedResponse
        /// The response body is larger than the byte cap.
        case bodyTooLarge
        /// A paged listing kept answering full pages past the page cap.
        case tooManyPages
    }

    public enum Transport: String, Sendable, Hashable {
        case connect, timeout, tls, reset, other
    }

    /// What a caller should do about the failure.
    public enum RetryAdvice: String, Sendable, Hashable {
        /// Transient (network, 429, 5xx): retry soon with jittered backoff.
        case retry
        /// Authentication failed: five failures lock the access key for 5 minutes, so wait minutes, not seconds.
        case authBackoff
        /// Retrying the same request will not help.
        case never
    }

    private var code: Code
    public private(set) var httpStatus: Int?
    public private(set) var errorCode: String?
    public private(set) var errorMessage: String?
    /// From the `X-Request-Id` header, or the gateway body's `request_id`.
    public private(set) var requestId: String?
    /// `Retry-After`, in seconds, when the server sent one.
    public private(set) var retryAfterSeconds: Int?
    /// What was being done, e.g. `GET /v2/…/job-executions`.
    public private(set) var operation: String

    private init(
        _ code: Code, operation: String, httpStatus: Int? = nil, errorCode: String? = nil, errorMessage: String? = nil,
        requestId: String? = nil, retryAfterSeconds: Int? = nil
    ) {
        self.code = code
        self.operation = operation
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.requestId = requestId
        self.retryAfterSeconds = retryAfterSeconds
    }

    // MARK: Building

    /// The service answered with an error document (`error_code` such as `0175`).
    public static func service(
        operation: String, httpStatus: Int?, errorCode: String, errorMessage: String? = nil
    ) -> Self {
        Self(.service, operation: operation, httpStatus: httpStatus, errorCode: errorCode, errorMessage: errorMessage)
    }

    /// The API gateway answered (`APIG.0301`, `APIG.0308`, …).
    public static func gateway(
        operation: String, httpStatus: Int?, errorCode: String, retryAfterSeconds: Int? = nil
    ) -> Self {
        Self(
            .gateway, operation: operation, httpStatus: httpStatus, errorCode: errorCode,
            retryAfterSeconds: retryAfterSeconds)
    }

    /// An error status without an error document.
    public static func http(operation: String, httpStatus: Int) -> Self {
        Self(.http, operation: operation, httpStatus: httpStatus)
    }

    /// No usable HTTP answer.
    public static func transport(_ transport: Transport, operation: String, errorMessage: String? = nil) -> Self {
        Self(.transport(transport), operation: operation, errorMessage: errorMessage)
    }

    /// A success whose body is not the documented shape.
    public static func malformedResponse(operation: String, errorMessage: String? = nil) -> Self {
        Self(.malformedResponse, operation: operation, errorMessage: errorMessage)
    }

    public static func bodyTooLarge(operation: String) -> Self { Self(.bodyTooLarge, operation: operation) }

    public static func tooManyPages(operation: String) -> Self { Self(.tooManyPages, operation: operation) }

    // MARK: Matching (the kind only, as `==` compares)

    public static let service = Self(.service, operation: "")
    public static let gateway = Self(.gateway, operation: "")
    public static let http = Self(.http, operation: "")
    public static let malformedResponse = Self(.malformedResponse, operation: "")
    public static let bodyTooLarge = Self(.bodyTooLarge, operation: "")
    public static let tooManyPages = Self(.tooManyPages, operation: "")
    public static let timeout = Self(.transport(.timeout), operation: "")

    /// True for failures with no usable HTTP answer (connect, timeout, TLS, reset).
    public var isTransport: Bool {
        if case .transport = code { return true }
        return false
    }

    /// Same kind of failure (a transport failure of the same kind); the details are not compared.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// A short, bounded label for metrics and log metadata: `APIG.0308`, `0175`, `http.503`,
    /// `transport.timeout`, `malformed_response`, … (never a message or an id). Error codes come from the
    /// endpoint, so only the documented ones (`knownCodes`) are labels of their own; any other is labelled by
    /// its HTTP status: an endpoint that makes up a code per answer cannot grow the series without end.
    public var metricLabel: String {
        let status = httpStatus.map { (100...599).contains($0) ? "http.\($0)" : "http.other" } ?? "http.other"
        switch code {
        case .transport(let transport): return "transport.\(transport.rawValue)"
        case .malformedResponse: return "malformed_response"
        case .bodyTooLarge: return "body_too_large"
        case .tooManyPages: return "too_many_pages"
        case .http: return status
        case .service, .gateway: return errorCode.flatMap { Self.knownCodes.contains($0) ? $0 : nil } ?? status
        }
    }

    /// The error codes `../shared/docs/mrs-api.md` documents (MRS API reference: error codes; API Gateway:
    /// authentication and throttling), as they are labelled.
    static let knownCodes: Set<String> = Set(
        ["0301", "0302", "0303", "0308"].flatMap { ["APIG.\($0)", "APIGW.\($0)"] }
            + [
                "0023", "0056", "0160", "0161", "0162", "0167", "0174", "0175", "0176", "0183", "0191", "0192", "0200",
                "0201", "12000003",
            ])

    /// `error` as a `HuaweiCloudError`: itself when it is one, else a transport failure of `operation` (a
    /// cancellation, a programming error) that the retry policy treats like any other.
    public static func wrapping(_ error: any Error, operation: String) -> Self {
        error as? Self ?? .transport(.other, operation: operation, errorMessage: "\(error)")
    }

    public var retryAdvice: RetryAdvice {
        switch code {
        case .transport(.tls): return .never
        case .transport: return .retry
        case .bodyTooLarge, .tooManyPages: return .never
        case .malformedResponse: return .retry
        case .gateway, .service, .http: break
        }
        if let code = errorCode?.uppercased() {
            let gatewayCode = code.split(separator: ".").last.map(String.init) ?? code
            if code.hasPrefix("APIG") {
                switch gatewayCode {
                case "0301", "0302", "0303": return .authBackoff
                case "0308": return .retry
                default: break
                }
            }
            if Self.permanentServiceCodes.contains(code) { return .never }
        }
        switch httpStatus ?? 0 {
        case 401, 403: return .authBackoff
        case 408, 429: return .retry
        case 500...599: return .retry
        default: return .never
        }
    }

    /// MRS codes that mean "this will not change by asking again": not found, kill refused, user not synced.
    static let permanentServiceCodes: Set<String> = [
        "0175", "0160", "0200", "0176", "0201", "12000003", "0192", "0191",
    ]

    /// What to do about a refused signature (401): the advice every command gives.
    public static let authFailureAdvice =
        "check the access key pair and the project id; five failures in a row lock the key for 5 minutes"

    /// True when the object asked for does not exist (job `0176`/`0201`, cluster `12000003`).
    public var isNotFound: Bool {
        ["0176", "0201", "12000003"].contains(errorCode ?? "")
    }

    public var description: String {
        var parts: [String] = [operation + ":"]
        switch code {
        case .transport(let transport): parts.append("transport error (\(transport.rawValue))")
        case .malformedResponse: parts.append("malformed response")
        case .bodyTooLarge: parts.append("response body too large")
        case .tooManyPages: parts.append("too many pages")
        case .service, .gateway, .http: break
        }
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        if let errorCode { parts.append(errorCode) }
        if let errorMessage, !errorMessage.isEmpty { parts.append(errorMessage.elidingMiddle(toBytes: 512)) }
        if let requestId { parts.append("(request id \(requestId))") }
        // The endpoint wrote most of it: one safe line wherever it is printed (`plan`, a log, STATUS).
        return SafeText.line(parts.joined(separator: " "))
    }
}

extension HuaweiCloudError {
    /// Builds the error for an HTTP error status, reading the body the way the SDK does: `error_code` +
    /// `error_msg`, then `errorCode` + `errorMsg`, then `code` + `message`, then nested objects; otherwise the
    /// status is the code and the raw body the message.
    static func fromResponse(
        status: Int, body: [UInt8], requestIdHeader: String?, retryAfter: String?, operation: String
    ) -> HuaweiCloudError {
        var code: String?
        var message: String?
        var bodyRequestId: String?
        if let node = try? JSONParser.parse(body) {
            (code, message) = findErrorFields(node, depth: 0) ?? (nil, nil)
            bodyRequestId = node["request_id"]?.stringValue
        }
        let kind: Code
        if let code, code.uppercased().hasPrefix("APIG") {
            kind = .gateway
        } else if code != nil {
            kind = .service
        } else {
            kind = .http
            code = String(status)
            let text = String(decoding: body.prefix(512), as: UTF8.self)
            message = text.isEmpty ? nil : text
        }
        return HuaweiCloudError(
            kind, operation: operation, httpStatus: status, errorCode: code, errorMessage: message,
            requestId: requestIdHeader ?? bodyRequestId,
            retryAfterSeconds: retryAfter.flatMap { Int($0.trimmingSpaces()) })
    }

    private static func findErrorFields(_ node: JSONNode, depth: Int) -> (String, String?)? {
        guard case .object(let members) = node.value, depth < 8 else { return nil }
        for (codeKey, messageKey) in [("error_code", "error_msg"), ("errorCode", "errorMsg"), ("code", "message")] {
            if let code = node[codeKey].flatMap(scalarText) {
                return (code, node[messageKey].flatMap(scalarText))
            }
        }
        for member in members {
            if let found = findErrorFields(member.value, depth: depth + 1) { return found }
        }
        return nil
    }

    private static func scalarText(_ node: JSONNode) -> String? {
        switch node.value {
        case .string(let text): return text
        case .number(let text): return text
        default: return nil
        }
    }
}
