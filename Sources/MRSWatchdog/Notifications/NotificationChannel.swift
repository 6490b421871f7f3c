import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// Somewhere a notification goes.
public protocol NotificationChannel: Sendable {
    var name: String { get }
    func send(_ message: NotificationMessage) async throws
}

/// A generic JSON webhook: `POST url` with the message's JSON object.
public struct WebhookChannel: NotificationChannel {
    let http: HTTPClient
    let settings: NotificationSettings.Webhook
    public let name: String

    /// - Parameter name: how metrics and STATUS name it: `webhook`, or `owner ana webhook`.
    public init(http: HTTPClient, settings: NotificationSettings.Webhook, name: String = "webhook") {
        self.http = http
        self.settings = settings
        self.name = name
    }

    /// - Throws: `HuaweiCloudError` when the receiver does not answer 2xx within the timeout (the whole
    ///   exchange, body included). Errors name the URL as `WebhookURL.shown`: its path is often the secret.
    public func send(_ message: NotificationMessage) async throws {
        var request = HTTPClientRequest(url: settings.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "mrs-watchdog")
        request.body = .bytes(ByteBuffer(string: message.json))
        let operation = "POST \(WebhookURL.shown(settings.url))"
        let response: HTTPClientResponse
        do {
            (response, _) = try await http.exchange(
                request, timeout: .milliseconds(settings.timeoutMillis), maxBodyBytes: 64 * 1024)
        } catch {
            throw HuaweiCloudError.transport(
                TransportErrorClassifier.classify(error), operation: operation, errorMessage: "\(error)")
        }
        guard (200..<300).contains(response.status.code) else {
            throw HuaweiCloudError.http(operation: operation, httpStatus: Int(response.status.code))
        }
    }
}

/// Huawei Cloud SMN: `POST /v2/{project_id}/notifications/topics/{topic_urn}/publish`, signed with the same
/// AK/SK signer as the MRS calls.
public struct SMNChannel: NotificationChannel {
    let exchange: SignedExchange
    let projectId: String
    let topicURN: String
    public let name: String

    public init(
        http: HTTPClient, settings: NotificationSettings.SMN, projectId: String, credentials: any CredentialProvider,
        logger: Logger, name: String = "smn"
    ) {
        self.name = name
        exchange = SignedExchange(
            http: http, endpoint: settings.endpoint, credentials: credentials,
            timeout: .milliseconds(settings.timeoutMillis),
            maxBodyBytes: 64 * 1024, userAgent: "mrs-watchdog", logger: logger, onServerDate: { _ in },
            wallClock: { HostClock.nowMillis() / 1000 })
        self.projectId = projectId
        self.topicURN = settings.topicURN
    }

    public func send(_ message: NotificationMessage) async throws {
        // SMN limits the subject to 512 bytes; the message body to 256 KB.
        let subject = message.subject.elidingMiddle(toBytes: 480)
        let body = "{\"subject\":\(JSONText.quoted(subject)),\"message\":\(JSONText.quoted(message.text))}"
        _ = try await exchange.send(
            "POST", "/v2/\(projectId)/notifications/topics/\(PercentEncoding.encode(topicURN))/publish",
            headers: [.init("X-Project-Id", projectId)], body: Array(body.utf8))
    }
}
