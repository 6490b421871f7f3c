import ArgumentParser
import MRSWatchdog

/// `--config`, declared once for every command that reads the config file.
struct ConfigFile: ParsableArguments {
    @Option(name: .shortAndLong, help: "The config file (rules and MRS location).")
    var config = "/etc/mrs-watchdog/rules.json"

    /// The file, validated; see `ConfigOptions.load(path:)` for failures.
    func load() throws -> WatchdogConfig { try ConfigOptions.load(path: config) }
}

/// `--config` and the MRS location overrides shared by every command that talks to MRS.
struct ConfigOptions: ParsableArguments {
    @OptionGroup var file: ConfigFile

    @Option(help: "MRS endpoint URL, overriding mrs.endpoint (e.g. http://127.0.0.1:8080 for mrs-emulator).")
    var endpoint: String?

    @Option(help: "Project id, overriding mrs.project_id.")
    var projectId: String?

    /// Loads the config with the overrides applied; see `load(path:)` for failures.
    func load() throws -> WatchdogConfig {
        let source = try source()
        var config = try file.load()
        if let endpoint = source.endpoint { config.mrs.endpoint = endpoint }
        if let projectId = source.projectId { config.mrs.projectId = projectId }
        return config
    }

    /// The file and the overrides, as the daemon reads them again on SIGHUP.
    func source() throws -> ConfigSource {
        var endpointOverride: MRSEndpoint?
        if let endpoint {
            guard let parsed = MRSEndpoint(url: endpoint) else {
                throw ValidationError("--endpoint must be an http(s) URL with a host, e.g. http://127.0.0.1:8080")
            }
            endpointOverride = parsed
        }
        return ConfigSource(path: file.config, endpoint: endpointOverride, projectId: projectId)
    }

    /// Loads a config file, printing every problem and exiting 1 (invalid) or 2 (unreadable) on failure.
    static func load(path: String) throws -> WatchdogConfig {
        do {
            return try ConfigLoader.load(path: path)
        } catch let error as ConfigError {
            Console.err(error.description)
            Console.err(
                "\(path): \(error.issues.count) problem\(error.issues.count == 1 ? "" : "s"); nothing was changed")
            throw ExitCode(1)
        } catch let error as ConfigReadError {
            Console.err(error.description)
            throw ExitCode(2)
        }
    }
}
