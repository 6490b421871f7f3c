import MRSWatchdog
import Testing

/// The live view's layout without a terminal: widths, short ids, safe text, and what goes when it is narrow.
struct LiveFrameTests {
    init() { TerminalText.useUTF8() }

    @Test func wideCharactersCountTwoColumnsAndCuttingNeverOverflows() {
        #expect(TerminalText.width("etl-daily") == 9)
        #expect(TerminalText.width("数据清洗") == 8)
        #expect(TerminalText.width("e\u{301}") == 1, "a combining accent takes no column")
        #expect(TerminalText.width("\u{263A}\u{FE0F}") == 2, "emoji presentation is drawn two columns wide")
        #expect(TerminalText.truncated("数据清洗", to: 6) == "数据…")
        #expect(TerminalText.truncated("数据清洗", to: 4) == "数…", "a wide character that would overflow is left out")
        #expect(TerminalText.truncated("short", to: 5) == "short")
        for columns in 1...12 {
            #expect(TerminalText.width(TerminalText.truncated("ab数据清洗cd", to: columns)) <= columns)
        }
    }

    @Test func controlSequencesFromMRSAreNeutralised() {
        #expect(TerminalText.printable("etl\u{1B}[2J\u{7}-x") == "etl\\x1b[2J\\x07-x")
        #expect(
            TerminalText.printable("a\u{9B}b\u{202E}c\u{7F}") == "a\\u009bb\\u202ec\\u007f", "C1, bidi override and DEL"
        )
        #expect(TerminalText.printable("数据-ok") == "数据-ok")
    }

    @Test func idsAreShortenedToAUniquePrefixOfAtLeastEight() {
        let ids = ShortIds([
            "e0b1d2c3-0000-4000-8000-000000000001", "e0b1d2c3-0000-4000-8000-000000000002",
            "7588bb3e-ea3a-40e3-b1f5-c00000000000", "7588bb3f-ea3a-40e3-b1f5-c00000000000",
            "ab12cd34-0000-0000-0000-000000000000",
        ])
        #expect(ids["ab12cd34-0000-0000-0000-000000000000"] == "ab12cd34")
        #expect(ids["7588bb3e-ea3a-40e3-b1f5-c00000000000"] == "7588bb3e")
        #expect(ids["e0b1d2c3-0000-4000-8000-000000000001"] == "e0b1d2c3-0000-4000-8000-000000000001")
        #expect(ids["unknown"] == "unknown")
        #expect(ShortIds(["c1"])["c1"] == "c1", "shorter than eight: whole")
    }

    static func frame(rows: Int, unlisted: Int = 0) -> LiveFrame {
        let decisions = (0..<rows).map { index in
            Decision(
                clusterId: index % 2 == 0
                    ? "c0ffee00-0000-4000-8000-000000000000" : "d1ffee00-0000-4000-8000-000000000000",
                job: JobExecution(
                    jobId: "\(index)f03feb-663c-4e50-97af-9a0000000000",
                    jobName: "etl-数据清洗-" + String(repeating: "long-", count: index)),
                kind: .warn, rule: "etl-2h-with-a-rather-long-rule-name",
                reason: "7m57s left before max_runtime 2h (warn_before 10m)", matches: [])
        }
        let report = CycleReport(
            at: 1_800_000_000_000, decisions: decisions, activeJobs: ["c": rows + unlisted], kinds: [.warn: rows],
            clusters: ["c0ffee00-0000-4000-8000-000000000000", "d1ffee00-0000-4000-8000-000000000000"],
            failures: [:], duration: .zero, breakerOpen: false, nextDeadline: nil)
        return LiveFrame(
            report: report,
            status: "watching 2 clusters · 45 active jobs · since start: 1 killed (1 confirmed), 2 warned · "
                + "last hour: 1 killed (1 confirmed), 2 warned · next deadline 2027-01-15T08:00:00Z",
            recent: (0..<10).map { "08:06:2\($0)Z warn \($0)f03feb etl-数据清洗 rule etl-2h: 7m57s left" })
    }

    @Test(arguments: [20, 40, 60, 80, 100, 120, 160, 240])
    func noLineIsWiderThanTheTerminalNorAreThereMoreLinesThanRows(width: Int) {
        for height in [8, 24, 50] {
            let lines = Self.frame(rows: 12).lines(width: width, height: height)
            #expect(lines.count <= height)
            for line in lines { #expect(TerminalText.width(line) <= width, "\(width)×\(height): \(line)") }
        }
    }

    @Test func narrowTerminalsDropColumnsInTheStatedOrder() {
        func header(_ width: Int) -> String {
            Self.frame(rows: 3).lines(width: width, height: 40).first { $0.hasPrefix("DECISION") } ?? ""
        }
        #expect(header(160).contains("DEADLINE") && header(160).contains("CLUSTER") && header(160).contains("RULE"))
        #expect(!header(120).contains("DEADLINE") && header(120).contains("CLUSTER"), "DEADLINE goes first")
        #expect(!header(110).contains("CLUSTER") && header(110).contains("RULE"), "then CLUSTER")
        #expect(!header(100).contains("RULE") && header(100).contains("REASON"), "then RULE")
        #expect(header(74).contains("NAME" + String(repeating: " ", count: 18) + "ELAPSED"), "NAME narrows to 20")
        #expect(header(74).contains("REASON"), "before REASON goes")
        #expect(!header(70).contains("REASON") && header(70).contains("NAME"), "then REASON goes")
        #expect(header(50).contains("NAME             ELAPSED"), "then NAME narrows further")
    }

    @Test func shortTerminalsShowFewerRowsAndSayHowManyAreHidden() {
        let tall = Self.frame(rows: 12).lines(width: 160, height: 50)
        #expect(!tall.contains { $0.contains("more") }, "nothing hidden: \(tall)")
        let lines = Self.frame(rows: 12).lines(width: 160, height: 14)
        #expect(lines.count <= 14)
        let shown = lines.filter { $0.hasPrefix("warn") }.count
        #expect(shown > 0 && shown < 12)
        #expect(lines.contains("(\(12 - shown) more near or over a limit: a taller terminal shows them)"), "\(lines)")
        #expect(lines.contains { $0.contains("since start:") }, "the counts are never pushed off")
        let unlisted = Self.frame(rows: 2, unlisted: 40).lines(width: 160, height: 50)
        #expect(unlisted.contains("(40 more job(s), not near a limit or named by no rule)"), "\(unlisted)")
    }

    @Test func killsComeFirstSoAShortTerminalNeverHidesThem() {
        var frame = Self.frame(rows: 12)
        frame.report!.decisions[11].kind = .kill
        let lines = frame.lines(width: 160, height: 14)
        let rows = lines.drop { !$0.hasPrefix("DECISION") }.dropFirst()
        #expect(rows.first?.hasPrefix("kill") == true, "\(lines)")
    }
}
