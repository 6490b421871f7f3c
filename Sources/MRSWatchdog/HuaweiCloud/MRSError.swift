/// Every way an MRS call can fail, with the advice the daemon's retry policy follows.
///
/// MRS error codes arrive under HTTP 400 in some docs and 500 in others, so the advice is derived from
/// `errorCode` first and the HTTP status second.
public struct MRSError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The MRS service answered `{error_code, error_msg}` (e.g. `0175`, `0176`, `12000003`).
        case service
        /// The API gateway answered (`APIG.xxxx` / `APIGW.xxxx`).
        case gateway
        /// An error status with a body we could not read as an error document.
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

    public var kind: Kind
    public var httpStatus: Int?
    public var errorCode: String?
    public var errorMessage: String?
    /// From the `X-Request-Id` header, or the gateway body's `request_id`.
    public var requestId: String?
    /// `Retry-After`, in seconds, when the server sent one.
    public var retryAfterSeconds: Int?
    /// What was being done, e.g. `GET /v2/…/job-executions`.
    public var operation: String

    public init(
        kind: Kind, operation: String, httpStatus: Int? = nil, errorCode: String? = nil, errorMessage: String? = nil,
        requestId: String? = nil, retryAfterSeconds: Int? = nil
    ) {
        self.kind = kind
        self.operation = operation
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.requestId = requestId
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// A short, bounded label for metrics and log metadata: `APIG.0308`, `0175`, `http.503`,
    /// `transport.timeout`, `malformed_response`, … (never a message or an id).
    public var metricLabel: String {
        switch kind {
        case .transport(let transport): return "transport.\(transport.rawValue)"
        case .malformedResponse: return "malformed_response"
        case .bodyTooLarge: return "body_too_large"
        case .tooManyPages: return "too_many_pages"
        case .http: return "http.\(httpStatus ?? 0)"
        case .service, .gateway: return errorCode ?? "http.\(httpStatus ?? 0)"
        }
    }

    /// `error` as an `MRSError`: itself when it is one, else a transport failure of `operation` (a
    /// cancellation, a programming error) that the retry policy treats like any other.
    public static func wrapping(_ error: any Error, operation: String) -> MRSError {
        error as? MRSError ?? MRSError(kind: .transport(.other), operation: operation, errorMessage: "\(error)")
    }

    public var retryAdvice: RetryAdvice {
        switch kind {
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

    /// True when the object asked for does not exist (job `0176`/`0201`, cluster `12000003`).
    public var isNotFound: Bool {
        ["0176", "0201", "12000003"].contains(errorCode ?? "")
    }

    public var description: String {
        var parts: [String] = [operation + ":"]
        switch kind {
        case .transport(let transport): parts.append("transport error (\(transport.rawValue))")
        case .malformedResponse: parts.append("malformed response")
        case .bodyTooLarge: parts.append("response body too large")
        case .tooManyPages: parts.append("too many pages")
        case .service, .gateway, .http: break
        }
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        if let errorCode { parts.append(errorCode) }
        if let errorMessage, !errorMessage.isEmpty { parts.append(errorMessage) }
        if let requestId { parts.append("(request id \(requestId))") }
        return parts.joined(separator: " ")
    }
}

extension MRSError {
    /// Builds the error for an HTTP error status, reading the body the way the SDK does: `error_code` +
    /// `error_msg`, then `errorCode` + `errorMsg`, then `code` + `message`, then nested objects; otherwise the
    /// status is the code and the raw body the message.
    static func fromResponse(
        status: Int, body: [UInt8], requestIdHeader: String?, retryAfter: String?, operation: String
    ) -> MRSError {
        var code: String?
        var message: String?
        var bodyRequestId: String?
        if let node = try? JSONParser.parse(body) {
            (code, message) = findErrorFields(node, depth: 0) ?? (nil, nil)
            bodyRequestId = node["request_id"]?.stringValue
        }
        let kind: Kind
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
        return MRSError(
            kind: kind, operation: operation, httpStatus: status, errorCode: code, errorMessage: message,
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
