import AsyncHTTPClient
import Logging
import MRSWatchdog

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Everything an operator command needs to talk to MRS: credentials from the chain, one HTTP client, the
/// MRS client. The HTTP client is shut down when `body` returns.
enum APISession {
    /// - Parameter prepare: runs with the credential provider before the client is used (the daemon fetches
    ///   credentials up front, telling systemd it is still starting).
    static func with<T>(
        _ config: WatchdogConfig, serverClock: ServerClock? = nil,
        prepare: (any CredentialProvider) async throws -> Void = { _ in },
        _ body: (MRSHTTPClient) async throws -> T
    ) async throws -> T {
        try await withClients(config, serverClock: serverClock, prepare: prepare) { client, _ in try await body(client)
        }
    }

    /// As `with`, also handing `body` the client without a proxy (`HTTPClientSetup.directConfiguration`),
    /// which the metadata service always gets and receivers `no_proxy` names get.
    static func withClients<T>(
        _ config: WatchdogConfig, serverClock: ServerClock? = nil,
        prepare: (any CredentialProvider) async throws -> Void = { _ in },
        _ body: (MRSHTTPClient, HTTPClient) async throws -> T
    ) async throws -> T {
        let environment = ProcessInfo.processInfo.environment
        return try await HTTPClient.withHTTPClient(configuration: HTTPClientSetup.directConfiguration()) { direct in
            try await HTTPClient.withHTTPClient(configuration: mrsConfiguration(config)) { http in
                let (provider, resolved) = try credentials(http: direct, environment: environment)
                try await prepare(provider)
                let client = self.client(
                    config, http: http, projectId: try projectId(config, resolved), credentials: provider,
                    onServerDate: { date in serverClock?.observe(serverMillis: date) })
                return try await body(client, direct)
            }
        }
    }

    /// The HTTP client configuration for the config's MRS endpoint: its CA file, and the proxy the
    /// environment names for it.
    static func mrsConfiguration(_ config: WatchdogConfig) -> HTTPClient.Configuration {
        HTTPClientSetup.configuration(
            endpoint: config.mrs.endpoint, caFile: config.mrs.caFile, environment: ProcessInfo.processInfo.environment)
    }

    /// The config's project id, else the one found beside the credentials.
    /// - Throws: `CommandFailure` when neither has one.
    static func projectId(_ config: WatchdogConfig, _ resolved: CredentialChain.Resolved) throws -> String {
        guard let projectId = config.mrs.projectId ?? resolved.projectId else {
            throw CommandFailure("no project id: set mrs.project_id in the config, or HUAWEICLOUD_SDK_PROJECT_ID")
        }
        return projectId
    }

    /// The MRS client for `config` (its endpoint and request timeout).
    /// - Parameter maxPages: the most pages one listing may take (`MRSHTTPClient.Options.maxPages` if nil).
    static func client(
        _ config: WatchdogConfig, http: HTTPClient, projectId: String, credentials: any CredentialProvider,
        maxPages: Int? = nil, onServerDate: @escaping @Sendable (Int64) -> Void
    ) -> MRSHTTPClient {
        var options = MRSHTTPClient.Options()
        options.requestTimeout = .milliseconds(config.mrs.requestTimeoutMillis)
        options.maxPages = maxPages ?? options.maxPages
        return MRSHTTPClient(
            http: http, endpoint: config.mrs.endpoint, projectId: projectId, credentials: credentials, options: options,
            logger: Logger(label: "mrs-watchdog"), onServerDate: onServerDate)
    }

    /// The credential chain's answer: static credentials, or the ECS metadata service (asked when used,
    /// through `http`, which must have no proxy).
    /// - Throws: `CredentialChain.ResolutionError` for half a key pair.
    static func credentials(
        http: HTTPClient, environment: [String: String]
    ) throws -> (any CredentialProvider, CredentialChain.Resolved) {
        let resolved = try CredentialChain(environment: environment, readFile: readFile).resolve()
        let provider: any CredentialProvider =
            resolved.credentials.map { StaticCredentialProvider($0, source: resolved.sourceDescription) }
            ?? MetadataCredentialProvider(
                http: http,
                baseURL: environment["MRS_WATCHDOG_METADATA_URL"] ?? MetadataCredentialProvider.defaultBaseURL)
        return (provider, resolved)
    }

    @Sendable static func readFile(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A failure to show the operator as one line, exiting 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
