import AsyncHTTPClient
import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Temporary credentials of an ECS agency, from `GET {base}/openstack/latest/securitykey`, cached and
/// refreshed 40 minutes before `expires_at` (as the SDK does).
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
        let operation = "GET \(baseURL)/openstack/latest/securitykey"
        let response: HTTPClientResponse
        let buffer: ByteBuffer
        do {
            response = try await http.execute(
                HTTPClientRequest(url: baseURL + "/openstack/latest/securitykey"), timeout: .seconds(10))
            buffer = try await response.body.collect(upTo: 64 * 1024)
        } catch {
            throw HuaweiCloudError.transport(
                TransportErrorClassifier.classify(error), operation: operation,
                errorMessage: "metadata service unreachable (no credentials in \(CredentialChain.sourcesHint))")
        }
        guard response.status.code == 200 else {
            throw HuaweiCloudError.fromResponse(
                status: Int(response.status.code), body: Array(buffer: buffer), requestIdHeader: nil, retryAfter: nil,
                operation: operation)
        }
        struct Body: Decodable {
            struct Credential: Decodable {
                var access: String
                var secret: String
                var securitytoken: String?
                var expires_at: String?
            }
            var credential: Credential
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(Array(buffer: buffer))) else {
            throw HuaweiCloudError.malformedResponse(operation: operation)
        }
        let credential = body.credential
        // An unreadable expiry: use the credentials, but ask again in ten minutes.
        let expires = credential.expires_at.flatMap(RFC3339.parse) ?? (now() + Self.refreshMargin + 10 * 60 * 1000)
        return (
            Credentials(
                accessKey: credential.access, secretKey: credential.secret, securityToken: credential.securitytoken),
            expires
        )
    }
}

extension CredentialChain {
    static let sourcesHint =
        "$CREDENTIALS_DIRECTORY/ak+sk, HUAWEICLOUD_SDK_AK/SK, or ~/.huaweicloud/credentials"
}
