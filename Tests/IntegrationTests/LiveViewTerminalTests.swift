import Foundation
import MRSEmulator
import MRSWatchdog
import Testing

/// `mrs-watchdog run` on a pseudo-terminal (util-linux `script`), as a person starts it: every frame fits the
/// terminal at 80 and at 160 columns, a resize redraws at the new width, and Ctrl-C (SIGINT) restores the
/// normal screen.
@Suite(.timeLimit(.minutes(2)))
struct LiveViewTerminalTests {
    @Test func framesFitTheTerminalFollowAResizeAndTheScreenIsRestoredOnExit() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c0ffee00-0000-4000-8000-00000000live")
            // Ids as MRS makes them (random UUIDs), so eight characters tell them apart.
            func id() -> String { UUID().uuidString.lowercased() }
            let runaway = try await emulator.state.addJob(
                .init(cluster: cluster, id: id(), name: "etl-runaway", user: "etl", startOffset: "-3h"))
            _ = try await emulator.state.addJob(
                .init(
                    cluster: cluster, id: id(),
                    name: "etl-" + String(repeating: "very-long-name-", count: 6) + "end", startOffset: "-115m"))
            _ = try await emulator.state.addJob(
                .init(cluster: cluster, id: id(), name: "etl-数据清洗-每日汇总", startOffset: "-112m"))
            let config = try TemporaryConfig(
                DaemonProcessTests.configText(
                    emulator, cluster: cluster,
                    rules: #"""
                        [{"name": "etl-2h-with-a-rather-long-rule-name", "match": {"job_name": ["etl-*"]},
                          "max_runtime": "2h", "warn_before": "10m", "mode": "enforce"}]
                        """#))
            let state = try DaemonHarness.freshStateDirectory()
            let binary = try ChildProcess.productPath("mrs-watchdog")
            // The shell reports its tty and pid, sets the size, and becomes the daemon (same pid).
            let command =
                "tty; echo PID $$; stty cols 80 rows 24; exec '\(binary)' run --config '\(config.path)' --state-dir '\(state)'"
            let terminal = try ChildProcess(
                "/usr/bin/script", ["-q", "-e", "-c", command, "/dev/null"],
                environment: DaemonProcessTests.environment.merging(["TERM": "xterm"]) { $1 })
            try await terminal.waitForOutput("Ctrl-C stops")
            let tty = try #require(terminal.stdout.firstMatch(of: /(\/dev\/pts\/\d+)/)?.1).description
            let pid = try #require(terminal.stdout.firstMatch(of: /PID (\d+)/).flatMap { Int32($0.1) })

            try await eventually("the kill is drawn at 80 columns", timeout: .seconds(30)) {
                Self.frames(terminal.stdout).last?.contains { $0.contains("kill-confirmed") } == true
            }
            let narrow = Self.frames(terminal.stdout)
            for frame in narrow {
                for line in frame { #expect(Self.columns(line) <= 80, "wider than 80: \(line)") }
            }
            let table = try #require(narrow.last)
            #expect(table.contains { $0.hasPrefix("DECISION") }, "a table header: \(table)")
            #expect(
                table.contains { $0.contains("kill-confirmed") && $0.contains(runaway.prefix(8)) },
                "the kill among the recent actions: \(table)")
            let rows = table.drop { !$0.hasPrefix("DECISION") }.prefix { !$0.isEmpty }
            #expect(rows.count == 3, "header and the two warned jobs: \(table)")
            #expect(rows.dropFirst().allSatisfy { $0.split(separator: " ")[1].count == 8 }, "8-character ids: \(rows)")
            #expect(table.contains { $0.contains("…") }, "long names are cut with …")
            #expect(table.contains { $0.contains("since start:") }, "the counts: \(table)")

            // A resize: stty on the terminal makes the kernel send SIGWINCH to the daemon.
            let before = terminal.stdout.count
            let resize = try await ChildProcess.run("/usr/bin/stty", ["-F", tty, "cols", "160", "rows", "40"])
            #expect(resize.status == 0, "\(resize.stderr)")
            try await eventually("a frame at 160 columns") {
                Self.frames(String(terminal.stdout.dropFirst(before))).contains { frame in
                    frame.contains { Self.columns($0) > 80 }
                }
            }
            let wide = Self.frames(String(terminal.stdout.dropFirst(before)))
            for frame in wide {
                for line in frame { #expect(Self.columns(line) <= 160, "wider than 160: \(line)") }
            }
            #expect(
                wide.last?.contains { $0.contains("DEADLINE") } == true, "160 columns keep the deadline: \(wide.last!)")

            kill(pid, SIGINT)
            let finished = try await terminal.wait(timeout: .seconds(20))
            #expect(finished.status == 0, "\(finished.stdout)")
            let output = finished.stdout
            let left = try #require(output.range(of: "\u{1B}[?1049l", options: .backwards), "left the alternate screen")
            let entered = try #require(output.range(of: "\u{1B}[?1049h", options: .backwards))
            #expect(entered.upperBound <= left.lowerBound)
            #expect(output[..<left.lowerBound].hasSuffix("\u{1B}[?25h"), "the cursor is shown again")
            #expect(!output[left.upperBound...].contains("\u{1B}["), "nothing drawn after leaving")
            #expect(output[left.upperBound...].contains("mrs-watchdog: stopping"), "the last status stays: \(output)")
        }
    }

    @Test func ctrlCWhileStartingLeavesTheTerminalAsItWas() async throws {
        try await EmulatorHarness.run { emulator in
            let cluster = await emulator.addCluster("c-early")
            // Credentials from a slow metadata service: Ctrl-C comes while the daemon is still reading them.
            var slow = FaultPlan()
            slow.latencyMs = 5000
            slow.paths = ["/openstack/latest/securitykey"]
            await emulator.state.setFaults(slow)
            let config = try TemporaryConfig(
                DaemonProcessTests.configText(emulator, cluster: cluster, rules: DoctorTests.rules))
            let binary = try ChildProcess.productPath("mrs-watchdog")
            let command =
                "echo PID $$; exec '\(binary)' run --config '\(config.path)' --state-dir '\(try DaemonHarness.freshStateDirectory())'"
            let terminal = try ChildProcess(
                "/usr/bin/script", ["-q", "-e", "-c", command, "/dev/null"],
                environment: ChildProcess.cleanEnvironment([
                    "TERM": "xterm", "MRS_WATCHDOG_METADATA_URL": emulator.baseURL,
                ]))
            try await terminal.waitForOutput("starting")
            let pid = try #require(terminal.stdout.firstMatch(of: /PID (\d+)/).flatMap { Int32($0.1) })
            kill(pid, SIGINT)
            let finished = try await terminal.wait(timeout: .seconds(20))
            let entered = finished.stdout.components(separatedBy: "\u{1B}[?1049h").count - 1
            let left = finished.stdout.components(separatedBy: "\u{1B}[?1049l").count - 1
            #expect(entered == left, "alternate screen entered \(entered)×, left \(left)×: \(finished.stdout)")
        }
    }

    /// The frames drawn so far (each begins with cursor-home), as lines without escape sequences.
    static func frames(_ output: String) -> [[String]] {
        output.components(separatedBy: "\u{1B}[H").dropFirst().map { frame in
            frame.replacing(/\x{1B}\[[0-9;?]*[A-Za-z]/, with: "").replacingOccurrences(of: "\r", with: "")
                .components(separatedBy: "\n")
        }
    }

    /// Terminal columns of `line`: CJK ideographs take two.
    static func columns(_ line: String) -> Int {
        line.unicodeScalars.reduce(0) { $0 + ((0x4E00...0x9FFF).contains($1.value) ? 2 : 1) }
    }
}
