/// Something that hands out the credentials to sign the next request with.
public protocol CredentialProvider: Sendable {
    /// Where the credentials came from, for `check` and the logs (never the secret itself).
    var sourceDescription: String { get }
    func credentials() async throws -> Credentials
}
