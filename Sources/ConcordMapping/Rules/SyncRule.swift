/// Which replicas may write a field: the per-field sync rule.
///
/// Rules are *filters on writes*, applied before the merge: they decide which registers a
/// write from a replica may enter. The merge itself stays ConcordCore's last-writer-wins
/// join, so it stays commutative, associative and idempotent (see ``RuleFilter``).
public enum SyncRule: Hashable, Sendable, CustomStringConvertible {
    /// Every replica may write; the latest edit wins. The default.
    case twoWay
    /// Only the named CRM may write; the others receive its value.
    case oneWay(from: String)
    /// The named CRM's value wins whenever it is non-blank; otherwise the latest edit from the
    /// other CRMs wins.
    case prefer(String)
    /// Not synced: no replica writes a shared register, each CRM keeps its own value.
    case dontSync

    /// `two-way`, `one-way from X`, `prefer X unless blank`, `don't sync`.
    public var description: String {
        switch self {
        case .twoWay: return "two-way"
        case .oneWay(let crm): return "one-way from \(crm)"
        case .prefer(let crm): return "prefer \(crm) unless blank"
        case .dontSync: return "don't sync"
        }
    }

    /// The CRM the rule names, if any.
    public var namedCRM: String? {
        switch self {
        case .oneWay(let c), .prefer(let c): return c
        default: return nil
        }
    }
}
