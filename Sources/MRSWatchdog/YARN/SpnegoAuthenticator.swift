import CGSSAPI
import NIOCore
import NIOPosix
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `Authorization: Negotiate …` for a ResourceManager behind Kerberos (SPNEGO, RFC 4559; Hadoop's HTTP
/// authentication on security-mode clusters): a fresh token per request, for the service `HTTP@host`, as
/// the config's principal with its key from the keytab. Tickets stay in a memory credential cache for their lifetime.
/// The KDC is asked on threads of its own, never on the cooperative pool.
public struct SpnegoAuthenticator: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        /// MIT krb5's words, or why the keytab was not found.
        public var reason: String
        public var description: String { "Kerberos: \(reason)" }
    }

    public let kerberos: YarnSettings.Kerberos
    let environment: [String: String]

    public init(
        _ kerberos: YarnSettings.Kerberos, environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.kerberos = kerberos
        self.environment = environment
    }

    /// The keytab's path: `keytab` when absolute, else the systemd credential of that name.
    /// - Throws: `Failure` for a credential name outside systemd (no `$CREDENTIALS_DIRECTORY`).
    public func keytabPath() throws(Failure) -> String {
        if kerberos.keytab.hasPrefix("/") { return kerberos.keytab }
        guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else {
            throw Failure(
                reason:
                    "keytab '\(kerberos.keytab)' names a systemd credential, but there is no $CREDENTIALS_DIRECTORY (add LoadCredential=\(kerberos.keytab):/etc/credstore/… to the unit, or give an absolute path)"
            )
        }
        return directory + "/" + kerberos.keytab
    }

    /// The header value for a request to `host` (the URL's host, as the service principal `HTTP/host` names it),
    /// given up after `timeout` (a dead KDC must not hold a round for longer than its request deadline).
    /// - Throws: `Failure` with MIT krb5's own words (no keytab, no KDC, unknown service principal, …).
    public func header(host: String, timeout: Duration) async throws(Failure) -> String {
        let (principal, keytab) = (kerberos.principal, try keytabPath())
        let outcome = await Self.withDeadline(timeout) {
            Self.token(principal: principal, keytab: keytab, service: "HTTP@\(host)")
        }
        guard let outcome else {
            throw Failure(
                reason: "no ticket within \(timeout) (is the KDC of /etc/krb5.conf reachable?)")
        }
        return "Negotiate " + Data(try outcome.get()).base64EncodedString()
    }

    /// The blocking calls' own threads: a KDC that does not answer holds one of these, never a thread the
    /// daemon decides or reads on (nor NIO's shared blocking pool).
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        return pool
    }()

    /// `work` on `pool`, or nil once `timeout` has passed or the task is cancelled (`work` then finishes
    /// unheard: a blocking call cannot be stopped).
    package static func withDeadline<T: Sendable>(_ timeout: Duration, _ work: @escaping @Sendable () -> T) async -> T?
    {
        let waiter = Mutex<CheckedContinuation<T?, Never>?>(nil)
        let finish: @Sendable (T?) -> Void = { value in waiter.withLock { $0.take() }?.resume(returning: value) }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiter.withLock { $0 = continuation }
                // Cancelled before the continuation was stored: `onCancel` found nothing to resume.
                if Task.isCancelled { finish(nil) }
                // The deadline on an event loop: it fires even while every cooperative thread is busy.
                let deadline = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(timeout)) {
                    finish(nil)
                }
                pool.submit { state in
                    // Work still queued when nobody waits any more is not started.
                    let waited = state == .active && waiter.withLock { $0 != nil }
                    let value = waited ? work() : nil
                    deadline.cancel()
                    finish(value)
                }
            }
        } onCancel: {
            finish(nil)
        }
    }

    /// Blocking: the first SPNEGO token, or MIT krb5's reason.
    static func token(principal: String, keytab: String, service: String) -> Result<[UInt8], Failure> {
        var token: UnsafeMutablePointer<UInt8>?
        var length = 0
        var message = [CChar](repeating: 0, count: 512)
        // One memory cache per principal and keytab: its tickets serve every request until they expire, and
        // another cluster's keytab for the same principal is tried on its own.
        let status = mrsw_spnego_token(
            principal, keytab, "MEMORY:mrs-watchdog:\(principal):\(keytab)", service, &token, &length, &message,
            message.count)
        guard status == 0, let token else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failure(Failure(reason: text))
        }
        defer { mrsw_spnego_free(token) }
        return .success(Array(UnsafeBufferPointer(start: token, count: length)))
    }
}
