import ConcordCore
import CSQLite

/// Concord's embedded store: one SQLite file (WAL) holding every record's field registers,
/// plus the tables the sync engine fills (shadows, links, cursors, outbox, inbox,
/// quarantine) and the replica's identity and clock.
///
/// Not Sendable, like GRDB's `Database`: one owner uses it from one task at a time.
///
/// ```swift
/// let store = try ConcordStore.open(path: "concord.sqlite", wallClock: .system)
/// let result = try store.merge(changesFromPeer)
/// let page = try store.changes(after: .start, limit: 1000)
/// ```
public final class ConcordStore {
    /// Where the store lives (`:memory:` for an in-memory store).
    public let path: String
    /// This replica's site id, created with the store.
    public let siteID: SiteID
    /// The hybrid logical clock, persisted in the same transaction as the writes it stamps.
    public internal(set) var clock: HybridLogicalClock
    /// The source of physical time.
    public let wallClock: WallClock

    let db: SQLiteConnection
    var nextSequence: UInt64 = 1
    var transactionDepth = 0
    var fieldIDs: [String: UInt32] = [:]
    var fieldNames: [UInt32: String] = [:]
    var typeIDs: [String: Int64] = [:]
    var typeNames: [Int64: String] = [:]
    /// Whether any merge redirect exists (most stores have none: lookups skip the table).
    var hasMerges = false
    let statements: StoreStatements
    /// Applied to every error text before it is stored (outbox items, a replica's last
    /// error): the engine keeps record values out of the store's error columns with it.
    public var errorFilter: @Sendable (String) -> String = { $0 }

    /// Opens or creates a store.
    ///
    /// - Parameters:
    ///   - path: a file path, or `:memory:`.
    ///   - wallClock: physical time, injected.
    ///   - maxOffsetMillis: the skew guard: remote timestamps further ahead are quarantined.
    ///   - siteID: the site id for a *new* store (random when `nil`); an existing store keeps its own.
    ///   - readOnly: open without writing anything.
    /// - Throws: ``StoreError`` with code `cannotOpen`, `notAConcordStore`, `corrupt`,
    ///   `newerSchema` or `readOnly`, saying which file, why and what to do. A read-write open
    ///   also refuses a file it could only read, and a write-ahead log whose committed
    ///   transactions SQLite would drop in silence (see ``WriteAheadLogCheck``).
    public static func open(path: String, wallClock: WallClock,
                            maxOffsetMillis: UInt64 = HybridLogicalClock.defaultMaxOffsetMillis,
                            siteID: SiteID? = nil, readOnly: Bool = false) throws(StoreError) -> ConcordStore {
        let db = try SQLiteConnection(path: path, readOnly: readOnly)
        try WriteAheadLogCheck.verify(db, readOnly: readOnly)
        try Migrator.prepare(db, readOnly: readOnly)
        let site = try Migrator.siteID(db, proposed: siteID, readOnly: readOnly)
        let statements = try StoreStatements(db: db)
        let store = ConcordStore(db: db, statements: statements, path: path, siteID: site,
                                 wallClock: wallClock, maxOffsetMillis: maxOffsetMillis)
        try store.reloadState()
        return store
    }

    private init(db: SQLiteConnection, statements: StoreStatements, path: String, siteID: SiteID, wallClock: WallClock, maxOffsetMillis: UInt64) {
        self.db = db
        self.statements = statements
        self.path = path
        self.siteID = siteID
        self.wallClock = wallClock
        self.clock = HybridLogicalClock(maxOffsetMillis: maxOffsetMillis)
    }

    /// Sets this connection's SQLite page cache (64 MiB by default, for a sync's reads of
    /// shadows and links); a replica process that streams bounded batches keeps less, so its
    /// memory stays bounded whatever the size of the store.
    public func setPageCache(mebibytes: Int) throws(StoreError) {
        try db.execute("PRAGMA cache_size = -\(max(1, mebibytes) * 1024)")
    }

    /// Reloads what the store caches in memory (clock, next sequence, interned names) from
    /// the file: on open and after a rolled-back transaction.
    func reloadState() throws(StoreError) {
        let maxOffset = clock.maxOffsetMillis
        var c = HybridLogicalClock(maxOffsetMillis: maxOffset)
        c.advance(toAtLeast: HLCTimestamp(rawValue: try metaUInt("clock") ?? 0))
        clock = c
        nextSequence = (try metaUInt("sequence") ?? 0) + 1
        fieldIDs = [:]; fieldNames = [:]; typeIDs = [:]; typeNames = [:]
        let f = try db.prepare("SELECT id, name FROM fields")
        while try f.step() {
            let id = UInt32(f.int64(0)), name = f.text(1)
            fieldIDs[name] = id; fieldNames[id] = name
        }
        let t = try db.prepare("SELECT id, name FROM object_types")
        while try t.step() {
            let id = t.int64(0), name = t.text(1)
            typeIDs[name] = id; typeNames[id] = name
        }
        let m = try db.prepare("SELECT EXISTS(SELECT 1 FROM merged_into)")
        hasMerges = try m.step() && m.int64(0) != 0
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction, persisting the clock and sequence
    /// with it. On any error it rolls back and the store is as it was before. Nested calls
    /// join the outer transaction.
    func writeTransaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        if transactionDepth > 0 {
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            return try body()
        }
        try db.execute("BEGIN IMMEDIATE")
        transactionDepth = 1
        defer { transactionDepth = 0 }
        do {
            let result = try body()
            try setMeta("clock", clock.last.rawValue)
            try setMeta("sequence", nextSequence - 1)
            try db.execute("COMMIT")
            return result
        } catch {
            if db.inTransaction { try? db.execute("ROLLBACK") }
            try? reloadState()
            throw error
        }
    }

    /// Runs `body` in one transaction: merges, shadows, links, cursors and outbox entries
    /// written inside it become durable together, or not at all.
    ///
    /// ```swift
    /// try store.transaction { store in
    ///     _ = try store.merge(changes, origin: "hubspot")
    ///     try store.setCursor("...", replica: "hubspot", objectType: "contact")
    /// }
    /// ```
    public func transaction<T>(_ body: (ConcordStore) throws(StoreError) -> T) throws(StoreError) -> T {
        try writeTransaction { () throws(StoreError) -> T in try body(self) }
    }

    /// The interned id of a field name, creating it inside the current transaction.
    func fieldID(_ name: String) throws(StoreError) -> UInt32 {
        if let id = fieldIDs[name] { return id }
        let s = statements.insertField
        s.reset(); s.bind(1, name)
        try s.run()
        let id = UInt32(sqlite3_last_insert_rowid(db.handle))
        fieldIDs[name] = id; fieldNames[id] = name
        return id
    }

    /// The interned id of an object type, creating it inside the current transaction.
    func typeID(_ name: String) throws(StoreError) -> Int64 {
        if let id = typeIDs[name] { return id }
        let s = statements.insertType
        s.reset(); s.bind(1, name)
        try s.run()
        let id = sqlite3_last_insert_rowid(db.handle)
        typeIDs[name] = id; typeNames[id] = name
        return id
    }

    func metaUInt(_ key: String) throws(StoreError) -> UInt64? {
        let s = statements.getMeta
        s.reset(); s.bind(1, key)
        guard try s.step() else { return nil }
        let v = s.uint64(0)
        s.reset()
        return v
    }

    func setMeta(_ key: String, _ value: UInt64) throws(StoreError) {
        let s = statements.setMeta
        s.reset(); s.bind(1, key); s.bind(2, value)
        try s.run()
    }
}

@available(*, unavailable)
extension ConcordStore: Sendable {}
