import MRSWatchdog
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// "listed 3400 jobs from 200 clusters so far…" on one rewritten stderr line, only on a terminal and only
/// once the work has taken more than a second; cleared when done.
final class ProgressLine: Sendable {
    private struct Counts {
        var jobs = 0
        var shown = false
    }

    private let counts = Mutex(Counts())
    private let total: Int
    private let started = ContinuousClock.now
    private let enabled = isatty(2) == 1

    init(clusters total: Int) {
        self.total = total
    }

    func add(jobs: Int) {
        guard enabled else { return }
        let line = counts.withLock { counts -> String? in
            counts.jobs += jobs
            guard ContinuousClock.now - started > .seconds(1) else { return nil }
            counts.shown = true
            return "\rlisted \(counts.jobs) jobs from \(total) clusters so far…"
        }
        if let line { Console.write(fd: 2, line + "\u{1B}[K") }
    }

    func finish() {
        if counts.withLock({ $0.shown }) { Console.write(fd: 2, "\r\u{1B}[K") }
    }
}
