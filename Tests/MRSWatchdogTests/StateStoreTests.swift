import Foundation
import GRDB
import Testing

@testable import MRSWatchdog

/// The state database on a real SQLite file: what is saved comes back after a restart, a kill intent is on
/// disk before its request leaves, what cannot be read is moved aside, and 0.1's `state.json` is imported.
struct StateStoreTests {
    static let now = WatchdogStateMachineTests.start
    static let hour = WatchdogStateMachineTests.hour

    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func record(_ job: String, _ status: KillRecord.Status, resolvedAt: Int64? = nil) -> KillRecord {
        var record = KillRecord(clusterId: "c1", jobId: job, status: status, firstAttemptAt: now - hour)
        record.jobName = "etl-\(job)"
        record.user = "etl"
        record.rule = "dev-2h"
        record.attempts = 2
        record.accepted = true
        record.lastAttemptAt = now - hour + 1
        record.lastCheckedAt = now - hour + 2
        record.lastError = "HTTP 500"
        record.resolvedAt = resolvedAt
        record.notBefore = now + 5
        return record
    }

    @Test func whatIsSavedComesBackAfterARestart() throws {
        let directory = try Self.directory()
        let store = StateStore(directory: directory)
        var state = try store.load(now: Self.now).state
        #expect(state == WatchdogState())
        state.record(Self.record("j1", .pending))
        state.record(Self.record("j2", .unkillable, resolvedAt: Self.now))
        state.markWarned(JobKey(clusterId: "c1", jobId: "j3"), at: Self.now - 5)
        state.countKill(at: Self.now - 10)
        try store.save(state.takeChanges())
        state.removeKill(JobKey(clusterId: "c1", jobId: "j2"))
        state.record(Self.record("j4", .confirmed, resolvedAt: Self.now))
        try store.save(state.takeChanges())

        let loaded = try StateStore(directory: directory).load(now: Self.now)
        #expect(loaded.notices.isEmpty)
        #expect(loaded.state == state, "every field of every row")
        #expect(loaded.state.pendingKills.map(\.jobId) == ["j1"])
        #expect(FileManager.default.fileExists(atPath: directory + "/state.sqlite"))
    }

    @Test func commitsAreDurableInWriteAheadLogMode() throws {
        let queue = try StateStore.open(try Self.directory() + "/state.sqlite")
        #expect(try queue.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try queue.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 2, "FULL, not GRDB's NORMAL")
    }

    @Test func pruningDropsTheSameRowsOnDiskAndKeepsHistoryForItsOwnRetention() throws {
        let directory = try Self.directory()
        let store = StateStore(directory: directory, historyRetentionMillis: 72 * Self.hour)
        var state = try store.load(now: Self.now).state
        state.record(Self.record("old", .confirmed, resolvedAt: Self.now - 49 * Self.hour))
        state.record(Self.record("pending", .pending))
        state.countKill(at: Self.now - 2 * Self.hour)
        state.countKill(at: Self.now - 1)
        for (index, age) in [100, 50, 1].enumerated() {
            state.remember(
                HistoryEntry(
                    at: Self.now - Int64(age) * Self.hour, action: .kill, clusterId: "c1", jobId: "h\(index)",
                    user: "ana", rule: "dev-2h", elapsedMillis: 7_200_500, limitMillis: 7_200_000))
        }
        try store.save(state.takeChanges())
        state.prune(now: Self.now)
        try store.save(state.takeChanges())

        let loaded = try StateStore(directory: directory).load(now: Self.now)
        #expect(loaded.state == state)
        #expect(loaded.state.killTimes == [Self.now - 1])
        let history = try store.history(since: 0)
        #expect(history.map(\.jobId) == ["h1", "h2"], "older than 72 h is gone")
        #expect(history.first?.elapsedMillis == 7_200_500)
        #expect(history.first?.user == "ana")
    }

    /// Crash between intent and request: the machine's save of the intent comes before `sendKill`; a daemon
    /// started on what is on disk reads the job before it sends anything, and kills it once.
    @Test func aKillIntentIsOnDiskBeforeItsRequestAndARestartDecidesItAfresh() throws {
        let directory = try Self.directory()
        let store = StateStore(directory: directory)
        var first = try WatchdogStateMachineTests.Harness()
        _ = first.machine.started(state: try store.load(now: Self.now).state, notices: [], now: Self.now)
        let job = WatchdogStateMachineTests.job("j1", ago: 2 * Self.hour)
        var digest = ClusterDigest(
            cluster: Cluster(clusterId: "c1", tags: [:]), evaluator: first.machine.evaluator, now: { Self.now },
            horizon: Self.now)
        digest.add(JobPage(jobs: [job]))
        let actions = first.machine.pollFinished(
            PollReport(
                discovery: .notDue, clusters: [Cluster(clusterId: "c1", tags: [:])], digests: ["c1": digest],
                failures: [:], hostSkewMillis: 0, duration: .zero), now: Self.now, jitter: 0)
        // Perform the actions up to the kill request, then "crash".
        var sawKill = false
        for action in actions {
            if case .sendKill = action {
                sawKill = true
                break
            }
            if case .persist = action { try store.save(first.machine.takeChanges()) }
        }
        #expect(sawKill)

        let resumed = try StateStore(directory: directory).load(now: Self.now + 1000)
        let intent = try #require(resumed.state.kill(JobKey(clusterId: "c1", jobId: "j1")))
        #expect(intent.status == .pending && !intent.accepted && intent.attempts == 0)
        var second = try WatchdogStateMachineTests.Harness(state: resumed.state)
        second.now = Self.now + 15_000
        let woke = second.timer()
        #expect(woke.contains("read c1/j1"), "read first: the request may or may not have left")
        #expect(!woke.contains { $0.hasPrefix("kill ") })
        let running = WatchdogStateMachineTests.job("j1", ago: 2 * Self.hour, at: second.now)
        #expect(second.read(running).filter { $0.hasPrefix("kill ") } == ["kill c1/j1"], "still over: killed once")
        #expect(second.killed("j1").contains("kill-decision c1/j1"))
    }

    @Test func aDatabaseThatCannotBeReadIsMovedAsideAndANewOneStarts() throws {
        let directory = try Self.directory()
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: directory + "/state.sqlite"))
        let store = StateStore(directory: directory)
        let loaded = try store.load(now: Self.now)
        #expect(loaded.state == WatchdogState())
        let notice = try #require(loaded.notices.first)
        #expect(notice.text.contains("state.sqlite is unreadable"), "\(notice.text)")
        #expect(notice.text.contains("moved to \(directory)/state.sqlite.corrupt-\(Self.now / 1000)"))
        var state = loaded.state
        state.record(Self.record("j1", .pending))
        try store.save(state.takeChanges())
        #expect(try StateStore(directory: directory).load(now: Self.now).state == state, "the new database works")
    }

    /// A second connection, as another process would hold one; it may keep a transaction open between calls.
    static func otherProcess(_ directory: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        return try DatabaseQueue(path: directory + "/state.sqlite", configuration: configuration)
    }

    /// Another process holding the write lock makes saves fail: what failed is written with the next save.
    @Test func aFailedSaveIsWrittenWithTheNext() throws {
        let directory = try Self.directory()
        let store = StateStore(directory: directory, busyTimeout: 0.05)
        var state = try store.load(now: Self.now).state
        let other = try Self.otherProcess(directory)
        try other.inDatabase { try $0.execute(sql: "BEGIN EXCLUSIVE") }
        state.record(Self.record("j1", .pending))
        state.countKill(at: Self.now)
        #expect(store.isDurable)
        #expect(throws: DatabaseError.self) { try store.save(state.takeChanges()) }
        #expect(!store.isDurable, "no kill may leave now")
        try other.inDatabase { try $0.execute(sql: "COMMIT") }
        state.markWarned(JobKey(clusterId: "c1", jobId: "j2"), at: Self.now)
        try store.save(state.takeChanges())
        #expect(store.isDurable)
        #expect(try StateStore(directory: directory).load(now: Self.now).state == state)
    }

    /// Changes SQLite refuses for good are dropped, so they do not block every later save; until a later save
    /// succeeds no kill may leave, since the intents among them are not on disk.
    @Test func changesSQLiteRefusesForGoodHoldKillsUntilASaveSucceeds() throws {
        let directory = try Self.directory()
        let store = StateStore(directory: directory)
        var state = try store.load(now: Self.now).state
        let other = try Self.otherProcess(directory)
        try other.inDatabase {
            try $0.execute(
                sql: """
                    CREATE TRIGGER refuse BEFORE INSERT ON kill WHEN NEW.job_id = 'bad'
                    BEGIN SELECT RAISE(ABORT, 'refused'); END
                    """)
        }
        state.record(Self.record("bad", .pending))
        #expect(throws: StateFileError.self) { try store.save(state.takeChanges()) }
        #expect(!store.isDurable, "the intent is not on disk: no kill may leave")
        try store.save(StateChanges())
        #expect(!store.isDurable, "a save with nothing in it proves nothing")
        state.record(Self.record("j2", .pending))
        try store.save(state.takeChanges())
        #expect(store.isDurable)
        #expect(
            try StateStore(directory: directory).load(now: Self.now).state.kill(JobKey(clusterId: "c1", jobId: "j2"))
                != nil)
    }

    /// Locked is not corrupt: a daemon starting while another process writes reads the state as it is.
    @Test func aDatabaseThatIsOnlyLockedIsReadAsItIs() throws {
        let directory = try Self.directory()
        let first = StateStore(directory: directory)
        var state = try first.load(now: Self.now).state
        state.record(Self.record("j1", .pending))
        try first.save(state.takeChanges())
        let other = try Self.otherProcess(directory)
        try other.inDatabase { try $0.execute(sql: "BEGIN EXCLUSIVE") }
        let locked = try StateStore(directory: directory, busyTimeout: 0.05).load(now: Self.now)
        try other.inDatabase { try $0.execute(sql: "COMMIT") }
        #expect(locked.notices.isEmpty)
        #expect(locked.state == state)
    }

    /// A database that cannot be opened for a reason other than corruption (here: the path is a directory)
    /// is left where it is, and the start fails: a daemon that cannot save its kill intents only holds kills.
    @Test func aDatabaseThatCannotBeOpenedIsLeftAloneAndFailsTheStart() throws {
        let directory = try Self.directory()
        try FileManager.default.createDirectory(atPath: directory + "/state.sqlite", withIntermediateDirectories: true)
        let store = StateStore(directory: directory)
        let error = #expect(throws: (any Error).self) { try store.load(now: Self.now) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("left as it is"))
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: directory)).contains { $0.contains("corrupt") })
    }

    /// A kill stamped 40 days ahead by a clock that was wrong (before the server clock refused single
    /// outliers) never counts against the hourly budget, and is dropped from memory and the database.
    @Test func killTimesStampedFarAheadCountFromNowAndLeaveWithinTheHour() throws {
        let directory = try Self.directory()
        let store = StateStore(directory: directory)
        var state = try store.load(now: Self.now).state
        let earlier = Self.now - 10 * 60_000
        let slightlyAhead = Self.now + 30_000
        state.countKill(at: earlier)
        state.countKill(at: slightlyAhead)  // a clock stepped back a little: still counts as stamped
        state.countKill(at: Self.now + 40 * 24 * Self.hour)  // a clock that was far ahead
        try store.save(state.takeChanges())
        #expect(state.killsInLastHour(now: Self.now) == 3, "a stamp ahead still counts against the budget")
        state.prune(now: Self.now)
        #expect(state.killTimes == [earlier, Self.now, slightlyAhead], "the far stamp counts from now")
        try store.save(state.takeChanges())
        #expect(try StateStore(directory: directory).load(now: Self.now).state.killTimes == state.killTimes)
        // An hour and a minute later every one of them has left the budget, in memory and on disk.
        let later = Self.now + Self.hour + 60_000
        state.prune(now: later)
        #expect(state.killsInLastHour(now: later) == 0 && state.killTimes.isEmpty)
        try store.save(state.takeChanges())
        #expect(try StateStore(directory: directory).load(now: later).state.killTimes.isEmpty)
    }

    @Test func theDatabaseIsPrivateWhateverTheUmask() throws {
        let directory = try Self.directory()
        let old = umask(0o022)
        defer { umask(old) }
        let store = StateStore(directory: directory)
        var state = try store.load(now: Self.now).state
        state.record(Self.record("j1", .pending))
        try store.save(state.takeChanges())
        for file in ["state.sqlite", "state.sqlite-wal"] {
            let mode = try #require(
                try FileManager.default.attributesOfItem(atPath: directory + "/" + file)[.posixPermissions] as? Int)
            #expect(mode & 0o077 == 0, "\(file) is \(String(mode, radix: 8))")
        }
    }

    @Test func aDatabaseEveryUserCouldReadIsMadePrivateWhenOpened() throws {
        let directory = try Self.directory()
        let store = StateStore(directory: directory)
        var state = try store.load(now: Self.now).state
        state.record(Self.record("j1", .pending))
        try store.save(state.takeChanges())
        let path = directory + "/state.sqlite"
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        _ = try StateStore(directory: directory).load(now: Self.now)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o640, "\(String(mode, radix: 8)): other users lose access, the group keeps its own")
    }

    @Test func aVersion01StateFileIsImportedOnceAndRenamed() throws {
        let directory = try Self.directory()
        let legacy = """
            {
              "kill_times" : [\(Self.now - 100), \(Self.now - 50)],
              "kills" : {
                "c1/j1" : {
                  "accepted" : true, "attempts" : 1, "cluster_id" : "c1", "first_attempt_at" : \(Self.now - 100),
                  "job_id" : "j1", "job_name" : "etl-1", "last_attempt_at" : \(Self.now - 100),
                  "last_checked_at" : \(Self.now - 90), "rule" : "dev-2h", "status" : "pending"
                }
              },
              "version" : 1,
              "warned" : { "c1/j/with/slash" : \(Self.now - 500) }
            }
            """
        try legacy.write(toFile: directory + "/state.json", atomically: true, encoding: .utf8)
        let first = try StateStore(directory: directory).load(now: Self.now)
        #expect(
            first.notices.map(\.text) == [
                "imported 1 kill record(s) from \(directory)/state.json into the state database; renamed it \(directory)/state.json.imported"
            ])
        #expect(first.state.pendingKills.map(\.jobId) == ["j1"])
        #expect(first.state.pendingKills.first?.accepted == true)
        #expect(first.state.wasWarned(JobKey(clusterId: "c1", jobId: "j/with/slash")))
        #expect(first.state.killTimes == [Self.now - 100, Self.now - 50])
        #expect(!FileManager.default.fileExists(atPath: directory + "/state.json"))

        let second = try StateStore(directory: directory).load(now: Self.now)
        #expect(second.notices.isEmpty, "imported once")
        #expect(second.state == first.state)
    }

    @Test func aStateFileThatCannotBeReadIsMovedAsideNotImported() throws {
        let directory = try Self.directory()
        try #"{"version": 1, "kills": [truncated"#.write(
            toFile: directory + "/state.json", atomically: true, encoding: .utf8)
        let loaded = try StateStore(directory: directory).load(now: Self.now)
        #expect(loaded.state == WatchdogState())
        #expect(loaded.notices.count == 1)
        #expect(loaded.notices.first?.text.contains("state.json is unreadable") == true)
        #expect(FileManager.default.fileExists(atPath: directory + "/state.json.corrupt-\(Self.now / 1000)"))
    }
}
