import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// One AK/SK-signed request to a Huawei Cloud API (MRS, SMN): signed with SDK-HMAC-SHA256, bounded end to
/// end by a timeout (connection, head and body) and a body cap, every failure mapped to `HuaweiCloudError`. No retries; callers decide.
struct SignedExchange: Sendable {
    let http: HTTPClient
    let endpoint: MRSEndpoint
    let credentials: any CredentialProvider
    let timeout: Duration
    let maxBodyBytes: Int
    let userAgent: String
    let logger: Logger
    /// Called with the server's `Date` (epoch ms) of every response, as its head arrives.
    let onServerDate: @Sendable (Int64) -> Void
    /// The host clock for `X-Sdk-Date` (the gateway accepts ±15 minutes).
    let wallClock: @Sendable () -> Int64

    /// Sends the request; returns the body of a 2xx answer, throws `HuaweiCloudError` otherwise. A `POST` without a
    /// body still sends `Content-Length: 0` (the kill), and the signature covers the exact bytes sent.
    func send(
        _ method: String, _ path: String, query: [SignableRequest.QueryItem] = [],
        headers: [SignableRequest.Header] = [], body: [UInt8] = []
    ) async throws -> [UInt8] {
        let operation = "\(method) \(path)"
        let signable = SignableRequest(
            method: method, host: endpoint.netloc, path: path, query: query,
            headers: [.init("Content-Type", "application/json")] + headers, body: body)
        let signed = AKSKSigner().sign(
            signable, credentials: try await credentials.credentials(), date: SdkDate(epochSeconds: wallClock()))

        var request = HTTPClientRequest(url: endpoint.baseURL + signed.pathAndQuery)
        request.method = HTTPMethod(rawValue: method)
        for header in signed.headers { request.headers.add(name: header.name, value: header.value) }
        request.headers.add(name: "User-Agent", value: userAgent)
        if method == "POST" || !body.isEmpty { request.body = .bytes(ByteBuffer(bytes: body)) }

        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            (response, bytes) = try await http.exchange(
                request, timeout: timeout, maxBodyBytes: maxBodyBytes, logger: logger
            ) { [onServerDate] head in
                if let date = head.headers.first(name: "Date").flatMap(HTTPDate.parse) { onServerDate(date) }
            }
        } catch is NIOTooManyBytesError {
            throw HuaweiCloudError.bodyTooLarge(operation: operation)
        } catch {
            throw HuaweiCloudError.transport(
                TransportErrorClassifier.classify(error), operation: operation, errorMessage: String(describing: error))
        }
        let responseBody = Array(buffer: bytes)
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            throw HuaweiCloudError.fromResponse(
                status: status, body: responseBody,
                requestIdHeader: response.headers.first(name: "X-Request-Id"),
                retryAfter: response.headers.first(name: "Retry-After"), operation: operation)
        }
        return responseBody
    }
}
