import ConcordCore

/// Checks what a file is and brings its schema up to date.
enum Migrator {
    /// Verifies that `db` is empty or a Concord store no newer than this code, applies
    /// pending migrations (unless read-only) and sets the connection's pragmas.
    static func prepare(_ db: SQLiteConnection, readOnly: Bool) throws(StoreError) {
        // The first read of the header: a file that is not SQLite fails here.
        let appID = Int32(truncatingIfNeeded: try scalar(db, "PRAGMA application_id"))
        let objects = try scalar(db, "SELECT count(*) FROM sqlite_master")
        let version = Int(try scalar(db, "PRAGMA user_version"))
        if objects > 0 && appID != Schema.applicationID {
            throw StoreError(.notAConcordStore,
                             "\(db.path) is a SQLite database but not a Concord store (application_id \(appID), tables present); refusing to touch it",
                             path: db.path)
        }
        if version > Schema.currentVersion {
            throw StoreError(.newerSchema,
                             "\(db.path) has schema version \(version), newer than this Concord understands (\(Schema.currentVersion)); upgrade Concord to open it",
                             path: db.path)
        }
        if !readOnly {
            if db.path != ":memory:" {
                try db.execute("PRAGMA journal_mode = WAL")
            }
            // FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on a power loss, and
            // those include the commit that marks a create as sent before it goes out (what
            // keeps a create without an upsert key from being sent twice). FULL costs one fsync
            // per commit: 0.53 ms against 0.04 ms here, on a commit per page or batch (README).
            try db.execute("PRAGMA synchronous = FULL; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY")
        }
        guard version < Schema.currentVersion else { return }
        if readOnly {
            throw StoreError(.needsMigration, "\(db.path) needs a schema migration (\(version) -> \(Schema.currentVersion)) but was opened read-only", path: db.path)
        }
        try db.execute("BEGIN IMMEDIATE")
        do {
            for step in Schema.migrations[version...] { try db.execute(step) }
            try db.execute("PRAGMA application_id = \(Schema.applicationID); PRAGMA user_version = \(Schema.currentVersion)")
            try db.execute("INSERT INTO meta(key, value) VALUES ('schema_version', \(Schema.currentVersion)) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            try db.execute("COMMIT")
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }

    /// The store's site id, created on first open.
    static func siteID(_ db: SQLiteConnection, proposed: SiteID?, readOnly: Bool) throws(StoreError) -> SiteID {
        let s = try db.prepare("SELECT value FROM meta WHERE key = 'site_id'")
        if try s.step() { return SiteID(rawValue: s.uint64(0)) }
        let site = proposed ?? SiteID.random()
        if readOnly { return site }
        let ins = try db.prepare("INSERT INTO meta(key, value) VALUES ('site_id', ?)")
        ins.bind(1, site.rawValue)
        try ins.run()
        return site
    }

    static func scalar(_ db: SQLiteConnection, _ sql: String) throws(StoreError) -> Int64 {
        let s = try db.prepare(sql)
        guard try s.step() else { return 0 }
        return s.int64(0)
    }
}
