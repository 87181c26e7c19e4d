import CSQLite

/// A prepared statement, reset and rebound for each use.
///
/// A pooled statement goes back to its connection's pool when released; a dedicated one is
/// finalized. Not Sendable: used only by the connection's owner.
final class SQLiteStatement {
    let connection: SQLiteConnection
    let handle: OpaquePointer
    let sql: String
    private let pooled: Bool

    init(connection: SQLiteConnection, handle: OpaquePointer, sql: String, pooled: Bool) {
        self.connection = connection
        self.handle = handle
        self.sql = sql
        self.pooled = pooled
    }

    deinit {
        if pooled { connection.recycle(handle, sql: sql) } else { sqlite3_finalize(handle) }
    }

    /// Resets the statement and clears its bindings.
    @inline(__always)
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    @inline(__always) func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }
    @inline(__always) func bind(_ index: Int32, _ value: UInt64) { sqlite3_bind_int64(handle, index, Int64(bitPattern: value)) }
    @inline(__always) func bindNull(_ index: Int32) { sqlite3_bind_null(handle, index) }
    @inline(__always) func bind(_ index: Int32, _ value: String) {
        sqlite3_bind_text(handle, index, value, -1, concord_sqlite_transient())
    }
    @inline(__always) func bind(_ index: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            _ = sqlite3_bind_blob(handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), concord_sqlite_transient())
        }
    }

    /// Steps once: `true` when a row is available, `false` when done.
    @inline(__always)
    func step() throws(StoreError) -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw connection.error(rc, String(cString: sqlite3_errmsg(connection.handle)), sql: sql)
    }

    /// Steps until done, for statements that return no rows.
    @inline(__always)
    func run() throws(StoreError) {
        while try step() {}
    }

    @inline(__always) func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    @inline(__always) func uint64(_ column: Int32) -> UInt64 { UInt64(bitPattern: sqlite3_column_int64(handle, column)) }
    @inline(__always) func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(handle, column) else { return "" }
        return String(cString: p)
    }
    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let p = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: count))
    }
}

@available(*, unavailable)
extension SQLiteStatement: Sendable {}
