/// Where the daemon's config comes from: the file, and the command-line overrides of its `mrs` section
/// (`--endpoint`, `--project-id`), so a reload reads exactly what the start read.
public struct ConfigSource: Sendable {
    public var path: String
    public var endpoint: MRSEndpoint?
    public var projectId: String?

    public init(path: String, endpoint: MRSEndpoint? = nil, projectId: String? = nil) {
        self.path = path
        self.endpoint = endpoint
        self.projectId = projectId
    }

    /// Reads and validates the file, then applies the overrides.
    /// - Throws: `ConfigReadError` when the file cannot be read, `ConfigError` with every problem when it is
    ///   invalid.
    public func load() throws -> WatchdogConfig {
        var config = try ConfigLoader.load(path: path)
        if let endpoint { config.mrs.endpoint = endpoint }
        if let projectId { config.mrs.projectId = projectId }
        return config
    }
}
