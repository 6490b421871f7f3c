import Foundation
import MRSWatchdog
import Testing

/// Property-based fuzzing with a fixed seed: thousands of mutated configs and MRS responses must never
/// crash or hang the parser and decoder, and garbage must never turn into a kill. The regression corpus in
/// Fixtures/fuzz-corpus keeps every input that once caused trouble.
struct FuzzTests {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    static let now: Int64 = 1_800_000_000_000
    static let hour: Int64 = 3_600_000
    /// A rule that names every job: anything the decoder lets through is judged.
    static let evaluator = Evaluator(
        rules: [Rule(name: "all-1h", match: JobMatcher(), maxRuntimeMillis: hour, mode: .enforce)], exemptions: [],
        dryRun: false)

    static func read(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent(path)))
    }

    static var configSeeds: [[UInt8]] {
        get throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            let example = Array(try Data(contentsOf: root.appendingPathComponent("rules.example.json")))
            let bad = try FileManager.default.contentsOfDirectory(
                atPath: fixtures.appendingPathComponent("bad-configs").path
            )
            .filter { $0 != "expected.json" }.sorted().prefix(12)
            return [example] + (try bad.map { try read("bad-configs/\($0)") })
        }
    }

    static var responseSeeds: [[UInt8]] {
        get throws {
            // The first jobs of the saved listing, as a list response, plus a detail-shaped one.
            let saved = try SavedResponses.jobs(from: Data(try read("jobs-1000.json")))
            let list = SavedResponses.jobListJSON(Array(saved.jobs.prefix(8)))
            return [
                Array(list.utf8),
                Array(
                    #"{"total_record": 2, "job_list": [{"job_id": "a", "job_state": "RUNNING", "started_time": 1799990000000, "job_name": "etl"}, {"job_id": "b", "job_state": "ACCEPTED", "submitted_time": 0}]}"#
                        .utf8),
            ]
        }
    }

    @Test func mutatedConfigsAreRejectedOrValidNeverACrash() throws {
        var random = SplitMix64(seed: 0x5EED_C0F1)
        var accepted = 0
        var rejected = 0
        for seed in try Self.configSeeds {
            for _ in 0..<700 {
                let input = Mutator.mutate(seed, random: &random)
                switch ConfigLoader.parse(String(decoding: input, as: UTF8.self), file: "fuzz.json") {
                case .success(let config):
                    accepted += 1
                    // Whatever was accepted is a complete config: every rule carries a limit.
                    #expect(config.rules.allSatisfy { $0.maxRuntimeMillis != nil || $0.maxQueuedMillis != nil })
                case .failure(let error):
                    rejected += 1
                    #expect(!error.issues.isEmpty)
                }
            }
        }
        #expect(accepted + rejected >= 9_000)
        #expect(rejected > accepted, "mutations should mostly break the file")
    }

    @Test func mutatedResponsesNeverDecodeIntoAWrongKill() throws {
        var random = SplitMix64(seed: 0xDEC0_DE42)
        var decoded = 0
        for seed in try Self.responseSeeds {
            for _ in 0..<5_000 {
                let input = Mutator.mutate(seed, random: &random)
                let foundation = try? JSONSerialization.jsonObject(with: Data(input))
                let page: JobResponseReader.List
                do {
                    page = try JobResponseReader.list(input)
                } catch {
                    // What is JSON of the list's shape is read; the reader is not stricter than Foundation.
                    if let object = foundation as? [String: Any],
                        object["job_list"].map({ $0 is [Any] || $0 is NSNull }) ?? true
                    {
                        let text = String(decoding: input, as: UTF8.self)
                        let offset = error.offset
                        let near = String(
                            decoding: input[max(0, offset - 40)..<min(input.count, offset + 40)], as: UTF8.self)
                        Issue.record("refused a list Foundation reads (\(error)) near «\(near)»: \(text)")
                    }
                    continue
                }
                decoded += 1
                for job in page.jobs {
                    Self.expectNoWrongKill(job)
                }
            }
        }
        #expect(decoded > 100, "some mutations must still decode, or the property is never exercised")
    }

    @Test(
        arguments: try FileManager.default.contentsOfDirectory(
            atPath: fixtures.appendingPathComponent("fuzz-corpus").path
        ).sorted())
    func regressionCorpusParsesWithoutCrashing(_ name: String) throws {
        let input = try Self.read("fuzz-corpus/\(name)")
        _ = ConfigLoader.parse(String(decoding: input, as: UTF8.self), file: name)
        if let page = try? JobResponseReader.list(input) {
            for job in page.jobs { Self.expectNoWrongKill(job) }
        }
    }

    /// Rules whose `match` and `exclude` read every job field, with globs of every kind.
    static let fieldRules: [Rule] = {
        var match = JobMatcher()
        match.jobName = [try! Glob("etl-[0-9a-z]*")]
        match.jobType = ["SparkSubmit"]
        var exclude = JobMatcher()
        exclude.queue = [try! Glob("prod*")]
        exclude.user = [try! Glob("platform-?")]
        var byRegex = JobMatcher()
        byRegex.jobNameRegex = try! AnchoredRegex("rep.*")
        byRegex.clusterTags = ["env": "dev"]
        return [
            Rule(name: "etl", match: match, exclude: exclude, maxRuntimeMillis: hour, mode: .enforce),
            Rule(name: "reports", match: byRegex, maxRuntimeMillis: hour, clock: .submitted, mode: .enforce),
            Rule(name: "queued", maxQueuedMillis: hour, mode: .enforce),
        ]
    }()

    /// Random jobs whose every field is present, absent, empty or odd, and whose times take every shape
    /// (ms, seconds, zero, before 2010, future, out of order, finished while active): a job is killed only if
    /// every field its enforce rule and every exclude read is present, and every time is plausible.
    @Test func aJobIsKilledOnlyWhenEveryFactItsRuleReadsIsPresentAndPlausible() {
        let (now, hour) = (Self.now, Self.hour)
        var random = SplitMix64(seed: 0xFA11_C105)
        let evaluator = Evaluator(rules: Self.fieldRules, exemptions: [], dryRun: false)
        func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &random)] }
        func time() -> Int64? {
            pick([
                nil, now - 3 * hour, now - 2 * hour, now - 30_000, (now - 3 * hour) / 1000, 1_000_000_000_000,
                now + hour, now,
            ])
        }
        var kills = 0
        for index in 0..<20_000 {
            let job = JobExecution(
                jobId: "j\(index)", jobName: pick([nil, "", "etl-2024", "etl-x", "report-q", "adhoc"]),
                user: pick([nil, "", "etl", "platform-a"]), queue: pick([nil, "", "default", "prod-1"]),
                jobType: pick([nil, "", "SparkSubmit", "HiveSql"]),
                jobStateText: pick(["RUNNING", "ACCEPTED", "NEW", "FINISHED", "PAUSED", "running"]),
                submittedTime: time(), startedTime: time(), finishedTime: pick([nil, nil, now - hour]))
            let tags: [String: String]? = pick([nil, ["env": "dev"], [:]])
            let decision = evaluator.decide(clusterId: "c", clusterTags: tags, job: job, now: now)
            guard decision.kind == .kill else { continue }
            kills += 1
            // The killing rule was not decided on a condition it could not evaluate. (Another rule that cannot
            // be read does not hold the kill: it could only add to it. README, "How a decision is made".)
            for rule in Self.fieldRules where rule.mode == .enforce && rule.name == decision.rule {
                let matched = rule.match.evaluate(clusterId: "c", clusterTags: tags, job: job)
                let excluded = rule.exclude?.evaluate(clusterId: "c", clusterTags: tags, job: job) ?? .no
                guard matched != .no, excluded != .yes else { continue }
                #expect(
                    matched == .yes && excluded == .no,
                    "killed with rule \(rule.name) half-known: \(job), tags \(String(describing: tags))")
            }
            let times = [job.submittedTime, job.startedTime].compactMap { $0 }
            #expect(job.finishedTime == nil, "killed an active job that has a finished_time")
            #expect(times.allSatisfy { $0 >= 1_262_304_000_000 && $0 <= now }, "killed on an implausible time: \(job)")
            if let started = job.startedTime, let submitted = job.submittedTime {
                #expect(started >= submitted - 60_000)
            }
            switch decision.rule {
            case "etl":
                // The match reads name and type; the exclude (queue AND user) must be known false, which one
                // known non-matching field is enough for.
                #expect(!(job.jobName ?? "").isEmpty && !(job.jobType ?? "").isEmpty, "\(job)")
                let queueNo = !(job.queue ?? "").isEmpty && !job.queue!.hasPrefix("prod")
                let userNo = !(job.user ?? "").isEmpty && !job.user!.hasPrefix("platform-")
                #expect(queueNo || userNo, "killed although the exclude could not be decided: \(job)")
            case "reports":
                #expect(!(job.jobName ?? "").isEmpty && tags != nil)
            default:
                break
            }
        }
        #expect(kills > 100, "the property must be exercised by real kills")
    }

    /// A kill needs a running job whose start time is real, in the past, and over the limit.
    static func expectNoWrongKill(_ job: JobExecution) {
        let decision = evaluator.decide(clusterId: "c", clusterTags: [:], job: job, now: now)
        guard decision.kind == .kill else { return }
        #expect(job.state == .running, "killed a job in state \(job.jobStateText ?? "nil")")
        #expect((job.startedTime ?? .max) <= now - hour, "killed a job without a start time over the limit")
        #expect((job.startedTime ?? 0) > 0)
    }
}

/// Structure-blind mutations that still hit JSON's weak spots: flips, cuts, splices, punctuation,
/// huge numbers, deep nesting.
enum Mutator {
    static let tokens: [[UInt8]] = [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "null", "true", "-0", "1e999", "99999999999999999999999",
        "\"RUNNING\"", "\"started_time\":", "\"job_state\":", "\\u0000", "\u{FF}", "[[[[[[[[[[",
    ].map { Array($0.utf8) }

    static func mutate(_ seed: [UInt8], random: inout SplitMix64) -> [UInt8] {
        var bytes = seed
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            guard !bytes.isEmpty else { break }
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0: bytes[at] ^= UInt8.random(in: 1...255, using: &random)
            case 1: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...16, using: &random)))
            case 2: bytes.insert(contentsOf: tokens.randomElement(using: &random)!, at: at)
            case 3:
                let length = Int.random(in: 1...min(64, bytes.count - at), using: &random)
                bytes.insert(contentsOf: bytes[at..<at + length], at: Int.random(in: 0...bytes.count, using: &random))
            case 4: bytes.removeSubrange(at...)
            default:
                if let digit = bytes[at...].firstIndex(where: { (0x30...0x39).contains($0) }) {
                    bytes.insert(contentsOf: Array(repeating: UInt8(ascii: "9"), count: 30), at: digit)
                }
            }
        }
        return bytes
    }
}
