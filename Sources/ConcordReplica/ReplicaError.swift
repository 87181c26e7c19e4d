/// Why an exchange with the hub failed, and whether trying again later can help.
public struct ReplicaError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Kind: String, Sendable {
        /// The link or the hub is down or busy: back off and try again.
        case transient
        /// The hub refused the token: nothing moves until it is fixed.
        case unauthorized
        /// The hub refused the request itself (a malformed batch, a store copied from the hub).
        case refused
        /// This store was restored from a backup or copied: its sequence is behind what the hub
        /// has applied from it.
        case restored
        /// This store failed.
        case store
    }

    /// The kind.
    public var kind: Kind
    /// What failed and why.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// Whether backing off and trying again can help.
    public var isTransient: Bool { kind == .transient }

    public var description: String { message }
}
