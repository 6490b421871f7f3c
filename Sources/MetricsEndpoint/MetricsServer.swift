import HTTPTypes
import HummingbirdCore
import Logging
import MRSWatchdog
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle

/// `GET /metrics` (Prometheus text from the daemon's registry) and `GET /healthz` (200 while the poll loop
/// is alive, 503 when it is stuck), as one more `Service` next to the daemon. Any local user can connect,
/// so it holds at most `maxConnections` connections (the rest wait in the kernel's queue, holding none of
/// the daemon's file descriptors), closes one idle for `idleTimeout`, and one whose request head has not
/// come within `requestHeadWithin` (`RequestHeadDeadline`): idle or slow connections cannot starve the
/// daemon of the sockets it needs for MRS, nor hold the listener's slots for good.
public struct MetricsServer: Service {
    public static let maxConnections = 64
    public static let idleTimeout: TimeAmount = .seconds(10)
    public static let requestHeadWithin: TimeAmount = .seconds(5)

    let registry: PrometheusCollectorRegistry
    let heartbeat: LoopHeartbeat
    /// How long the loop may go without a beat (while not sleeping) before /healthz says 503.
    let stallLimit: Duration
    let address: HostPort
    let logger: Logger
    let onListening: @Sendable (Int) async -> Void

    package init(
        registry: PrometheusCollectorRegistry, heartbeat: LoopHeartbeat, stallLimit: Duration, address: HostPort,
        logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.registry = registry
        self.heartbeat = heartbeat
        self.stallLimit = stallLimit
        self.address = address
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let server = try HTTPServerBuilder.http1(
            configuration: .init(
                additionalChannelHandlers: [RequestHeadDeadline(limit: Self.requestHeadWithin)],
                idleTimeout: Self.idleTimeout)
        ).buildServer(
            configuration: ServerConfiguration(
                address: .hostname(address.host, port: address.port), serverName: "mrs-watchdog",
                availableConnectionsDelegate: MaximumAvailableConnections(Self.maxConnections, logger: logger)),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger,
            responder: { request, writer, _ in
                let (status, contentType, body) = respond(method: request.method, path: request.uri.path)
                var headers = HTTPFields()
                headers[.contentType] = contentType
                let response = Response(
                    status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
                try await writer.write(response: response.head, body: response.body)
            },
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? address.port) })
        try await server.run()
    }

    func respond(method: HTTPRequest.Method, path: String) -> (HTTPResponse.Status, String, String) {
        guard method == .get || method == .head else { return (.methodNotAllowed, "text/plain", "GET only\n") }
        switch path {
        case "/metrics":
            return (.ok, "text/plain; version=0.0.4; charset=utf-8", registry.emitToString())
        case "/healthz":
            return heartbeat.isAlive(within: stallLimit)
                ? (.ok, "text/plain", "ok\n")
                : (.serviceUnavailable, "text/plain", "poll loop stuck for more than \(stallLimit)\n")
        default:
            return (.notFound, "text/plain", "try /metrics or /healthz\n")
        }
    }
}
