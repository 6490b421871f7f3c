/// Finds credentials the way the official SDK does, plus systemd credentials; the first source found wins:
///
/// 1. files `ak`, `sk`, optional `security_token` in `$CREDENTIALS_DIRECTORY` (systemd `LoadCredential=`);
/// 2. `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`, `HUAWEICLOUD_SDK_SECURITY_TOKEN`;
/// 3. the SDK profile file: `HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `~/.huaweicloud/credentials`, section `[basic]`;
/// 4. temporary credentials of the ECS agency from the metadata service.
///
/// Resolution itself does no I/O: files are read through `readFile`, so tests can hand in anything.
public struct CredentialChain: Sendable {
    public enum Source: Sendable, Hashable {
        case systemdCredentials(directory: String)
        case environment
        case profile(path: String)
        case metadata
    }

    public struct Resolved: Sendable {
        /// Nil when the chain fell through to the metadata service, which is asked at run time.
        public var credentials: Credentials?
        public var source: Source
        /// A project id found alongside (`HUAWEICLOUD_SDK_PROJECT_ID` or the profile's `project_id`).
        public var projectId: String?

        public var sourceDescription: String {
            switch source {
            case .systemdCredentials(let directory): return "systemd credentials in \(directory)"
            case .environment: return "environment (HUAWEICLOUD_SDK_AK/SK)"
            case .profile(let path): return "SDK profile \(path)"
            case .metadata: return "ECS agency metadata service"
            }
        }
    }

    public enum ResolutionError: Error, Sendable, Hashable, CustomStringConvertible {
        /// One half of a pair was found without the other: a misconfiguration, not a reason to fall through.
        case incomplete(String)
        public var description: String {
            switch self {
            case .incomplete(let what): return what
            }
        }
    }

    let environment: [String: String]
    let readFile: @Sendable (String) -> String?

    public init(environment: [String: String], readFile: @escaping @Sendable (String) -> String?) {
        self.environment = environment
        self.readFile = readFile
    }

    /// - Throws: `ResolutionError` when a source holds half a key pair (an access key without its secret).
    public func resolve() throws(ResolutionError) -> Resolved {
        let envProject = nonEmpty(environment["HUAWEICLOUD_SDK_PROJECT_ID"])
        if let directory = nonEmpty(environment["CREDENTIALS_DIRECTORY"]) {
            let ak = nonEmpty(readFile(directory + "/ak"))
            let sk = nonEmpty(readFile(directory + "/sk"))
            if ak != nil || sk != nil {
                guard let ak, let sk else {
                    throw .incomplete("\(directory) holds only one of the credential files 'ak' and 'sk'")
                }
                return Resolved(
                    credentials: Credentials(
                        accessKey: ak, secretKey: sk, securityToken: nonEmpty(readFile(directory + "/security_token"))),
                    source: .systemdCredentials(directory: directory), projectId: envProject)
            }
        }
        let envAK = nonEmpty(environment["HUAWEICLOUD_SDK_AK"])
        let envSK = nonEmpty(environment["HUAWEICLOUD_SDK_SK"])
        if envAK != nil || envSK != nil {
            guard let envAK, let envSK else {
                throw .incomplete("only one of HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK is set")
            }
            return Resolved(
                credentials: Credentials(
                    accessKey: envAK, secretKey: envSK,
                    securityToken: nonEmpty(environment["HUAWEICLOUD_SDK_SECURITY_TOKEN"])),
                source: .environment, projectId: envProject)
        }
        let profilePath =
            nonEmpty(environment["HUAWEICLOUD_SDK_CREDENTIALS_FILE"])
            ?? nonEmpty(environment["HOME"]).map { $0 + "/.huaweicloud/credentials" }
        if let profilePath, let text = readFile(profilePath) {
            let basic = Self.iniSection("basic", in: text)
            let ak = nonEmpty(basic["ak"])
            let sk = nonEmpty(basic["sk"])
            if ak != nil || sk != nil {
                guard let ak, let sk else { throw .incomplete("\(profilePath) [basic] has only one of ak and sk") }
                return Resolved(
                    credentials: Credentials(
                        accessKey: ak, secretKey: sk, securityToken: nonEmpty(basic["security_token"])),
                    source: .profile(path: profilePath), projectId: envProject ?? nonEmpty(basic["project_id"]))
            }
        }
        return Resolved(credentials: nil, source: .metadata, projectId: envProject)
    }

    private func nonEmpty(_ text: String?) -> String? {
        guard let trimmed = text?.trimming(.spacesAndNewlines), !trimmed.isEmpty else { return nil }
        return trimmed
    }

    /// The `key = value` pairs of one `[section]` of an INI file (`#` and `;` start comments).
    static func iniSection(_ name: String, in text: String) -> [String: String] {
        var current: String?
        var values: [String: String] = [:]
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = rawLine.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast()).trimmingSpaces()
                continue
            }
            guard current == name, let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals]).trimmingSpaces().lowercased()] =
                String(line[line.index(after: equals)...]).trimmingSpaces()
        }
        return values
    }
}
