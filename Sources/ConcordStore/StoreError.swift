/// A failure of the Concord store, with what failed and why.
///
/// Like GRDB's `DatabaseError`, it keeps the SQL that failed and SQLite's own message, so a
/// failure can be traced to its statement.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; callers switch on it.
    public enum Code: String, Sendable {
        /// The file cannot be opened or created (missing directory, read-only location).
        case cannotOpen
        /// The file is not a SQLite database, or a SQLite database that is not a Concord store.
        case notAConcordStore
        /// The file is damaged.
        case corrupt
        /// The store was written by a newer Concord with a newer schema.
        case newerSchema
        /// The store or its location is read-only.
        case readOnly
        /// The disk holding the store is full (or the store reached its size limit); the
        /// write was rolled back whole.
        case diskFull
        /// The disk failed a read or write of the store (an I/O error).
        case ioError
        /// A record arrived with a different object type than the stored one, or similar.
        case integrity
        /// A read-only open of a store with an older schema (a read-write open migrates it).
        case needsMigration
        /// Another process syncs this store (it holds the store's single-writer lock).
        case inUse
        /// Any other SQLite failure.
        case sqlite
    }

    /// The kind of failure.
    public var code: Code
    /// A readable explanation, including SQLite's message where there is one.
    public var message: String
    /// The store's path, if known.
    public var path: String?
    /// The statement that failed, if any.
    public var sql: String?
    /// SQLite's extended result code, if any.
    public var sqliteCode: Int32?

    /// Creates an error.
    public init(_ code: Code, _ message: String, path: String? = nil, sql: String? = nil, sqliteCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.sql = sql
        self.sqliteCode = sqliteCode
    }

    public var description: String {
        var s = "store error (\(code.rawValue)): \(message)"
        if let path { s += " [store: \(path)]" }
        if let sql { s += " [sql: \(sql)]" }
        return s
    }
}
