import ConcordCore

/// The Sendable way to a ``ConcordStore``: an actor that owns the store and runs every
/// access on its own executor, one at a time (the shape of GRDB's `DatabaseQueue`).
///
/// ```swift
/// let handle = try StoreHandle(path: "concord.sqlite", wallClock: .system)
/// let n = try await handle.access { try $0.count() }
/// ```
public actor StoreHandle {
    private let store: ConcordStore

    /// Opens the store at `path` (see ``ConcordStore/open(path:wallClock:maxOffsetMillis:siteID:readOnly:)``).
    public init(path: String, wallClock: WallClock,
                maxOffsetMillis: UInt64 = HybridLogicalClock.defaultMaxOffsetMillis,
                siteID: SiteID? = nil, readOnly: Bool = false) throws(StoreError) {
        store = try ConcordStore.open(path: path, wallClock: wallClock, maxOffsetMillis: maxOffsetMillis,
                                      siteID: siteID, readOnly: readOnly)
    }

    /// Runs `body` with exclusive use of the store. The store must not escape `body`.
    public func access<T: Sendable>(_ body: (ConcordStore) throws(StoreError) -> T) throws(StoreError) -> T {
        try body(store)
    }
}
