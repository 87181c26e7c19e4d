import CSQLite
import ConcordCore
import ConcordStore

/// Raw SQLite baselines, row per field, through the C API with one prepared statement and
/// one transaction per batch: what the row-per-field layout costs at best.
public enum SQLiteBaseline {
    /// Which statement to measure.
    public enum Mode: Sendable {
        /// `INSERT INTO r VALUES (...)` into a rowid table.
        case plainInsert
        /// The conditional `WITHOUT ROWID` UPSERT of the performance anchors.
        case upsert
    }

    /// Inserts every register of `records` and returns the seconds it took.
    public static func run(_ mode: Mode, records: [RecordChange], path: String, batchRecords: Int) throws -> Double {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) == SQLITE_OK, let db else {
            throw BenchError("cannot open baseline database at \(path)")
        }
        defer { sqlite3_close_v2(db) }
        func exec(_ sql: String) throws {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw BenchError(String(cString: sqlite3_errmsg(db))) }
        }
        if path != ":memory:" { try exec("PRAGMA journal_mode = WAL") }
        try exec("PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536")
        let sql: String
        switch mode {
        case .plainInsert:
            try exec("CREATE TABLE r(id INTEGER NOT NULL, field INTEGER NOT NULL, value BLOB, hlc INTEGER NOT NULL, site INTEGER NOT NULL)")
            sql = "INSERT INTO r(id, field, value, hlc, site) VALUES (?, ?, ?, ?, ?)"
        case .upsert:
            try exec("""
                CREATE TABLE r(id INTEGER NOT NULL, field INTEGER NOT NULL, value BLOB, hlc INTEGER NOT NULL,
                               site INTEGER NOT NULL, PRIMARY KEY(id, field)) WITHOUT ROWID
                """)
            sql = """
                INSERT INTO r(id, field, value, hlc, site) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id, field) DO UPDATE SET value = excluded.value, hlc = excluded.hlc, site = excluded.site
                WHERE excluded.hlc > hlc OR (excluded.hlc = hlc AND excluded.site > site)
                """
        }
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil) == SQLITE_OK, let stmt else {
            throw BenchError(String(cString: sqlite3_errmsg(db)))
        }
        defer { sqlite3_finalize(stmt) }
        // Field names are interned up front, as the store does; ids are the record's position
        // in key order, so sorted input means key-ordered inserts.
        var fieldIDs: [String: Int64] = [:]
        let rank = Dictionary(uniqueKeysWithValues: records.map(\.id).sorted().enumerated().map { ($1, Int64($0)) })
        var bytes: [UInt8] = []
        let clock = ContinuousClock()
        let start = clock.now
        var i = 0
        while i < records.count {
            try exec("BEGIN")
            for change in records[i..<min(records.count, i + batchRecords)] {
                let id = rank[change.id]!
                for entry in change.state.entries {
                    let name = entry.name, reg = entry.register
                    let fid: Int64
                    if let f = fieldIDs[name] { fid = f } else { fid = Int64(fieldIDs.count); fieldIDs[name] = fid }
                    bytes.removeAll(keepingCapacity: true)
                    reg.value.encode(into: &bytes)
                    sqlite3_bind_int64(stmt, 1, id)
                    sqlite3_bind_int64(stmt, 2, fid)
                    bytes.withUnsafeBytes { _ = sqlite3_bind_blob(stmt, 3, $0.baseAddress, Int32($0.count), concord_sqlite_transient()) }
                    sqlite3_bind_int64(stmt, 4, Int64(bitPattern: reg.stamp.hlc.rawValue))
                    sqlite3_bind_int64(stmt, 5, Int64(bitPattern: reg.stamp.site.rawValue))
                    guard sqlite3_step(stmt) == SQLITE_DONE else { throw BenchError(String(cString: sqlite3_errmsg(db))) }
                    sqlite3_reset(stmt)
                }
            }
            try exec("COMMIT")
            i += batchRecords
        }
        return seconds(clock.now - start)
    }
}

/// A benchmark setup failure.
public struct BenchError: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    init(_ description: String) { self.description = description }
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}
