/// Something that hands out the credentials to sign the next request with.
public protocol CredentialProvider: Sendable {
    /// Where the credentials came from, for `check` and the logs (never the secret itself).
    var sourceDescription: String { get }
    func credentials() async throws -> Credentials
}

/// Credentials that never change: from files, the environment or the SDK profile.
public struct StaticCredentialProvider: CredentialProvider {
    public let value: Credentials
    public let sourceDescription: String

    public init(_ value: Credentials, source: String) {
        self.value = value
        self.sourceDescription = source
    }

    public func credentials() async throws -> Credentials { value }
}
