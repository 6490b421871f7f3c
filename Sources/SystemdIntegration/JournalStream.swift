#if canImport(Glibc)
    import Glibc
#endif

/// Whether stderr is connected to journald: `$JOURNAL_STREAM` is `DEV:INODE` of the stream systemd gave
/// the service, compared with `fstat(2)` of fd 2, because a child may inherit the variable while its
/// stderr goes elsewhere.
public enum JournalStream {
    public static func stderrIsJournal(environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(2, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}
