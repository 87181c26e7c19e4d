import ConcordCore

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
        /// The CRM name.
        public var crm: String
        /// The canonical object.
        public var object: String
        /// The CRM's id.
        public var externalID: String
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

    /// The linked global id, if any.
    public func recordID(crm: String, object: String, externalID: String) -> RecordID? {
        links[Key(crm: crm, object: object, externalID: externalID)]
    }

    /// The linked CRM id, if any (a linear scan: tables here are small).
    public func externalID(crm: String, object: String, recordID: RecordID) -> String? {
        links.first { $0.key.crm == crm && $0.key.object == object && $0.value == recordID }?.key.externalID
    }
}
