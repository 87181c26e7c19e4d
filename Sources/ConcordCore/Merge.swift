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
/// wins; existence takes the larger causal length. The merged *state* is commutative,
/// associative and idempotent in its arguments; ``MergeOutcome/changedFields`` is relative to
/// `local`.
///
/// ```swift
/// let a = RecordState(fields: ["phone": FieldRegister(value: .string("+1 555"), stamp: s1)])
/// let b = RecordState(fields: ["title": FieldRegister(value: .string("CTO"), stamp: s2)])
/// merge(local: a, remote: b).state.fields.keys  // phone and title: both edits survive
/// ```
public func merge(local: RecordState, remote: RecordState) -> MergeOutcome {
    var state = local
    var changed: [String] = []
    var alarms = 0
    for (name, incoming) in remote.fields {
        if let current = local.fields[name] {
            let verdict = incoming.wins(over: current)
            if verdict.alarm { alarms += 1 }
            if verdict.wins {
                state.fields[name] = incoming
                changed.append(name)
            }
        } else {
            state.fields[name] = incoming
            changed.append(name)
        }
    }
    let cl = max(local.causalLength, remote.causalLength)
    state.causalLength = cl
    changed.sort()
    return MergeOutcome(state: state, changedFields: changed,
                        existenceChanged: cl != local.causalLength, integrityAlarms: alarms)
}
