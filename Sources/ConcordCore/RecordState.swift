/// The replicated state of one record: its field registers and its causal length.
///
/// The causal length ``causalLength`` tracks existence as in cr-sqlite: odd means alive,
/// even means deleted, and merging takes the maximum. A delete moves an odd length to the
/// next even one; a restore moves an even length to the next odd one. Field updates do not
/// touch it, so a concurrent update never resurrects a deleted record, and a deleted record
/// keeps its last field values so it can be restored.
public struct RecordState: Hashable, Sendable {
    /// Field registers by canonical field name.
    public var fields: [String: FieldRegister]
    /// Odd when alive, even when deleted; 0 means "never created" (no record).
    public var causalLength: UInt64

    /// Creates a record state (alive with causal length 1 by default).
    public init(fields: [String: FieldRegister] = [:], causalLength: UInt64 = 1) {
        self.fields = fields
        self.causalLength = causalLength
    }

    /// Whether the record currently exists.
    public var isAlive: Bool { causalLength % 2 == 1 }

    /// Marks the record deleted (no change when already deleted).
    public mutating func delete() { if isAlive { causalLength += 1 } }

    /// Brings a deleted record back (no change when alive).
    public mutating func restore() { if !isAlive { causalLength += 1 } }
}
