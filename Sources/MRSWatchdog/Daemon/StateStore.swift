#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The state file `state.json` in the state directory: written atomically (temp file, fsync, rename, fsync
/// of the directory); a file that cannot be read is moved aside and reported, never fatal.
public struct StateStore: Sendable {
    public let directory: String
    public var path: String { directory + "/state.json" }

    public init(directory: String) {
        self.directory = directory
    }

    public struct Loaded: Sendable {
        public var state: WatchdogState
        /// Set when the file was unreadable and moved aside: what happened and where it went.
        public var problem: WatchdogNotice?
    }

    public func load(now: Int64) -> Loaded {
        guard let data = FileManager.default.contents(atPath: path) else {
            return Loaded(state: WatchdogState())
        }
        do {
            let state = try JSONDecoder().decode(WatchdogState.self, from: data)
            guard state.version == WatchdogState.currentVersion else {
                throw StateFileError("unsupported version \(state.version)")
            }
            return Loaded(state: state)
        } catch {
            let aside = "\(path).corrupt-\(now / 1000)"
            let moved = rename(path, aside) == 0
            let why = (error as? StateFileError)?.description ?? "not a state file (\(Self.describe(error)))"
            return Loaded(
                state: WatchdogState(),
                problem: .stateUnreadable(
                    path: path, reason: moved ? why : "\(why) (errno \(errno) moving it)", movedTo: moved ? aside : nil)
            )
        }
    }

    /// Writes `state` atomically: a temporary file, fsync, rename, fsync of the directory.
    /// - Throws: `StateFileError` naming the step and errno when the file cannot be written.
    public func save(_ state: WatchdogState) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let bytes = Array(try encoder.encode(state)) + [0x0A]
        let temporary = "\(path).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StateFileError("cannot write \(temporary): errno \(errno)") }
        guard FileDescriptor.writeAll(fd, bytes) else {
            close(fd)
            throw StateFileError("cannot write \(temporary): errno \(errno)")
        }
        guard fsync(fd) == 0 else {
            close(fd)
            throw StateFileError("cannot fsync \(temporary): errno \(errno)")
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw StateFileError("cannot rename to \(path): errno \(errno)") }
        // The rename itself must reach the disk.
        let directoryFd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFd >= 0 {
            fsync(directoryFd)
            close(directoryFd)
        }
    }

    private static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error { return context.debugDescription }
        if case DecodingError.keyNotFound(let key, _) = error { return "missing \(key.stringValue)" }
        if case DecodingError.typeMismatch(_, let context) = error {
            return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        }
        return "\(error)"
    }
}

struct StateFileError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
