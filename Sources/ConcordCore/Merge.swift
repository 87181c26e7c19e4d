/// The result of merging two record states.
public struct MergeOutcome: Hashable, Sendable {
    /// The merged state.
    public var state: RecordState
    /// The names of the fields whose register changed relative to the *local* input,
    /// sorted.
    public var changedFields: [String]
    /// Whether the causal length (existence) changed relative to the local input.
    public var existenceChanged: Bool
    /// How many fields had equal stamps but different values (an integrity alarm each).
    public var integrityAlarms: Int

    /// Whether anything changed relative to the local input.
    public var changed: Bool { existenceChanged || !changedFields.isEmpty }
}

/// Merges a remote record state into a local one.
///
/// Pure: no I/O, no clock reads. Field by field the register with the greater `(hlc, site)`
/// wins (equal stamps with different values: the greater canonical bytes, counted as an
/// integrity alarm); existence takes the larger causal length. The merged *state* is
/// commutative, associative and idempotent in its arguments; ``MergeOutcome/changedFields``
/// is relative to `local`. One linear pass over both sorted entry lists.
///
/// ```swift
/// let a = RecordState(fields: ["phone": FieldRegister(value: .string("+1 555"), stamp: s1)])
/// let b = RecordState(fields: ["title": FieldRegister(value: .string("CTO"), stamp: s2)])
/// merge(local: a, remote: b).state.fields.keys  // phone and title: both edits survive
/// ```
public func merge(local: RecordState, remote: RecordState) -> MergeOutcome {
    let l = local.entries, r = remote.entries
    var out: [FieldEntry] = []
    out.reserveCapacity(Swift.max(l.count, r.count))
    var changed: [String] = []
    var alarms = 0
    var i = 0, j = 0
    while i < l.count || j < r.count {
        if j == r.count {
            out.append(contentsOf: l[i...]); break
        }
        if i == l.count {
            for e in r[j...] { out.append(e); changed.append(e.name) }
            break
        }
        let a = l[i], b = r[j]
        if a.name == b.name {
            let verdict = b.register.wins(over: a.register)
            if verdict.alarm { alarms += 1 }
            if verdict.wins {
                out.append(b); changed.append(b.name)
            } else {
                out.append(a)
            }
            i += 1; j += 1
        } else if a.name < b.name {
            out.append(a); i += 1
        } else {
            out.append(b); changed.append(b.name); j += 1
        }
    }
    let cl = Swift.max(local.causalLength, remote.causalLength)
    return MergeOutcome(state: RecordState(sortedEntries: out, causalLength: cl), changedFields: changed,
                        existenceChanged: cl != local.causalLength, integrityAlarms: alarms)
}
