import Foundation
import Synchronization

/// A loopback TCP server that answers as a hostile or broken peer would (a proxy that only records, a
/// server that sends its body a byte at a time), on plain sockets so nothing of the client's stack is
/// shared. Every request's first bytes are kept for the test to read.
final class HostilePeer: Sendable {
    enum Behaviour: Sendable {
        /// Answer every request with this status and an empty body, then close.
        case status(Int)
        /// Send the head of a 200 with a large `Content-Length`, then one body byte every `interval`.
        case slowBody(interval: Duration)
        /// Read the request and never answer, holding the connection open until stopped.
        case silent
    }

    let port: Int
    private let listener: Int32
    private let received = Mutex<[String]>([])
    private let stopped = Mutex(false)

    init(_ behaviour: Behaviour) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 64) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = listener
        Thread.detachNewThread { [self] in
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                Thread.detachNewThread { self.serve(connection, behaviour) }
            }
        }
    }

    /// The first line of every request received so far (`GET http://host/path HTTP/1.1` through a proxy).
    var requestLines: [String] { received.withLock { $0 } }

    func stop() {
        stopped.withLock { $0 = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve(_ connection: Int32, _ behaviour: Behaviour) {
        defer { close(connection) }
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let count = read(connection, &buffer, buffer.count)
        guard count > 0 else { return }
        let text = String(decoding: buffer[..<count], as: UTF8.self)
        received.withLock { $0.append(String(text.prefix { $0 != "\r" && $0 != "\n" })) }
        switch behaviour {
        case .status(let code):
            send(connection, "HTTP/1.1 \(code) Hostile\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        case .silent:
            while !stopped.withLock({ $0 }) { Thread.sleep(forTimeInterval: 0.05) }
        case .slowBody(let interval):
            send(
                connection,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n"
                    + "Date: \(Self.httpDate())\r\n\r\n{")
            for _ in 0..<60_000 where !stopped.withLock({ $0 }) {
                Thread.sleep(
                    forTimeInterval: Double(interval.components.seconds) + Double(interval.components.attoseconds)
                        / 1e18)
                guard send(connection, " ") else { return }
            }
        }
    }

    @discardableResult
    private func send(_ connection: Int32, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            == bytes.count
    }

    private static func httpDate() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: Date())
    }
}
