import ConcordCore
import ConcordConnectors

/// What one sync pass did, per replica and overall.
public struct PassReport: Sendable, Codable {
    /// Per replica.
    public struct Replica: Sendable, Codable {
        /// Records read from the CRM.
        public var pulled = 0
        /// Records whose pulled fields carried new edits.
        public var changed = 0
        /// Records quarantined on the way in.
        public var quarantined = 0
        /// Records first seen here and matched to a record already known (by external id or natural key).
        public var matched = 0
        /// Records created, updated and deleted in this CRM.
        public var created = 0, updated = 0, deleted = 0
        /// Field values written to the CRM.
        public var fieldsWritten = 0
        /// Push items refused by the CRM for good (parked as failed).
        public var failed = 0
        /// Edits Concord's writes overwrote unseen (found in the CRM's field history after
        /// the write) and merged at their own time.
        public var overwrittenEdits = 0
        /// Deletes found by looking every linked record up, when the CRM's delete log no
        /// longer reached back to the cursor.
        public var reconciledDeletes = 0
        /// Field edits stamped later than this machine's clock allows (the CRM's clock runs
        /// ahead by more than `max_clock_offset_seconds`), taken at the limit.
        public var clampedStamps = 0
        /// Inferred deletes the deletion guard held back this pass (waiting for approval).
        public var deletionsHeld = 0
        /// Linked records a lookup could not tell about (not taken as deleted).
        public var unknownOnLookup = 0
        /// Whether work for this CRM was parked (throttled, quota, offline).
        public var parked = false
        /// The last error, if any.
        public var lastError: String?
        /// API calls made during the pass, by kind.
        public var apiCalls = APICallCounts()
        /// What would be written, in a dry run: `create contact ...`.
        public var planned: [String] = []
        /// Merges this CRM reported, as Concord applies them: `merge contact <gid> into <gid> ...`.
        public var merged: [String] = []
        /// Creates a blank report.
        public init() {}
    }

    /// Per replica, by name.
    public var replicas: [String: Replica] = [:]
    /// Quarantine entries retried this pass.
    public var quarantineRetried = 0
    /// Why the pass did not run at all (nothing read, nothing written), if it did not.
    public var aborted: String?
    /// Field-level conflicts resolved during the pass.
    public var conflicts = 0
    /// Field registers written by merges.
    public var registersMerged = 0
    /// A webhook round: when each event it finished happened (the CRM's time, or when
    /// Concord received it), Unix ms.
    public var inboxEventTimes: [UInt64] = []
    /// A webhook round: how many events still wait in the inbox after it.
    public var inboxRemaining = 0
    /// Whether the pass wrote anything to the store or any CRM.
    public var wroteAnything: Bool {
        registersMerged > 0 || replicas.values.contains { $0.created + $0.updated + $0.deleted > 0 }
    }
    /// Creates a blank report.
    public init() {}
}
