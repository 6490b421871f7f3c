import MRSWatchdog
import ServiceLifecycle
import Synchronization
import UnixSignals

#if canImport(Glibc)
    import Glibc
#endif

/// The daemon on a terminal: the jobs near or over a limit, the status line and the latest actions, drawn
/// on the terminal's alternate screen and redrawn in place as things happen and when the terminal is
/// resized (SIGWINCH). `close()` restores the screen and leaves the final status and actions on it. Used
/// when stdout is a TTY; the layout is `LiveFrame`'s.
///
/// The alternate screen is entered only once the service group runs, that is once SIGINT and SIGTERM stop
/// the daemon gracefully (and so reach `close()`): a Ctrl-C while credentials are read must not leave the
/// terminal on it.
final class LiveView: DaemonEventSink, Service {
    private struct Screen {
        var frame = LiveFrame(report: nil, status: "starting: reading credentials and polling MRS…", recent: [])
        var open = false
        var closed = false
    }

    private let screen = Mutex(Screen())
    static let recentLines = 10

    init() {
        TerminalText.useUTF8()
        Console.out("mrs-watchdog: starting (reading credentials); the live view follows, Ctrl-C stops")
    }

    func emit(_ event: DaemonEvent) {
        screen.withLock { screen in
            switch event {
            case .cycle(let report):
                screen.frame.report = report
            case .ready(let status), .progress(let status), .reloaded(let status, nil):
                screen.frame.status = status.text
            case .reloaded(_, let failure?):
                screen.frame.recent.append(WatchdogNotice.reloadRefusedText(failure))
            case .decision(let record):
                // The job by a short id that is unique among the jobs on screen.
                let id = record.decision.job.jobId
                let short = ShortIds((screen.frame.report?.decisions.map(\.job.jobId) ?? []) + [id])[id]
                screen.frame.recent.append(
                    "\(RFC3339.format(epochMillis: HostClock.nowMillis()).suffix(9)) \(record.summary(naming: short))")
            case .notice(let notice):
                screen.frame.recent.append(notice.text)
            case .breaker(let open, let candidates, let threshold):
                screen.frame.recent.append(
                    WatchdogNotice.breakerText(open: open, candidates: candidates, threshold: threshold))
            case .reloading:
                screen.frame.status = "reloading…"
            case .stopping:
                screen.frame.status = "stopping…"
            case .configApplied:
                break  // `reloaded` follows with the status
            case .yarnAudited(let round):
                screen.frame.recent += round.newFindings.map(\.summary)
            }
            screen.frame.recent = Array(screen.frame.recent.suffix(Self.recentLines))
            Self.draw(screen)
        }
    }

    /// Switches to the alternate screen (cursor hidden), draws, and redraws at the new size whenever the
    /// terminal is resized, until shutdown.
    func run() async throws {
        let resizes = await UnixSignalsSequence(trapping: .sigwinch)
        screen.withLock { screen in
            guard !screen.closed else { return }
            screen.open = true
            Console.write(fd: 1, "\u{1B}[?1049h\u{1B}[?25l")
            Self.draw(screen)
        }
        for await _ in resizes.cancelOnGracefulShutdown() {
            screen.withLock { Self.draw($0) }
        }
    }

    /// Back to the normal screen (cursor shown), with the last status and actions printed there. Safe to
    /// call more than once, and before `run()`.
    func close() {
        screen.withLock { screen in
            screen.closed = true
            guard screen.open else { return }
            screen.open = false
            let width = Self.size().columns
            var text = "\u{1B}[?25h\u{1B}[?1049l"
            for line in ["mrs-watchdog: \(screen.frame.status)"] + screen.frame.recent.suffix(5).map({ "  " + $0 }) {
                text += TerminalText.truncated(TerminalText.printable(line), to: width) + "\n"
            }
            Console.write(fd: 1, text)
        }
    }

    /// Home, then every row of the screen cleared before it is written: no flicker, no scrolling. (Clearing
    /// after a line instead would erase the last column of a line as wide as the terminal.)
    private static func draw(_ screen: Screen) {
        guard screen.open else { return }
        let size = size()
        let lines = screen.frame.lines(width: size.columns, height: size.rows)
        let rows = (0..<size.rows).map { "\u{1B}[2K" + ($0 < lines.count ? lines[$0] : "") }
        Console.write(fd: 1, "\u{1B}[H" + rows.joined(separator: "\n"))
    }

    /// The terminal's size in cells, asked anew each time (80 × 24 when it cannot say).
    static func size() -> (columns: Int, rows: Int) {
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return (80, 24) }
        return (Int(size.ws_col), Int(size.ws_row))
    }
}
