import CSQLite

/// A thin owner of one `sqlite3*` connection.
///
/// Not Sendable: a connection must be used from one thread at a time, by its owner.
final class SQLiteConnection {
    let handle: OpaquePointer
    let path: String
    /// Prepared statements not in use, by SQL text: ``prepare(_:)`` hands one out and the
    /// statement returns here, reset, when its owner lets go of it. Preparing costs as much
    /// as running a small statement, and the engine runs the same few statements per record.
    private var idle: [String: [OpaquePointer]] = [:]

    /// Opens (or creates, unless `readOnly`) the database at `path`.
    init(path: String, readOnly: Bool) throws(StoreError) {
        var db: OpaquePointer?
        // No SQLITE_OPEN_URI, and no path SQLite would read as a URI anyway (Debian's build
        // turns URIs on for every open): a `--store file:...?vfs=...` argument must not pick
        // a VFS or open another database.
        if path.lowercased().hasPrefix("file:") {
            throw StoreError(.cannotOpen, "refusing the store path \(path): it would be read as an SQLite URI; "
                             + "give a plain file path (./\(path) if the name really starts with file:)", path: path)
        }
        let flags = (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_NOMUTEX
        if !readOnly { StoreFileMode.createPrivate(path) }
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw StoreError(.cannotOpen, "cannot open \(path): \(message)", path: path, sqliteCode: rc)
        }
        sqlite3_extended_result_codes(db, 1)
        // SQLite falls back to a read-only open when the file cannot be written (permissions,
        // a read-only file system): say so now, not at the first write of a sync.
        if !readOnly && sqlite3_db_readonly(db, "main") == 1 {
            sqlite3_close_v2(db)
            throw StoreError(.readOnly, "\(path) cannot be written (it is read-only for this user, or on a read-only file system): "
                             + Self.readOnlyHint(path), path: path, sqliteCode: SQLITE_READONLY)
        }
        // A short CLI write (`concord restore`, `quarantine retry`) made while a sync commits a
        // page waits for it instead of failing at once with SQLITE_BUSY.
        sqlite3_busy_timeout(db, Self.busyTimeoutMillis)
        self.handle = db
        self.path = path
    }

    /// How long a write waits for another connection's transaction to end.
    static let busyTimeoutMillis: Int32 = 10_000

    /// What to do about a store that cannot be written.
    static func readOnlyHint(_ path: String) -> String {
        "make \(path), its -wal and -shm files and its folder writable by this user (or pass a writable --store); "
            + "nothing was written, so the store still holds its last committed state"
    }

    deinit {
        for handles in idle.values { for h in handles { sqlite3_finalize(h) } }
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws(StoreError) {
        var errmsg: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errmsg)
        if rc != SQLITE_OK {
            let message = errmsg.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errmsg)
            throw error(rc, message, sql: sql)
        }
    }

    /// A prepared statement for `sql`: an idle one from the pool, or a new one. When the
    /// returned object is released, its statement is reset (ending any read it holds open)
    /// and goes back to the pool, so call sites keep the lifetime rules of a fresh statement.
    func prepare(_ sql: String) throws(StoreError) -> SQLiteStatement {
        if let h = idle[sql]?.popLast() { return SQLiteStatement(connection: self, handle: h, sql: sql, pooled: true) }
        return SQLiteStatement(connection: self, handle: try compile(sql), sql: sql, pooled: true)
    }

    /// A statement owned by the caller alone (finalized when released), for statements kept
    /// for the life of the store.
    func prepareDedicated(_ sql: String) throws(StoreError) -> SQLiteStatement {
        SQLiteStatement(connection: self, handle: try compile(sql), sql: sql, pooled: false)
    }

    /// Takes back a pooled statement; at most a few idle copies of one SQL text are kept.
    func recycle(_ statement: OpaquePointer, sql: String) {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        if idle[sql, default: []].count < 4 { idle[sql, default: []].append(statement) } else { sqlite3_finalize(statement) }
    }

    private func compile(_ sql: String) throws(StoreError) -> OpaquePointer {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw error(rc, String(cString: sqlite3_errmsg(handle)), sql: sql)
        }
        return stmt
    }

    /// Whether a transaction is open.
    var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Maps a SQLite result code to a ``StoreError`` with a clear code, naming the file and
    /// saying what to do. A failed write inside ``ConcordStore/transaction(_:)`` is rolled
    /// back whole, so every message can promise the last committed state is intact.
    func error(_ rc: Int32, _ message: String, sql: String?) -> StoreError {
        let primary = rc & 0xff
        let code: StoreError.Code
        switch primary {
        case SQLITE_NOTADB: code = .notAConcordStore
        case SQLITE_CORRUPT: code = .corrupt
        case SQLITE_READONLY: code = .readOnly
        case SQLITE_CANTOPEN: code = .cannotOpen
        case SQLITE_FULL: code = .diskFull
        case SQLITE_IOERR: code = .ioError
        default: code = .sqlite
        }
        let explanation: String
        switch code {
        case .notAConcordStore: explanation = "\(path) is not a SQLite database, so not a Concord store: \(message)"
        case .corrupt:
            explanation = "\(path) is damaged (SQLite: \(message)); restore it from a backup, or move it aside "
                + "(with its -wal and -shm files) and run `concord sync` to rebuild it from the CRMs"
        case .readOnly: explanation = "\(path) cannot be written (SQLite: \(message)): " + Self.readOnlyHint(path)
        case .diskFull:
            explanation = "\(path) cannot grow: the disk is full or the store reached its size limit (SQLite: \(message)); "
                + "nothing of this write was kept, the store holds its last committed state: free space on the disk "
                + "holding \(path) and run again, Concord resumes where it stopped"
        case .ioError:
            explanation = "\(path): the disk failed a read or write (SQLite: \(message)); nothing of this write was kept: "
                + "check the disk (space, errors in the system log) and run again"
        default: explanation = message
        }
        return StoreError(code, explanation, path: path, sql: sql, sqliteCode: rc)
    }
}

@available(*, unavailable)
extension SQLiteConnection: Sendable {}
