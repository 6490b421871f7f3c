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
