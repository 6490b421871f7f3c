import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL

/// Sorts a transport failure from async-http-client / NIO into the few kinds the retry policy cares about.
enum TransportErrorClassifier {
    static func classify(_ error: any Error) -> HuaweiCloudError.Transport {
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout, .getConnectionFromPoolTimeout: return .connect
            case .readTimeout, .writeTimeout, .deadlineExceeded: return .timeout
            case .remoteConnectionClosed: return .reset
            case .tlsHandshakeTimeout: return .tls
            default: return .other
            }
        }
        if error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError { return .tls }
        if error is NIOConnectionError { return .connect }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED, EHOSTUNREACH, ENETUNREACH: return .connect
            case ECONNRESET, EPIPE: return .reset
            case ETIMEDOUT: return .timeout
            default: return .other
            }
        }
        if error is ChannelError { return .reset }
        return .other
    }
}
