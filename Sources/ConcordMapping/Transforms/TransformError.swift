import ConcordCore

/// A value a transform cannot convert, with the reason. Becomes a ``ValidationFailure``.
public struct TransformError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Hashable, Sendable {
        /// The wire value has the wrong JSON type, or the canonical value the wrong case.
        case typeMismatch
        /// The text does not have the expected format (a date, a number...).
        case invalidFormat
        /// A picklist value missing from the table, under the `reject` policy.
        case unmappedValue
        /// A reference to a record Concord has no link for (yet).
        case unresolvedReference
    }

    /// What went wrong.
    public var code: Code
    /// A readable reason.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

/// Translates references between Concord's global ids and each CRM's own ids.
///
/// The engine implements it from the store's links table; lookups are synchronous so the
/// mapping layer stays pure (the engine loads the links a batch needs before mapping it).
public protocol ReferenceResolver: Sendable {
    /// The global id of the record `externalID` of canonical `object` in `crm`, if linked.
    func recordID(crm: String, object: String, externalID: String) -> RecordID?
    /// The id in `crm` of the global record `id`, if linked.
    func externalID(crm: String, object: String, recordID: RecordID) -> String?
}

/// A resolver over fixed tables, for tests and dry runs.
public struct TableReferenceResolver: ReferenceResolver {
    /// `(crm, object, externalID)` to global id.
    public var links: [Key: RecordID]

    /// A link key.
    public struct Key: Hashable, Sendable {
        public var crm: String, object: String, externalID: String
        /// Creates a key.
        public init(crm: String, object: String, externalID: String) {
            self.crm = crm
            self.object = object
            self.externalID = externalID
        }
    }

    /// Creates a resolver.
    public init(links: [Key: RecordID] = [:]) { self.links = links }

    /// Adds a link.
    public mutating func link(crm: String, object: String, externalID: String, to id: RecordID) {
        links[Key(crm: crm, object: object, externalID: externalID)] = id
    }

    public func recordID(crm: String, object: String, externalID: String) -> RecordID? {
        links[Key(crm: crm, object: object, externalID: externalID)]
    }

    public func externalID(crm: String, object: String, recordID: RecordID) -> String? {
        links.first { $0.key.crm == crm && $0.key.object == object && $0.value == recordID }?.key.externalID
    }
}
