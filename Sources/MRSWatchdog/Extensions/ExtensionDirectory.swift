import Glibc

/// The extensions directory: `mrs-watchdog extend` writes one drop-in per job into it, the daemon reads it
/// every time it wakes. Group-writable for the operators group the package creates, so people can ask for
/// more time without root and without touching the config. Only regular `*.json` files are read (dot files
/// are `extend`'s files being written), each at most `ExtensionFile.maxBytes`; a file is parsed again only
/// when its inode, size or modification time changes. The directory is listed again only when it changed
/// (its modification time: `extend` renames, `rm` unlinks) or `rereadAfter` has passed (a file edited in
/// place), and at most `maxEntriesPerOwner` drop-ins of each owner are read (their first by name; the rest
/// counted): whoever may write here cannot make every wake-up read thousands of files, nor push another
/// member's drop-in out of the bound with files of their own.
public struct ExtensionDirectory: Sendable {
    public static let defaultPath = "/etc/mrs-watchdog/extensions.d"
    /// The group the package creates; its members may write here.
    public static let operatorsGroup = "mrs-watchdog-operators"
    public static let maxEntriesPerOwner = 1_000
    static let rereadAfter: Duration = .seconds(60)

    public let path: String
    private var cache: [String: (identity: Identity, entry: ExtensionScan.Entry)] = [:]
    /// The last complete listing: the directory as it was, when, and what it held.
    private var listed: (directory: Identity, at: ContinuousClock.Instant, scan: ExtensionScan)?

    private struct Identity: Sendable, Hashable {
        var inode: UInt64
        var size: Int64
        var modifiedNanos: Int64

        init(inode: UInt64, size: Int64, modifiedNanos: Int64) {
            self.inode = inode
            self.size = size
            self.modifiedNanos = modifiedNanos
        }

        init(_ info: stat) {
            self.init(
                inode: UInt64(info.st_ino), size: Int64(info.st_size),
                modifiedNanos: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
        }
    }

    public init(path: String = ExtensionDirectory.defaultPath) {
        self.path = path
    }

    /// Lists and reads the drop-ins. A directory that does not exist holds no extensions. One that cannot be
    /// listed is reported in `problem` and what was last read from it stays (an extension in force is not
    /// withdrawn because of a permission change or a full file table), as does a file that cannot be opened
    /// for such a reason.
    public mutating func scan() -> ExtensionScan {
        var info = stat()
        let directory = stat(path, &info) == 0 ? Identity(info) : nil
        if let listed, listed.directory == directory, ContinuousClock.now - listed.at < Self.rereadAfter {
            return listed.scan
        }
        listed = nil
        guard let dir = opendir(path) else {
            let code = errno
            if code == ENOENT {
                cache = [:]
                return ExtensionScan()
            }
            return lastRead(problem: "cannot list \(path): \(Self.describe(code))")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else { break }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !name.hasPrefix("."), name.hasSuffix(".json") { names.append(name) }
        }
        // readdir ends with NULL both at the end and on an error; only errno tells them apart.
        if errno != 0 { return lastRead(problem: "cannot list \(path): \(Self.describe(errno))") }
        var namesByOwner: [uid_t: [String]] = [:]
        for name in names {
            var entry = stat()
            // A name gone since the listing is skipped when read.
            let owner = fstatat(dirfd(dir), name, &entry, AT_SYMLINK_NOFOLLOW) == 0 ? entry.st_uid : uid_t.max
            namesByOwner[owner, default: []].append(name)
        }
        var fresh: [String: (identity: Identity, entry: ExtensionScan.Entry)] = [:]
        var scan = ExtensionScan()
        var chosen: [String] = []
        for (owner, owned) in namesByOwner {
            chosen += owned.sorted().prefix(Self.maxEntriesPerOwner)
            if owned.count > Self.maxEntriesPerOwner {
                scan.notRead[Self.userName(owner)] = owned.count - Self.maxEntriesPerOwner
            }
        }
        for name in chosen.sorted() {
            guard let read = read(name) else { continue }  // gone since the listing
            fresh[name] = read
            scan.entries.append(read.entry)
        }
        cache = fresh
        // Trusted only once its time is a few seconds old: a file system stamps times by a coarse clock, so a
        // change in the same tick as this listing would otherwise leave the time as it is.
        if let directory, Int64(time(nil)) - directory.modifiedNanos / 1_000_000_000 >= 2 {
            listed = (directory, ContinuousClock.now, scan)
        }
        return scan
    }

    /// What the last complete read found, with why this one is not complete.
    private func lastRead(problem: String) -> ExtensionScan {
        ExtensionScan(entries: cache.sorted { $0.key < $1.key }.map(\.value.entry), problem: problem)
    }

    /// One drop-in: from the cache when the file is unchanged; nil when it no longer exists.
    private func read(_ name: String) -> (identity: Identity, entry: ExtensionScan.Entry)? {
        let fd = open(path + "/" + name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { return nil }
            if code != ELOOP, let cached = cache[name] { return cached }
            let identity = Identity(inode: 0, size: -1, modifiedNanos: 0)
            let problem = code == ELOOP ? "a symbolic link (not followed)" : "unreadable: \(Self.describe(code))"
            return (identity, .malformed(file: name, owner: "?", problem: problem))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            return (
                Identity(inode: 0, size: -1, modifiedNanos: 0),
                .malformed(file: name, owner: "?", problem: "unreadable: \(Self.describe(errno))")
            )
        }
        let identity = Identity(info)
        if let cached = cache[name], cached.identity == identity { return cached }
        let owner = Self.userName(info.st_uid)
        func malformed(_ problem: String) -> (identity: Identity, entry: ExtensionScan.Entry) {
            (identity, .malformed(file: name, owner: owner, problem: problem))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return malformed("not a regular file") }
        guard info.st_size <= ExtensionFile.maxBytes else {
            return malformed("\(info.st_size) bytes; a drop-in is at most \(ExtensionFile.maxBytes)")
        }
        var bytes = [UInt8](repeating: 0, count: ExtensionFile.maxBytes + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { return malformed("unreadable: \(Self.describe(errno))") }
            if got == 0 { break }
            count += got
        }
        guard count <= ExtensionFile.maxBytes else { return malformed("grew past \(ExtensionFile.maxBytes) bytes") }
        guard let text = String(validating: bytes[..<count], as: UTF8.self) else {
            return malformed("not valid UTF-8")
        }
        let grant: JobExtension
        do {
            grant = try ExtensionFile.parse(text, file: name, grantedBy: owner)
        } catch {
            return malformed(error.message)
        }
        // One file per job, named for it: `extend` replaces it and `rm` withdraws it, and no second file can
        // keep an extension alive.
        let expected = ExtensionFile.name(clusterId: grant.clusterId, jobId: grant.jobId)
        guard name == expected else {
            return malformed("names job \(grant.jobId) on \(grant.clusterId): it must be called \(expected)")
        }
        return (identity, .valid(grant))
    }

    /// Writes a drop-in atomically (a dot file, then `rename`), readable by all and writable only by its
    /// owner. The directory is sticky, so only the owner (or root) can replace or remove one: no one can
    /// take away another's extension. Returns the file's path.
    /// - Throws: `WriteFailure` with the system's reason and, for a permission error, what to ask for
    ///   (membership of the group, or the owner of the request already there).
    public func write(_ text: String, name: String) throws(WriteFailure) -> String {
        let target = path + "/" + name
        let temporary = path + "/.\(name).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(errno) }
        var ok = fchmod(fd, 0o644) == 0  // whatever the umask
        let bytes = Array(text.utf8)
        var written = 0
        while ok, written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0, errno == EINTR { continue }
            ok = count > 0
            written += max(0, count)
        }
        ok = ok && fsync(fd) == 0
        let code = errno
        close(fd)
        guard ok, rename(temporary, target) == 0 else {
            let renameCode = ok ? errno : code
            unlink(temporary)
            var existing = stat()
            if [EPERM, EACCES].contains(renameCode), stat(target, &existing) == 0, existing.st_uid != geteuid() {
                throw WriteFailure(
                    description:
                        "\(target) is \(Self.userName(existing.st_uid))'s request: only they (or root) can replace or withdraw it"
                )
            }
            throw failure(renameCode)
        }
        return target
    }

    public struct WriteFailure: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    private func failure(_ code: Int32) -> WriteFailure {
        switch code {
        case ENOENT:
            return WriteFailure(
                description:
                    path == Self.defaultPath
                    ? "\(path) does not exist: the package creates it; ask an administrator to install mrs-watchdog here"
                    : "\(path) does not exist (extensions.directory in the config names the daemon's)")
        case EACCES, EPERM:
            return WriteFailure(
                description:
                    "cannot write to \(path): permission denied. Ask an administrator to add you to the group \(Self.operatorsGroup) (then log in again)"
            )
        default:
            return WriteFailure(description: "cannot write to \(path): \(Self.describe(code))")
        }
    }

    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// The user name of `uid`, or `uid N` when the system has none (a deleted account, a dynamic user).
    package static func userName(_ uid: uid_t) -> String {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name
        else { return "uid \(uid)" }
        return String(cString: name)
    }
}
