import ConcordCore

/// Per-field sync rules as filters on writes, so the merge stays a lattice join.
///
/// A write from a replica (a CRM name) to a canonical field is routed to zero or more
/// *registers* by a pure function of the rule, the writer and the value. Registers are
/// ConcordCore ``FieldRegister``s merged by ConcordCore's `merge` (last writer wins by
/// `(hlc, site)`), so the state is a product of LWW registers: merge is commutative,
/// associative and idempotent whatever the rules, and the property tests check it.
///
/// | rule | a write from X enters | a write from another CRM enters | effective value |
/// |---|---|---|---|
/// | two-way | `f` | `f` | `f` |
/// | one-way from X | `f` | nothing | `f` |
/// | prefer X unless blank | `f@X`, and `f` when non-blank | `f` | `f@X` when non-blank, else `f` |
/// | don't sync | nothing | nothing | none |
///
/// Why two registers for "prefer X": a single register with a priority bit ahead of the
/// HLC ("X's non-blank writes dominate") is a join too, but X could then never give up
/// precedence: once X wrote a value, a later blank from X would lose to it forever. The
/// `f@X` register holds X's *latest* write, blank or not, so X clearing the field hands
/// precedence back to the latest other edit (kept in `f`), which is what "unless blank" means.
/// X's blank writes do not enter `f`, so they never blank the other CRMs.
public enum RuleFilter {
    /// The register holding the preferred CRM's own latest write: `field@crm`.
    public static func preferredKey(_ field: String, _ crm: String) -> String { field + "@" + crm }

    /// Whether a write from `writer` to a field with `rule` is stored at all.
    public static func mayWrite(_ rule: SyncRule, writer: String) -> Bool {
        switch rule {
        case .twoWay, .prefer: return true
        case .oneWay(let from): return writer == from
        case .dontSync: return false
        }
    }

    /// The register keys a write of `value` to `field` by `writer` enters.
    public static func registerKeys(field: String, rule: SyncRule, writer: String, value: Value) -> [String] {
        switch rule {
        case .twoWay: return [field]
        case .oneWay(let from): return writer == from ? [field] : []
        case .dontSync: return []
        case .prefer(let x):
            guard writer == x else { return [field] }
            return value.isBlank ? [preferredKey(field, x)] : [preferredKey(field, x), field]
        }
    }

    /// The registers a write adds to a record state: merge them in with ConcordCore's `merge`.
    public static func admit(field: String, rule: SyncRule, writer: String,
                             register: FieldRegister) -> [String: FieldRegister] {
        var out: [String: FieldRegister] = [:]
        for key in registerKeys(field: field, rule: rule, writer: writer, value: register.value) {
            out[key] = register
        }
        return out
    }

    /// Applies a write to a state through the rule (a merge with the admitted registers).
    public static func apply(field: String, rule: SyncRule, writer: String, register: FieldRegister,
                             to state: RecordState) -> RecordState {
        let delta = RecordState(fields: admit(field: field, rule: rule, writer: writer, register: register),
                                causalLength: state.causalLength)
        return merge(local: state, remote: delta).state
    }

    /// The register whose value is the field's current value, or `nil` when never set.
    public static func effective(field: String, rule: SyncRule, in state: RecordState) -> FieldRegister? {
        switch rule {
        case .dontSync: return nil
        case .twoWay, .oneWay: return state.fields[field]
        case .prefer(let x):
            if let own = state.fields[preferredKey(field, x)], !own.value.isBlank { return own }
            return state.fields[field]
        }
    }
}
