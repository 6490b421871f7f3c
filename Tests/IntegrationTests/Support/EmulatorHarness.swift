import AsyncHTTPClient
import Logging
import MRSEmulator
import MRSWatchdog
import ServiceLifecycle
import WatchdogTestSupport

/// Runs an `MRSEmulatorServer` on a free loopback port for the duration of `body`.
struct EmulatorHarness {
    static let projectId = "0123456789abcdef0123456789abcdef"
    static let credentials = Credentials(
        accessKey: "TESTAK0000000000001", secretKey: "test-secret-key-000000000000000000000")

    let state: EmulatorState
    let port: Int
    let http: HTTPClient

    var endpoint: MRSEndpoint { MRSEndpoint(url: "http://127.0.0.1:\(port)")! }
    var baseURL: String { "http://127.0.0.1:\(port)" }
    /// The config's `mrs` section pointing at this emulator.
    var mrs: ConfigText.MRS { ConfigText.MRS(projectId: Self.projectId, endpoint: baseURL) }

    static func run<T: Sendable>(
        clockOffsetMillis: Int64 = 0, _ body: @Sendable (EmulatorHarness) async throws -> T
    ) async throws -> T {
        let logger = Logger(label: "test-emulator", factory: { _ in SwiftLogNoOpLogHandler() })
        let state = EmulatorState(clockOffsetMillis: clockOffsetMillis)
        await state.addCredentials(credentials)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = MRSEmulatorServer(state: state, logger: logger, onListening: { continuation.yield($0) })
        let group = ServiceGroup(services: [server], gracefulShutdownSignals: [], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            do {
                let result = try await HTTPClient.withHTTPClient { http in
                    try await body(EmulatorHarness(state: state, port: port, http: http))
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
        }
    }

    /// - Parameter http: the HTTP client to send through; the harness's own when nil.
    func client(
        credentials: Credentials = EmulatorHarness.credentials, options: MRSHTTPClient.Options = .init(),
        http: HTTPClient? = nil, onServerDate: @escaping @Sendable (Int64) -> Void = { _ in }
    ) -> MRSHTTPClient {
        MRSHTTPClient(
            http: http ?? self.http, endpoint: endpoint, projectId: Self.projectId,
            credentials: StaticCredentialProvider(credentials, source: "test"), options: options,
            logger: Logger(label: "test-client", factory: { _ in SwiftLogNoOpLogHandler() }),
            onServerDate: onServerDate)
    }

    /// Adds a running cluster with the given tags and returns its id.
    @discardableResult
    func addCluster(_ id: String, tags: [String: String] = [:], state clusterState: String = "running") async -> String
    {
        await state.addCluster(
            Cluster(clusterId: id, clusterName: "name-\(id)", clusterState: clusterState, tags: tags))
        return id
    }
}
