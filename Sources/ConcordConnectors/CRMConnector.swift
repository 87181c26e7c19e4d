import ConcordMapping

/// API calls made by a connector, by kind (`auth`, `pull`, `fetch`, `push`, `lookup`).
public struct APICallCounts: Hashable, Sendable, Codable {
    /// Calls by kind.
    public var byKind: [String: Int]
    /// All calls.
    public var total: Int { byKind.values.reduce(0, +) }
    /// No calls.
    public init(byKind: [String: Int] = [:]) { self.byKind = byKind }
}

/// One CRM as a replica: the only view of a CRM the sync engine has.
///
/// Implementations speak the CRM's real wire format against a configurable base URL, so
/// pointing one at the real service is configuration, not code. They authenticate and
/// refresh tokens themselves, batch what the CRM lets them batch, and report every failure
/// as a ``ConnectorError`` (never a quota error as success).
public protocol CRMConnector: Sendable {
    /// The replica name from the configuration (`salesforce`, `hubspot-eu`, ...).
    var name: String { get }
    /// Which CRM it speaks to.
    var kind: CRMKind { get }
    /// The most records one push call carries (Salesforce 200, HubSpot 100, Dataverse 1000).
    var pushBatchSize: Int { get }
    /// The most records one pull page carries.
    var pullPageSize: Int { get }
    /// How long after a change the connector may still hold it back from pulls (a search
    /// index settling); a pass that finds nothing proves convergence only after this long.
    var settleMillis: UInt64 { get }
    /// Whether the engine should read the records it is about to update just before writing
    /// them: for a CRM without conditional writes whose change feed lags (HubSpot search), an
    /// edit made in the last moments would otherwise be overwritten before Concord saw it; for
    /// one whose writes are conditional on the version read (Salesforce), so that version is
    /// recent and the write rarely refused.
    var readsBeforeUpdating: Bool { get }

    /// Reads one page of changes since `request.cursor` (everything when `nil`). The
    /// returned cursor is committed by the engine only after the page is stored.
    func pull(_ request: PullRequest) async throws(ConnectorError) -> PullPage

    /// Whether ``fieldTimes(object:ids:fields:)`` can say when each field was set (HubSpot's
    /// property history); without it a changed field takes the record's modification time.
    var hasFieldTimes: Bool { get }

    /// When each field's current value was set (Unix ms), by record id and CRM field, for
    /// records whose record-level time may belong to another field's change.
    func fieldTimes(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> [String: [String: UInt64]]

    /// The last values of deleted records the CRM reports without them (a Dataverse
    /// tombstone), as deleted records carrying those values, with per-field times where known.
    /// Ids it cannot tell about are left out.
    func lastValues(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> [CRMRecord]

    /// Reads records by id, in batches (webhook hints, reconciliation).
    func fetch(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> [CRMRecord]

    /// Reads records by id, and says which ids the answer could not tell about (a per-item
    /// error, a row that could not be read, an id the CRM cannot be asked for): an id neither
    /// found nor unknown is gone. What deletes are inferred from.
    func lookup(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> LookupResult

    /// Finds records whose `field` equals one of `values` (exact match), for matching and
    /// for reconciling a create that may or may not have landed before a crash.
    func find(object: String, field: String, values: [String], fields: [String]) async throws(ConnectorError) -> [CRMRecord]

    /// Writes a batch; one result per item, in any order. Throws only when nothing of the
    /// batch could be attempted (the CRM is unreachable, the quota is exhausted).
    func push(object: String, items: [PushItem]) async throws(ConnectorError) -> [PushResult]

    /// API calls made so far.
    func apiCalls() async -> APICallCounts

    /// The state of the connection's circuit breaker: `closed`, `open`, `half-open`, or
    /// `unknown` when the connector does not use one.
    func circuitState() async -> String
}

/// What a lookup by id found: the records, and the ids whose state the answer did not tell.
public struct LookupResult: Sendable {
    /// The records found (deleted ones marked so).
    public var records: [CRMRecord]
    /// Ids neither found nor known to be gone: never to be taken as deleted.
    public var unknown: Set<String>

    /// Creates a result.
    public init(records: [CRMRecord], unknown: Set<String> = []) {
        self.records = records
        self.unknown = unknown
    }
}

extension CRMConnector {
    /// By default, a connector's fetch leaves out only what is gone.
    public func lookup(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> LookupResult {
        LookupResult(records: try await fetch(object: object, ids: ids, fields: fields))
    }

    /// By default a connector holds nothing back.
    public var settleMillis: UInt64 { 0 }

    /// By default the pull just before a push is fresh enough.
    public var readsBeforeUpdating: Bool { false }

    /// By default a connector has no per-field times.
    public var hasFieldTimes: Bool { false }

    /// By default there are none.
    public func fieldTimes(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> [String: [String: UInt64]] {
        [:]
    }

    /// By default a deleted record comes with its last values, or they are not known.
    public func lastValues(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> [CRMRecord] { [] }

    /// By default a connector reports no breaker.
    public func circuitState() async -> String { "unknown" }
}
