/// What `concord demo` reports, as text and as one JSON object.
public struct DemoReport: Codable, Sendable {
    /// Per CRM.
    public struct CRM: Codable, Sendable {
        public var name: String
        /// Records in the CRM at the start (seeded) and at the end.
        public var recordsBefore: Int
        public var recordsAfter: Int
        /// Writes Concord made.
        public var created: Int
        public var updated: Int
        public var deleted: Int
        /// Field values Concord wrote.
        public var fieldsWritten: Int
        /// Records first seen here that were matched to a record from another CRM.
        public var duplicatesMatched: Int
        /// Records quarantined on the way in.
        public var quarantined: Int
        /// Writes this CRM refused for good (its own validation), parked as failed.
        public var refused: Int
        /// Writes left with only references to records this CRM does not hold.
        public var blocked: Int
        /// API calls during the sync (verification reads excluded), and the floor
        /// `ceil(pulled / page) + ceil(written / batch)`.
        public var apiCalls: Int
        public var apiCallFloor: Int
        public var apiCallFloorWithPolls: Int
        public var pulled: Int
        public var lastError: String?
    }

    /// A field-level conflict, for people.
    public struct ConflictExample: Codable, Sendable {
        public var object: String
        public var record: String
        public var field: String
        public var winner: String
        public var winnerCRM: String
        public var winnerTime: String
        public var loser: String
        public var loserCRM: String
        public var loserTime: String
        public var why: String
    }

    public var seed: UInt64
    public var recordsPerCRM: Int
    public var crms: [CRM]
    public var passes: Int
    public var conflictsResolved: Int
    public var conflictExamples: [ConflictExample]
    public var quarantinedByRule: [String: Int]
    /// Records synced with some fields held back in the quarantine: a reference that names a
    /// record not linked yet (applied once it is), or a value that failed validation.
    public var heldReferences: Int
    public var quarantineExamples: [String]
    public var driverChanges: Int
    /// Every field of every linked record equal across the CRMs, read back from the CRMs.
    public var converged: Bool
    /// Fields or records that differ between CRMs at the end, no rule explaining them (first few).
    public var divergences: [String]
    /// How many differ.
    public var divergenceCount: Int
    /// References a CRM holds blank because it does not hold the record they name (deleted
    /// there under the `ignore` policy, or refused there): not divergences, but counted.
    public var unheldReferences: Int
    public var unheldExamples: [String]
    /// Live records missing from a CRM that deleted them, the object's delete policy being `ignore`.
    public var ignoredDeletes: Int
    /// Records a CRM refused by its own validation rule (a unique value, a required field).
    public var refusedRecords: Int
    public var refusedExamples: [String]
    /// Records a CRM holds that wait in the quarantine (not linked).
    public var quarantinedRecords: Int
    /// Fields that differ because a CRM's change of them waits in the quarantine.
    public var quarantinedDifferences: Int
    /// Record-fields a person edited whose final value is not that of the last edit of them.
    public var lostUpdates: Int
    public var lostUpdateExamples: [String]
    /// Records Concord created in a CRM that already held one with the same natural key.
    public var duplicatesCreated: Int
    public var duplicateExamples: [String]
    public var seconds: Double
    /// With the service path (`--serve`): seconds from each webhook event's time in its CRM
    /// to Concord's writes of it to the others (p50, p95, p99, max) and how many events.
    public var propagation: Propagation?

    /// Webhook propagation figures.
    public struct Propagation: Codable, Sendable {
        public var events: Int
        public var p50Seconds: Double
        public var p95Seconds: Double
        public var p99Seconds: Double
        public var maxSeconds: Double

        /// The percentiles of `seconds` (unsorted).
        public init(_ seconds: [Double]) {
            let sorted = seconds.sorted()
            func pct(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))] }
            events = sorted.count
            p50Seconds = pct(0.5)
            p95Seconds = pct(0.95)
            p99Seconds = pct(0.99)
            maxSeconds = sorted.last ?? 0
        }
    }
}
