/// An access key pair, with the security token of temporary credentials.
///
/// `description` never shows the secret key or the token, so a `Credentials` value is safe to log by accident.
public struct Credentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKey: String
    public var secretKey: String
    public var securityToken: String?

    public init(accessKey: String, secretKey: String, securityToken: String? = nil) {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.securityToken = securityToken
    }

    public var description: String {
        "Credentials(access key \(accessKey), secret key <redacted>"
            + (securityToken == nil ? ")" : ", security token <redacted>)")
    }

    public var debugDescription: String { description }
}
