import ConcordCore
import ConcordStore

/// One batch of replication between two Concord stores: the sender's changes in a range of its
/// local sequence, applied by the receiver in one transaction together with its cursor.
///
/// The range is what makes a cut harmless: the receiver keeps, per sender site and store
/// incarnation, the sequence it has applied through, and accepts a batch only when the batch
/// starts exactly there (``BatchAcceptance``). Everything after a cursor is safe to send again
/// (merges are idempotent), so a sender that is refused rewinds to the receiver's cursor.
public struct ReplicationBatch: Hashable, Sendable {
    /// The sending store's site id.
    public var sender: SiteID
    /// The sending store's incarnation (a new store file, or one restored from a backup, is a
    /// new incarnation: its sequence numbers start again).
    public var incarnation: UInt64
    /// The batch covers the sender's changes with a sequence above this...
    public var after: UInt64
    /// ...through this one (inclusive); equal to ``after`` for an empty batch.
    public var through: UInt64
    /// The records carry their registers above this sequence (the sender's cursor floor:
    /// registers at or below it were sent before).
    public var floor: UInt64
    /// Whether the batch reaches the end of the sender's changes: once it is applied, the
    /// receiver holds every register through ``through`` (its floor moves there).
    public var complete: Bool
    /// The changed records, in the sender's sequence order.
    public var changes: [RecordChange]

    /// Creates a batch.
    public init(sender: SiteID, incarnation: UInt64, after: UInt64, through: UInt64, floor: UInt64, complete: Bool = false,
                changes: [RecordChange]) {
        self.sender = sender
        self.incarnation = incarnation
        self.after = after
        self.through = through
        self.floor = floor
        self.complete = complete
        self.changes = changes
    }

    /// Where the receiver stands in the sender's stream once it has applied the batch.
    public var nextCursor: ChangeCursor { ChangeCursor(after: through, floor: complete ? through : floor) }

    /// The registers the batch carries.
    public var registerCount: Int { changes.reduce(0) { $0 + $1.state.entries.count } }
}
