import AsyncHTTPClient
import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Temporary credentials of an ECS agency, from `GET {base}/openstack/latest/securitykey`, cached and
/// refreshed 40 minutes before `expires_at` (as the SDK does). Like the SDK, it first asks
/// `PUT {base}/meta-data/latest/api/token` (`X-Metadata-Token-Ttl-Seconds: 21600`) and sends the token as
/// `X-Metadata-Token`; a 404 or 405 there means the service has no tokens, and it asks without one
/// (`../shared/docs/mrs-api.md` §11.2). `http` must reach the link-local service directly, never through a
/// proxy (`HTTPClientSetup.directConfiguration`): a proxy would see the keys and the token.
public actor MetadataCredentialProvider: CredentialProvider {
    public nonisolated let sourceDescription: String
    let http: HTTPClient
    let baseURL: String
    let now: @Sendable () -> Int64
    private var cached: (credentials: Credentials, expiresAt: Int64)?

    public static let defaultBaseURL = "http://169.254.169.254"
    static let refreshMargin: Int64 = 40 * 60 * 1000

    public init(
        http: HTTPClient, baseURL: String = defaultBaseURL, now: @escaping @Sendable () -> Int64 = HostClock.nowMillis
    ) {
        self.http = http
        self.baseURL = baseURL
        self.now = now
        self.sourceDescription = "ECS agency metadata service at \(baseURL)"
    }

    /// - Throws: `HuaweiCloudError` when the metadata service cannot be reached or answers something else.
    public func credentials() async throws -> Credentials {
        if let cached, now() < cached.expiresAt - Self.refreshMargin {
            return cached.credentials
        }
        let fresh = try await fetch()
        cached = fresh
        return fresh.credentials
    }

    private func fetch() async throws -> (credentials: Credentials, expiresAt: Int64) {
        var request = HTTPClientRequest(url: baseURL + "/meta-data/latest/api/token")
        request.method = .PUT
        request.headers.add(name: "X-Metadata-Token-Ttl-Seconds", value: "21600")
        let (tokenStatus, tokenBody) = try await exchange(
            request, operation: "PUT \(baseURL)/meta-data/latest/api/token")
        var keyRequest = HTTPClientRequest(url: baseURL + "/openstack/latest/securitykey")
        switch tokenStatus {
        case 200:
            keyRequest.headers.add(
                name: "X-Metadata-Token", value: String(decoding: tokenBody, as: UTF8.self).trimmingSpaces())
        case 404, 405: break  // no token step on this service
        default: throw Self.failure(tokenStatus, tokenBody, "PUT \(baseURL)/meta-data/latest/api/token")
        }
        let operation = "GET \(baseURL)/openstack/latest/securitykey"
        let (status, body) = try await exchange(keyRequest, operation: operation)
        guard status == 200 else { throw Self.failure(status, body, operation) }
        struct Body: Decodable {
            struct Credential: Decodable {
                var access: String
                var secret: String
                var securitytoken: String?
                var expires_at: String?
            }
            var credential: Credential
        }
        guard let decoded = try? JSONDecoder().decode(Body.self, from: Data(body)) else {
            throw HuaweiCloudError.malformedResponse(operation: operation)
        }
        let credential = decoded.credential
        // An unreadable expiry: use the credentials, but ask again in ten minutes.
        let expires = credential.expires_at.flatMap(RFC3339.parse) ?? (now() + Self.refreshMargin + 10 * 60 * 1000)
        return (
            Credentials(
                accessKey: credential.access, secretKey: credential.secret, securityToken: credential.securitytoken),
            expires
        )
    }

    /// One request to the metadata service: its status and body (64 KiB at most), 10 s end to end.
    private func exchange(_ request: HTTPClientRequest, operation: String) async throws -> (Int, [UInt8]) {
        do {
            let (response, body) = try await http.exchange(request, timeout: .seconds(10), maxBodyBytes: 64 * 1024)
            return (Int(response.status.code), Array(buffer: body))
        } catch {
            throw HuaweiCloudError.transport(
                TransportErrorClassifier.classify(error), operation: operation,
                errorMessage: "metadata service unreachable (no credentials in \(CredentialChain.sourcesHint))")
        }
    }

    private static func failure(_ status: Int, _ body: [UInt8], _ operation: String) -> HuaweiCloudError {
        HuaweiCloudError.fromResponse(
            status: status, body: body, requestIdHeader: nil, retryAfter: nil, operation: operation)
    }
}

extension CredentialChain {
    static let sourcesHint =
        "$CREDENTIALS_DIRECTORY/ak+sk, HUAWEICLOUD_SDK_AK/SK, or ~/.huaweicloud/credentials"
}
