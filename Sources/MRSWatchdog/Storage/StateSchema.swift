import GRDB

/// The tables of `state.sqlite`, as migrations: one row per kill record, warned job, first kill request of the
/// last hour (the hourly budget) and decision kept for reports. Keys and indexes make every save and prune
/// touch only the rows it changes. STRICT tables: a value of the wrong type is refused when written.
enum StateSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE kill (
                        cluster_id TEXT NOT NULL, job_id TEXT NOT NULL, job_name TEXT, rule TEXT,
                        status TEXT NOT NULL, attempts INTEGER NOT NULL, accepted INTEGER NOT NULL,
                        first_attempt_at INTEGER NOT NULL, last_attempt_at INTEGER NOT NULL,
                        last_checked_at INTEGER NOT NULL, last_error TEXT, resolved_at INTEGER, not_before INTEGER,
                        PRIMARY KEY (cluster_id, job_id)
                    ) WITHOUT ROWID, STRICT;
                    CREATE INDEX kill_resolved ON kill(resolved_at) WHERE status != 'pending';
                    CREATE TABLE warned (
                        cluster_id TEXT NOT NULL, job_id TEXT NOT NULL, at INTEGER NOT NULL,
                        PRIMARY KEY (cluster_id, job_id)
                    ) WITHOUT ROWID, STRICT;
                    CREATE INDEX warned_at ON warned(at);
                    CREATE TABLE kill_time (at INTEGER NOT NULL) STRICT;
                    CREATE INDEX kill_time_at ON kill_time(at);
                    CREATE TABLE history (
                        id INTEGER PRIMARY KEY, at INTEGER NOT NULL, action TEXT NOT NULL,
                        cluster_id TEXT NOT NULL, job_id TEXT NOT NULL, job_name TEXT, user TEXT, queue TEXT,
                        rule TEXT, elapsed_ms INTEGER, limit_ms INTEGER, detail TEXT
                    ) STRICT;
                    CREATE INDEX history_at ON history(at);
                    """)
        }
        // The job's user, which with the cluster and name tells a kill loop.
        migrator.registerMigration("v2") { db in
            try db.execute(sql: "ALTER TABLE kill ADD COLUMN user TEXT")
        }
        return migrator
    }
}
