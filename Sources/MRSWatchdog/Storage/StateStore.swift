import GRDB
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The daemon's state in `state.sqlite` in the state directory: SQLite in WAL mode with `synchronous=FULL`,
/// one row per kill record, warned job, budget slot and history entry. Each save is one transaction over the
/// rows that changed, so its cost does not grow with what is stored. A database SQLite calls corrupt is moved
/// aside and a new one started (reported); one that cannot be opened otherwise is a start-up error: a daemon
/// that cannot remember its kill intents would only hold every kill. A `state.json` of version 0.1 is
/// imported once and renamed. One daemon per directory: the caller holds its `StateDirectoryLock`.
public final class StateStore: Sendable {
    public let directory: String
    /// How long decisions are kept for reports, ms.
    public let historyRetentionMillis: Int64
    private let database = Mutex<DatabaseQueue?>(nil)
    /// Changes a failed save could not write, written with the next.
    private let backlog = Mutex(StateChanges())
    /// True from a save whose changes SQLite refused for good (and were dropped) until the next save that
    /// succeeds: the kill intents among them are not on disk.
    private let dropped = Mutex(false)

    public var path: String { directory + "/state.sqlite" }
    var legacyPath: String { directory + "/state.json" }

    public static let defaultHistoryRetentionMillis: Int64 = 30 * 86_400_000

    /// How long a write waits for another process's lock (`sqlite3`, a `report` reading), seconds.
    let busyTimeout: Double

    public init(
        directory: String, historyRetentionMillis: Int64 = StateStore.defaultHistoryRetentionMillis,
        busyTimeout: Double = 5
    ) {
        self.directory = directory
        self.historyRetentionMillis = historyRetentionMillis
        self.busyTimeout = busyTimeout
    }

    public struct Loaded: Sendable {
        public var state: WatchdogState
        /// What happened on the way: a database moved aside, a state file imported.
        public var notices: [WatchdogNotice] = []
    }

    /// Opens the database (creating it when missing, files 0600) and reads the state; `now` is server time
    /// (epoch ms), for naming what is moved aside. A database that is corrupt is moved aside and a new one
    /// started, and reported.
    /// - Throws: `StateFileError` when the database cannot be opened for another reason (disk full,
    ///   read-only, permissions, the path is a directory): the daemon does not start.
    public func load(now: Int64) throws -> Loaded {
        var loaded = Loaded(state: WatchdogState())
        let queue: DatabaseQueue
        do {
            (queue, loaded.state) = try Self.openAndRead(path, busyTimeout: busyTimeout)
        } catch  where Self.isCorrupt(error) {
            loaded.notices.append(moveAside(path, because: error, now: now, companions: ["-wal", "-shm"]))
            do {
                queue = try Self.open(path, busyTimeout: busyTimeout)
            } catch {
                throw StateFileError("cannot open the state database \(path): \(error)")
            }
        } catch {
            throw StateFileError("cannot open the state database \(path) (left as it is): \(error)")
        }
        if FileManager.default.fileExists(atPath: legacyPath) {
            loaded.notices.append(importLegacy(into: queue, state: &loaded.state, now: now))
        }
        self.database.withLock { $0 = queue }
        return loaded
    }

    /// Writes `changes`, and any earlier changes that could not be written, in one transaction. What fails
    /// for a passing reason (disk full, locked) is kept and written with the next save, so memory and the
    /// database never drift apart for good; what SQLite can never write (a constraint, a type, a size) is
    /// dropped, so it does not block every later save.
    /// - Throws: GRDB's `DatabaseError` when SQLite refuses, `StateFileError` when no database is open.
    public func save(_ changes: StateChanges) throws {
        try backlog.withLock { backlog in
            backlog.merge(changes)
            guard !backlog.isEmpty else { return }
            guard let queue = database.withLock({ $0 }) else { throw StateFileError("no state database is open") }
            let pending = backlog
            do {
                try queue.write { db in try Self.write(pending, historyRetentionMillis: historyRetentionMillis, db) }
            } catch let error as DatabaseError
                where [.SQLITE_CONSTRAINT, .SQLITE_MISMATCH, .SQLITE_TOOBIG].contains(error.resultCode)
            {
                backlog = StateChanges()
                dropped.withLock { $0 = true }
                throw StateFileError("dropped changes SQLite cannot store: \(error)")
            }
            backlog = StateChanges()
            dropped.withLock { $0 = false }
        }
    }

    /// True when everything the daemon knows is committed to disk: a database is open, no unsaved changes, and
    /// no change set was dropped since the last save that succeeded.
    /// A kill is sent only then, so a restart can never send it a second time unknowingly.
    public var isDurable: Bool {
        database.withLock { $0 != nil } && backlog.withLock { $0.isEmpty } && !dropped.withLock { $0 }
    }

    /// The history entries from `since` (server epoch ms) on, oldest first.
    public func history(since: Int64) throws -> [HistoryEntry] {
        guard let queue = database.withLock({ $0 }) else { throw StateFileError("the state database is not open") }
        return try queue.read { try Self.history($0, since: since) }
    }

    /// The history of the database at `path`, opened read-only beside a running daemon: nothing is migrated,
    /// moved aside or written (`mrs-watchdog report`). A database in a folder the reader cannot write (a
    /// backup copy, another user's state) cannot be read in place, as WAL mode creates its `-shm` file
    /// beside it: it is then read from a private copy of the database and its `-wal`, which is removed after.
    /// - Throws: GRDB's `DatabaseError`, `StateFileError` for a row that cannot be read or a copy that fails.
    public static func history(path: String, since: Int64) throws -> [HistoryEntry] {
        do {
            return try readOnly(path) { try history($0, since: since) }
        } catch let error as DatabaseError
            where [.SQLITE_READONLY, .SQLITE_CANTOPEN].contains(error.resultCode.primaryResultCode)
        {
            return try fromCopy(of: path) { copy in try readOnly(copy) { try history($0, since: since) } }
        }
    }

    private static func readOnly<T>(_ path: String, _ body: (Database) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "state-report"
        configuration.busyMode = .timeout(1)
        return try DatabaseQueue(path: path, configuration: configuration).read(body)
    }

    /// `body` on a copy of the database at `path` (and its `-wal`) in a new private temporary folder.
    /// A daemon may write between the two copies; they are taken again (at most 5 times) until neither file
    /// changed (size, modification time) while they were copied.
    private static func fromCopy<T>(of path: String, _ body: (String) throws -> T) throws -> T {
        var template = Array((FileManager.default.temporaryDirectory.path + "/mrs-watchdog-report-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw StateFileError("cannot make a folder to read a copy of \(path): errno \(errno)")
        }
        let folder = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let copy = folder + "/state.sqlite"
        func version() -> [Int64] {
            [path, path + "-wal"].flatMap { file -> [Int64] in
                var info = stat()
                guard stat(file, &info) == 0 else { return [-1, -1, -1] }
                return [Int64(info.st_size), Int64(info.st_mtim.tv_sec), Int64(info.st_mtim.tv_nsec)]
            }
        }
        for attempt in 1...5 {
            let before = version()
            do {
                for file in [copy, copy + "-wal"] where FileManager.default.fileExists(atPath: file) {
                    try FileManager.default.removeItem(atPath: file)
                }
                try FileManager.default.copyItem(atPath: path, toPath: copy)
                if FileManager.default.fileExists(atPath: path + "-wal") {
                    try FileManager.default.copyItem(atPath: path + "-wal", toPath: copy + "-wal")
                }
            } catch {
                throw StateFileError("cannot copy \(path) to read it: \(error)")
            }
            if version() == before { break }
            if attempt == 5 { throw StateFileError("\(path) kept changing while it was copied; try again") }
        }
        return try body(copy)
    }

    private static func history(_ db: Database, since: Int64) throws -> [HistoryEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM history WHERE at >= ? ORDER BY at, id", arguments: [since])
            .compactMap { row in
                // An action this version does not know (a newer daemon's) is left out, not an error.
                guard let action = DecisionRecord.Action(rawValue: try value(row, "action")) else { return nil }
                return HistoryEntry(
                    at: try value(row, "at"), action: action, clusterId: try value(row, "cluster_id"),
                    jobId: try value(row, "job_id"), jobName: try optional(row, "job_name"),
                    user: try optional(row, "user"), queue: try optional(row, "queue"), rule: try optional(row, "rule"),
                    elapsedMillis: try optional(row, "elapsed_ms"), limitMillis: try optional(row, "limit_ms"),
                    detail: try optional(row, "detail"))
            }
    }

    // MARK: Opening and reading

    /// SQLite's own verdict (`SQLITE_CORRUPT`, `SQLITE_NOTADB`) or ours (a failed integrity check, a row that
    /// cannot be read): the file is not a state database we can use, so it is moved aside.
    private static func isCorrupt(_ error: any Error) -> Bool {
        if error is StateFileError { return true }
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
    }

    private static func openAndRead(_ path: String, busyTimeout: Double) throws -> (DatabaseQueue, WatchdogState) {
        let queue = try open(path, busyTimeout: busyTimeout)
        return (queue, try queue.read(read))
    }

    static func open(_ path: String, busyTimeout: Double = 1) throws -> DatabaseQueue {
        // Created 0600 whatever the umask; SQLite gives its -wal and -shm files the database file's mode. One
        // made readable by every user (an older version, a restore) loses that; group access, which lets an
        // operators group run `report`, is the administrator's to give.
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd >= 0 { close(fd) }
        for file in [path, path + "-wal", path + "-shm"] {
            var info = stat()
            if stat(file, &info) == 0, info.st_mode & 0o007 != 0 { chmod(file, info.st_mode & 0o770) }
        }
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.label = "state"
        configuration.busyMode = .timeout(busyTimeout)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        // A committed kill intent must survive a power cut, not only a crash of the process. Set after
        // opening: GRDB's WAL set-up chooses NORMAL, which may lose the last commits on a power cut.
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        let check = try queue.read { try String.fetchOne($0, sql: "PRAGMA quick_check") }
        guard check == "ok" else { throw StateFileError("integrity check failed: \(check ?? "no answer")") }
        try StateSchema.migrator.migrate(queue)
        return queue
    }

    private static func read(_ db: Database) throws -> WatchdogState {
        var kills: [JobKey: KillRecord] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT * FROM kill")
        while let row = try rows.next() {
            let status: String = try value(row, "status")
            guard let parsed = KillRecord.Status(rawValue: status) else {
                throw StateFileError("kill record with unknown status '\(status)'")
            }
            var record = KillRecord(
                clusterId: try value(row, "cluster_id"), jobId: try value(row, "job_id"), status: parsed,
                firstAttemptAt: try value(row, "first_attempt_at"))
            record.jobName = try optional(row, "job_name")
            record.user = try optional(row, "user")
            record.rule = try optional(row, "rule")
            record.attempts = try value(row, "attempts")
            record.accepted = try value(row, "accepted")
            record.lastAttemptAt = try value(row, "last_attempt_at")
            record.lastCheckedAt = try value(row, "last_checked_at")
            record.lastError = try optional(row, "last_error")
            record.resolvedAt = try optional(row, "resolved_at")
            record.notBefore = try optional(row, "not_before")
            kills[record.key] = record
        }
        var warned: [JobKey: Int64] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT cluster_id, job_id, at FROM warned") {
            warned[JobKey(clusterId: try value(row, "cluster_id"), jobId: try value(row, "job_id"))] = try value(
                row, "at")
        }
        let killTimes = try Row.fetchAll(db, sql: "SELECT at FROM kill_time ORDER BY at").map {
            try value($0, "at") as Int64
        }
        return WatchdogState(warned: warned, kills: kills, killTimes: killTimes)
    }

    /// A column's value; a value of the wrong type is a corrupt database (GRDB's plain subscript would trap).
    private static func value<Value: DatabaseValueConvertible>(_ row: Row, _ column: String) throws -> Value {
        let raw: DatabaseValue = row[column]
        guard let value = Value.fromDatabaseValue(raw) else {
            throw StateFileError("\(column) holds \(raw), not a \(Value.self)")
        }
        return value
    }

    private static func optional<Value: DatabaseValueConvertible>(_ row: Row, _ column: String) throws -> Value? {
        let raw: DatabaseValue = row[column]
        return raw.isNull ? nil : try value(row, column)
    }

    // MARK: Writing

    private static func write(_ changes: StateChanges, historyRetentionMillis: Int64, _ db: Database) throws {
        for (key, record) in changes.kills {
            if let record {
                try db.cachedStatement(
                    sql: """
                        INSERT OR REPLACE INTO kill (cluster_id, job_id, job_name, user, rule, status, attempts,
                            accepted, first_attempt_at, last_attempt_at, last_checked_at, last_error, resolved_at,
                            not_before)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """
                ).execute(arguments: [
                    record.clusterId, record.jobId, record.jobName, record.user, record.rule, record.status.rawValue,
                    record.attempts, record.accepted, record.firstAttemptAt, record.lastAttemptAt,
                    record.lastCheckedAt, record.lastError, record.resolvedAt, record.notBefore,
                ])
            } else {
                try db.cachedStatement(sql: "DELETE FROM kill WHERE cluster_id = ? AND job_id = ?")
                    .execute(arguments: [key.clusterId, key.jobId])
            }
        }
        for (key, at) in changes.warned {
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO warned VALUES (?, ?, ?)")
                .execute(arguments: [key.clusterId, key.jobId, at])
        }
        for at in changes.killTimes {
            try db.cachedStatement(sql: "INSERT INTO kill_time VALUES (?)").execute(arguments: [at])
        }
        for entry in changes.history {
            try db.cachedStatement(
                sql: """
                    INSERT INTO history (at, action, cluster_id, job_id, job_name, user, queue, rule, elapsed_ms,
                        limit_ms, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                entry.at, entry.action.rawValue, entry.clusterId, entry.jobId, entry.jobName, entry.user,
                entry.queue, entry.rule, entry.elapsedMillis, entry.limitMillis, entry.detail,
            ])
        }
        if let now = changes.prunedAt {
            // The same cut-offs as `WatchdogState.prune`, by index.
            try db.cachedStatement(sql: "DELETE FROM kill_time WHERE at <= ?")
                .execute(arguments: [now - WatchdogState.hourMillis])
            try db.cachedStatement(sql: "UPDATE kill_time SET at = ? WHERE at > ?")
                .execute(arguments: [now, now + WatchdogState.aheadToleranceMillis])
            try db.cachedStatement(sql: "DELETE FROM warned WHERE at <= ?")
                .execute(arguments: [now - WatchdogState.retentionMillis])
            try db.cachedStatement(sql: "DELETE FROM kill WHERE status != 'pending' AND resolved_at <= ?")
                .execute(arguments: [now - WatchdogState.retentionMillis])
            try db.cachedStatement(sql: "DELETE FROM history WHERE at <= ?")
                .execute(arguments: [now - historyRetentionMillis])
        }
    }

    // MARK: Moving aside and importing

    /// Renames `file` (and its companions, e.g. `-wal`) to `file.corrupt-SECONDS`; the notice says why and where.
    private func moveAside(
        _ file: String, because error: any Error, now: Int64, companions: [String] = []
    ) -> WatchdogNotice {
        let aside = "\(file).corrupt-\(now / 1000)"
        guard rename(file, aside) == 0 else {
            let code = errno
            let reason = code == ENOENT ? "\(error)" : "\(error) (errno \(code) moving it)"
            return .stateUnreadable(path: file, reason: reason, movedTo: nil)
        }
        for suffix in companions { rename(file + suffix, aside + suffix) }
        return .stateUnreadable(path: file, reason: "\(error)", movedTo: aside)
    }

    /// Imports version 0.1's `state.json` (the database's own rows win on a conflict) and renames it
    /// `state.json.imported`; a file that cannot be parsed is moved aside instead.
    private func importLegacy(into queue: DatabaseQueue, state: inout WatchdogState, now: Int64) -> WatchdogNotice {
        guard let data = FileManager.default.contents(atPath: legacyPath) else {
            return .stateUnreadable(path: legacyPath, reason: "cannot read it: errno \(errno)", movedTo: nil)
        }
        let legacy: WatchdogState
        do {
            legacy = try LegacyStateFile.read(data)
        } catch {
            return moveAside(legacyPath, because: error, now: now)
        }
        var rows = StateChanges()
        rows.kills = legacy.kills.filter { state.kills[$0.key] == nil }.mapValues { .some($0) }
        rows.warned = legacy.warned.filter { state.warned[$0.key] == nil }
        // The hourly budget's kill times are not keyed: taken only into a database that has none.
        rows.killTimes = state.killTimes.isEmpty ? legacy.killTimes : []
        state = WatchdogState(
            warned: state.warned.merging(rows.warned) { kept, _ in kept },
            kills: state.kills.merging(rows.kills.compactMapValues { $0 }) { kept, _ in kept },
            killTimes: state.killTimes + rows.killTimes)
        do {
            try queue.write { db in try Self.write(rows, historyRetentionMillis: historyRetentionMillis, db) }
        } catch {
            return .stateSaveFailed(reason: "cannot import \(legacyPath): \(error); it is read again at the next start")
        }
        let imported = legacyPath + ".imported"
        let renamed = rename(legacyPath, imported) == 0
        return .stateImported(from: legacyPath, movedTo: renamed ? imported : nil, kills: rows.kills.count)
    }
}
