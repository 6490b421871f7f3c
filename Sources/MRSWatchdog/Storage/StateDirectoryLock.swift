#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One daemon per state directory: an exclusive `flock` on `lock` in the directory, held for the life of
/// the process and taken before anything is read, so a second `run` (the unit plus a manual `run`, or a cron
/// `run --once`) never kills, notifies or records the same job again. The holder's PID is written into the
/// file for the refusal to name. The kernel drops the lock when the process ends, however it ends.
public final class StateDirectoryLock: Sendable {
    public let path: String
    private let fd: Int32

    /// Another process holds the lock, or it cannot be taken.
    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    /// Takes the lock, creating the directory (0700) and the lock file (0600) when missing.
    /// - Throws: `Refused` naming the holder's PID when another process holds it, or why it cannot be taken.
    public init(directory: String) throws {
        path = directory + "/lock"
        if mkdir(directory, 0o700) != 0, errno != EEXIST {
            throw Refused(description: "cannot create the state directory \(directory): \(Self.lastError())")
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Refused(description: "cannot open \(path): \(Self.lastError())") }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            let reason = errno == EWOULDBLOCK ? nil : Self.lastError()
            let holder = Self.readHolder(fd)
            close(fd)
            if let reason { throw Refused(description: "cannot lock \(path): \(reason)") }
            throw Refused(
                description:
                    "another mrs-watchdog\(holder.map { " (PID \($0))" } ?? "") is running with the state directory \(directory);"
                    + " one daemon per state directory (stop it, or give this one its own --state-dir)")
        }
        self.fd = fd
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) == 0 { _ = pwrite(fd, pid, pid.count, 0) }
    }

    deinit { close(fd) }

    private static func readHolder(_ fd: Int32) -> Int? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[..<count], as: UTF8.self).trimming(.spacesAndNewlines)
        return Int(text)
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
