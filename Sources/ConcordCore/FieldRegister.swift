/// A last-writer-wins register: one field's value and the stamp of the write that set it.
///
/// Merging keeps the register with the greater ``Stamp``. Two registers with the same stamp
/// and different values cannot arise in a correct system (one site never issues one HLC
/// twice); if they do, the greater canonical byte encoding wins, so every replica still
/// agrees, and the merge reports an integrity alarm.
///
/// Laws (proved by property tests): `merge` is commutative, associative and idempotent.
public struct FieldRegister: Hashable, Sendable {
    /// The value written.
    public var value: Value
    /// When and where it was written.
    public var stamp: Stamp

    /// Creates a register.
    public init(value: Value, stamp: Stamp) {
        self.value = value
        self.stamp = stamp
    }

    /// Whether `self` should replace `other` in a merge, and whether the choice was an
    /// integrity alarm (equal stamps, different values).
    @inlinable
    public func wins(over other: FieldRegister) -> (wins: Bool, alarm: Bool) {
        if stamp != other.stamp { return (stamp > other.stamp, false) }
        if value == other.value { return (false, false) }
        return (value.canonicalBytes.lexicographicallyPrecedes(other.value.canonicalBytes) == false, true)
    }

    /// The merge of two registers: the one with the greater stamp (ties by value bytes).
    public func merged(with other: FieldRegister) -> FieldRegister {
        other.wins(over: self).wins ? other : self
    }
}
