import Foundation
import MRSWatchdog
import Testing
import WatchdogTestSupport

/// Every malformed file in `Fixtures/bad-configs` is rejected with the expected JSON path and message, at a
/// line:column that points at the offending key; valid files load.
struct ConfigLoaderTests {
    struct Expectation: Decodable, Sendable, CustomTestStringConvertible {
        var file: String
        var path: String
        var message: String
        var testDescription: String { file }
    }

    static let directory = Bundle.module.url(forResource: "Fixtures/bad-configs", withExtension: nil)!
    static let expectations: [Expectation] = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("expected.json"))
        return try! JSONDecoder().decode([Expectation].self, from: data)
    }()

    @Test func thereAreAtLeastFortyMalformedFixtures() {
        #expect(Self.expectations.count >= 40)
    }

    @Test(arguments: expectations)
    func malformedFileIsRejectedWithPathAndMessage(_ expected: Expectation) throws {
        let text = try String(contentsOf: Self.directory.appendingPathComponent(expected.file), encoding: .utf8)
        let result = ConfigLoader.parse(text, file: expected.file)
        guard case .failure(let error) = result else {
            Issue.record("\(expected.file) was accepted")
            return
        }
        let issue = try #require(
            error.issues.first { $0.path == expected.path && $0.message.contains(expected.message) },
            "no issue at \(expected.path) containing '\(expected.message)'; got:\n\(error)")
        #expect(issue.description.hasPrefix("\(expected.file):\(issue.position.line):\(issue.position.column): "))
        // The position points into the file, at the key named by the path when there is one.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(issue.position.line >= 1 && issue.position.line <= max(lines.count, 1))
        // (A missing key is reported at its enclosing object, which has no such line.)
        if let last = expected.path.split(separator: ".").last, !last.hasSuffix("]"), !expected.path.isEmpty,
            !expected.message.hasPrefix("missing"),
            issue.position.line <= lines.count
        {
            #expect(
                lines[issue.position.line - 1].contains("\"\(last)\""),
                "line \(issue.position.line) does not hold \(last)")
        }
    }

    @Test func allProblemsAreReportedTogether() {
        let text = ConfigText(
            watch: ConfigText.watching(["c"]),
            rules: #"[{"name": "a", "max_runtme": "2h"}, {"name": "a", "max_runtime": "0s"}]"#
        ).description
        guard case .failure(let error) = ConfigLoader.parse(text, file: "x.json") else {
            Issue.record("accepted")
            return
        }
        let paths = Set(error.issues.map(\.path))
        #expect(paths.isSuperset(of: ["rules[0].max_runtme", "rules[0]", "rules[1].name", "rules[1].max_runtime"]))
    }

    @Test func theExampleConfigIsValidAndUsesEveryFeature() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../rules.example.json")
        let config = try ConfigLoader.load(path: url.standardizedFileURL.path)
        #expect(config.rules.count >= 3)
        #expect(Set(config.rules.map(\.mode)) == Set(RuleMode.allCases))
        #expect(Set(config.rules.map(\.clock)) == Set(RuntimeClock.allCases))
        #expect(config.rules.allSatisfy { ($0.description ?? "").count > 20 })
        #expect(config.rules.contains { $0.exclude != nil })
        #expect(config.rules.contains { $0.maxQueuedMillis != nil })
        #expect(config.rules.contains { $0.match.jobNameRegex != nil })
        #expect(config.exemptions.contains { $0.jobId != nil } && config.exemptions.contains { $0.clusterId != nil })
        #expect(
            !config.watch.clusterIds.isEmpty && !config.watch.clusterTags.isEmpty
                && !config.watch.excludeClusterTags.isEmpty)
        #expect(config.metricsListen != nil)
    }

    @Test(arguments: [
        ("90s", Int64(90_000)), ("45m", 2_700_000), ("2h30m", 9_000_000), ("1d", 86_400_000), ("500ms", 500),
    ])
    func durationsParse(_ text: String, _ millis: Int64) throws {
        #expect(try DurationText.parseMillis(text) == millis)
    }

    @Test(arguments: [
        ("2026-12-01T00:00:00Z", Int64(1_796_083_200_000)), ("2026-12-01T08:00:00+08:00", 1_796_083_200_000),
        ("2026-12-01T00:00:00.250Z", 1_796_083_200_250),
        ("2026-12-01T00:00:00.000000Z", 1_796_083_200_000),  // the metadata service's expires_at
    ])
    func rfc3339Parses(_ text: String, _ millis: Int64) {
        #expect(RFC3339.parse(text) == millis)
    }
}
