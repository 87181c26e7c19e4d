/// What a running pass is doing, for live progress displays: emitted after every page
/// pulled and every batch pushed.
public struct SyncProgress: Sendable, Hashable {
    /// Pulling from, or pushing to, a CRM.
    public enum Phase: String, Sendable, Hashable {
        case pull, push
    }
    /// The phase.
    public var phase: Phase
    /// The CRM.
    public var replica: String
    /// The canonical object.
    public var object: String
    /// Records pulled (or pushed) for this object so far in this pass.
    public var records: Int
    /// Whether this object is done for this phase.
    public var finished: Bool

    /// `pulling hubspot contact: 1,200`.
    public var description: String {
        "\(phase == .pull ? "pulling from" : "pushing to") \(replica) \(object): \(records)\(finished ? " (done)" : "")"
    }
}
