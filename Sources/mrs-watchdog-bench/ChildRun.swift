import Foundation
import MRSWatchdog

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with posix_spawn and reaped with wait4, so its own CPU time and peak RSS are
/// measured exactly (the kernel's rusage of that one child).
struct ChildRun {
    let pid: pid_t
    let started: ContinuousClock.Instant

    struct Usage {
        var status: Int32
        var wall: Duration
        var cpuSeconds: Double
        var peakRSSKiB: Int
        /// The highest sampled `RssFile` (pages of the binary and libraries) and `RssAnon` (heap, stacks):
        /// where the peak goes. Sampled apart, so they need not add up to `peakRSSKiB`.
        var peakFileKiB: Int
        var peakAnonKiB: Int
    }

    /// Starts `path` with `arguments`; stdout and stderr go to `logPath`.
    init(_ path: String, _ arguments: [String], environment: [String: String], logPath: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, path, &actions, nil, argv, envp)
        guard result == 0 else { throw BenchError("cannot start \(path): errno \(result)") }
        pid = child
        started = .now
    }

    /// Memory figures of the process now, from one read of /proc/PID/status, KiB: `total` is `VmRSS`,
    /// `file` its file-backed part (`RssFile`: the binary's and libraries' pages), `anonymous` its anonymous
    /// part (`RssAnon`: heap, stacks; shared memory, `RssShmem`, is in neither), `highWater` is `VmHWM`.
    /// Nil once the process is gone.
    var memory: (total: Int, file: Int, anonymous: Int, highWater: Int)? {
        guard let fields = ProcessStatus.kib(pid: String(pid)), let total = fields["VmRSS"],
            let file = fields["RssFile"], let anonymous = fields["RssAnon"], let highWater = fields["VmHWM"]
        else { return nil }
        return (total, file, anonymous, highWater)
    }

    /// User and system CPU seconds the process has used so far (/proc/PID/stat), nil once it is gone.
    var cpuSecondsSoFar: Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        // After the command in parentheses: state is field 3, utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident set size now (KiB).
    var currentRSSKiB: Int? { memory?.total }

    func signal(_ number: Int32) { kill(pid, number) }

    /// Waits for the exit. Peak RSS is the child's own high-water mark (`VmHWM`), sampled every 5 ms: the
    /// kernel's `ru_maxrss` would also count the parent's memory, which posix_spawn shares until exec.
    func wait() -> Usage {
        var status: Int32 = 0
        var usage = rusage()
        var (highWater, file, anonymous) = (0, 0, 0)
        while true {
            let reaped = wait4(pid, &status, WNOHANG, &usage)
            if reaped == pid { break }
            if reaped < 0, errno != EINTR { break }
            if let now = memory {
                (highWater, file, anonymous) = (
                    max(highWater, now.highWater), max(file, now.file), max(anonymous, now.anonymous)
                )
            }
            usleep(5_000)
        }
        return Usage(
            status: status, wall: .now - started, cpuSeconds: usage.cpuSeconds, peakRSSKiB: highWater,
            peakFileKiB: file, peakAnonKiB: anonymous)
    }
}

extension rusage {
    /// User and system CPU time, seconds.
    var cpuSeconds: Double {
        Double(ru_utime.tv_sec) + Double(ru_utime.tv_usec) / 1e6 + Double(ru_stime.tv_sec)
            + Double(ru_stime.tv_usec) / 1e6
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
