import ConcordCore
import ConcordStore

/// Reads the next batch a store sends a peer: its changes after where the peer stands,
/// bounded in records and bytes, in the peer's scope, without the peer's own writes.
public struct ReplicationSource {
    /// Bounds of one batch.
    public struct Limits: Sendable {
        /// Records per batch.
        public var records: Int
        /// Stored register bytes per batch (at least one record is always sent).
        public var bytes: Int
        /// Creates limits (defaults: 2,000 records, 1 MiB).
        public init(records: Int = 2_000, bytes: Int = 1 << 20) {
            self.records = records
            self.bytes = bytes
        }
    }

    let store: ConcordStore
    let limits: Limits

    /// A source reading `store`.
    public init(store: ConcordStore, limits: Limits = Limits()) {
        self.store = store
        self.limits = limits
    }

    /// The batch after `cursor`: records of `objectTypes` (all when `nil`), without the
    /// registers `peer` wrote (it holds them or something newer; a record whose registers
    /// were all the peer's comes as its causal length alone).
    ///
    /// `skippingTo`: when the peer is known to hold every change from `cursor` through this
    /// sequence (they came from it), the batch reads from there and still states `cursor` as
    /// its start, so the peer's cursor moves over them without their being sent back.
    public func batch(after cursor: ChangeCursor, skippingTo skip: UInt64? = nil, for peer: SiteID?,
                      objectTypes: Set<String>?) throws(StoreError) -> ReplicationBatch {
        var read = cursor
        if let skip, skip > cursor.after, cursor.floor == cursor.after { read = ChangeCursor(after: skip, floor: skip) }
        let page = try store.changes(after: read, limit: limits.records, maxBytes: limits.bytes, objectTypes: objectTypes,
                                     excludingWriter: peer)
        return ReplicationBatch(sender: store.siteID, incarnation: try store.incarnation(), after: cursor.after,
                                through: page.next.after, floor: cursor.floor, complete: !page.hasMore, changes: page.changes)
    }

    /// The records a peer standing at `cursor` has still to receive (in `objectTypes`).
    public func pending(after cursor: ChangeCursor, objectTypes: Set<String>?) throws(StoreError) -> Int {
        try store.recordsChanged(after: cursor.after, objectTypes: objectTypes)
    }
}
