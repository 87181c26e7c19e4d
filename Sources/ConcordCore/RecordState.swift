/// One field of a record: its canonical name and its register.
public struct FieldEntry: Hashable, Sendable {
    /// The canonical field name.
    public var name: String
    /// The field's last-writer-wins register.
    public var register: FieldRegister

    /// Creates an entry.
    public init(name: String, register: FieldRegister) {
        self.name = name
        self.register = register
    }
}

/// The replicated state of one record: its field registers and its causal length.
///
/// Registers are kept sorted by field name (``entries``), so two equal states are equal
/// values and merging is one linear pass.
///
/// The causal length ``causalLength`` tracks existence as in cr-sqlite: odd means alive,
/// even means deleted, and merging takes the maximum. A delete moves an odd length to the
/// next even one; a restore moves an even length to the next odd one. Field updates do not
/// touch it, so a concurrent update never resurrects a deleted record, and a deleted record
/// keeps its last field values so it can be restored.
public struct RecordState: Hashable, Sendable {
    /// The registers, sorted by field name, one per name.
    public private(set) var entries: [FieldEntry]
    /// Odd when alive, even when deleted; 0 means "never created".
    public var causalLength: UInt64

    /// Creates a record state (alive with causal length 1 by default).
    public init(fields: [String: FieldRegister] = [:], causalLength: UInt64 = 1) {
        self.entries = fields.map { FieldEntry(name: $0.key, register: $0.value) }.sorted { $0.name < $1.name }
        self.causalLength = causalLength
    }

    /// Creates a state from entries already sorted by name with unique names.
    ///
    /// - Precondition: `entries` is sorted by name without duplicates (checked in debug builds).
    public init(sortedEntries entries: [FieldEntry], causalLength: UInt64) {
        assert(zip(entries, entries.dropFirst()).allSatisfy { $0.name < $1.name }, "entries must be sorted and unique")
        self.entries = entries
        self.causalLength = causalLength
    }

    /// The registers by field name (a convenience copy).
    public var fields: [String: FieldRegister] {
        Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.register) })
    }

    /// The register of `field`, or `nil` when it was never set. Setting `nil` removes it.
    public subscript(field: String) -> FieldRegister? {
        get {
            let i = index(of: field)
            return i < entries.count && entries[i].name == field ? entries[i].register : nil
        }
        set {
            let i = index(of: field)
            let present = i < entries.count && entries[i].name == field
            switch (present, newValue) {
            case (true, let reg?): entries[i].register = reg
            case (true, nil): entries.remove(at: i)
            case (false, let reg?): entries.insert(FieldEntry(name: field, register: reg), at: i)
            case (false, nil): break
            }
        }
    }

    /// Whether the record currently exists.
    public var isAlive: Bool { causalLength % 2 == 1 }

    /// Marks the record deleted (no change when already deleted).
    public mutating func delete() { if isAlive { causalLength += 1 } }

    /// Brings a deleted record back (no change when alive).
    public mutating func restore() { if !isAlive { causalLength += 1 } }

    /// The first index whose name is not less than `field`.
    private func index(of field: String) -> Int {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].name < field { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
