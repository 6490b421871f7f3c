import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Once the daemon is ready, hands the pages of its own executable back to the kernel (`MADV_PAGEOUT`,
/// Linux ≥ 5.4). Start-up touches far more of the binary than the loop does — the loader's relocation
/// table (3 MiB), argument parsing, the config loader — and the kernel maps code in 64 KiB runs around
/// each fault, so those pages would stay resident for the daemon's life. The pages the loop uses come back
/// on their first touch; the idle RSS falls by about 13 MiB (BENCHMARKS.md §4).
///
/// `MADV_PAGEOUT` only reclaims: clean pages of the file are dropped and read again when needed; pages the
/// loader wrote (the relocated `.data.rel.ro`) are anonymous and stay (there is no swap) — no content is
/// ever lost, unlike `MADV_DONTNEED`. Where the kernel or the sandbox refuses it, nothing changes.
public final class ExecutablePageOut: DaemonEventSink {
    private let done = Atomic<Bool>(false)
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func emit(_ event: DaemonEvent) {
        guard case .ready = event, !done.exchange(true, ordering: .relaxed) else { return }
        let before = Self.residentKiB()
        let (advised, failure) = Self.pageOut()
        if let failure {
            logger.debug("the executable's pages stay resident: madvise(MADV_PAGEOUT) failed: \(failure)")
        } else {
            logger.info(
                "paged out the executable's start-up pages (\(advised / 1_048_576) MiB mapped; RSS \(before ?? 0) KiB before, \(Self.residentKiB() ?? 0) KiB after)"
            )
        }
    }

    /// Advises every mapping of `/proc/self/exe`; returns the bytes advised, or the first failure.
    static func pageOut() -> (bytes: Int, failure: String?) {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
            let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
        else { return (0, "cannot read /proc/self/exe or /proc/self/maps") }
        var bytes = 0
        for line in maps.split(separator: "\n") {
            // "start-end perms offset dev inode   path" (the path padded to a column); the path may end in
            // " (deleted)" after an upgrade.
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, fields[5].drop(while: { $0 == " " }).hasPrefix(executable) else { continue }
            let range = fields[0].split(separator: "-").compactMap { UInt(String($0), radix: 16) }
            guard range.count == 2, range[1] > range[0], let start = UnsafeMutableRawPointer(bitPattern: range[0])
            else { continue }
            let length = Int(range[1] - range[0])
            guard madvise(start, length, Self.pageOutAdvice) == 0 else {
                return (bytes, "errno \(errno)")
            }
            bytes += length
        }
        return (bytes, nil)
    }

    /// `MADV_PAGEOUT` (linux/mman.h, Linux 5.4); Glibc's headers on older build roots lack the name.
    static let pageOutAdvice: Int32 = 21

    /// A resident-set figure of this process from `/proc/self/status` (`VmRSS`, or `RssFile` for the file
    /// pages alone), KiB.
    static func residentKiB(_ field: String = "VmRSS") -> Int? {
        ProcessStatus.kib()?[field]
    }
}
