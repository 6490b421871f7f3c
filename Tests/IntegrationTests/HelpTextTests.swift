import Foundation
import Testing

/// `--help` of every command reads well at 80 and 160 columns: no line wider than the terminal, and no
/// sentence broken by a hard line break in the text (ArgumentParser wraps paragraphs itself).
@Suite(.serialized)
struct HelpTextTests {
    static let commands: [[String]] = [
        ["mrs-watchdog"], ["mrs-watchdog", "run"], ["mrs-watchdog", "check"], ["mrs-watchdog", "doctor"],
        ["mrs-watchdog", "explain"],
        ["mrs-watchdog", "plan"], ["mrs-watchdog", "clusters"], ["mrs-watchdog", "jobs"], ["mrs-watchdog", "kill"],
        ["mrs-watchdog", "report"], ["mrs-watchdog", "extend"], ["mrs-watchdog", "extensions"],
        ["mrs-emulator"],
    ]

    @Test(arguments: commands, [80, 160])
    func helpFitsTheTerminalAndKeepsSentencesWhole(_ command: [String], _ columns: Int) async throws {
        let result = try await ChildProcess.run(
            command[0], Array(command.dropFirst()) + ["--help"],
            environment: ChildProcess.cleanEnvironment(["COLUMNS": String(columns)]))
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // ArgumentParser prints the USAGE synopsis on one line whatever the width; everything else wraps.
        for line in lines where !line.hasPrefix("USAGE:") {
            #expect(line.count <= columns, "\(command) at \(columns): \(line.count) columns: \(line)")
        }
        // The prose before USAGE (wrapped one column short of the width): a line that ends mid-sentence while
        // there was room for the next word means a hard line break inside a sentence.
        let prose = lines.prefix { !$0.hasPrefix("USAGE:") }
        for (line, next) in zip(prose, prose.dropFirst()) {
            guard !line.isEmpty, !line.hasPrefix("  "), !next.isEmpty, !next.hasPrefix("  "),
                let word = next.split(separator: " ").first
            else { continue }  // examples are indented lines of their own
            let ended = line.hasSuffix(".") || line.hasSuffix(":")
            #expect(ended || line.count + 1 + word.count >= columns, "\(command) at \(columns) breaks early: '\(line)'")
        }
    }
}
