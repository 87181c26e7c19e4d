import CSQLite

/// One webhook event as the inbox keeps it: which record of which CRM changed, and the
/// event's own id (the deduplication key within that CRM).
public struct InboxEvent: Hashable, Sendable, Codable {
    /// What the event says happened to the record.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// Created, updated, restored or merged into: read the record.
        case change
        /// Deleted (or merged away): read it too, the CRM says which.
        case delete
    }

    /// The configured CRM name.
    public var replica: String
    /// The CRM's object name as its API names it (`contacts`, `Contact`, `contact`).
    public var crmObject: String
    /// The record's id in that CRM.
    public var crmID: String
    /// The CRM's id for the event (HubSpot `eventId`, a change event's replay id, an
    /// outbound message's notification id, a Dataverse correlation id and record).
    public var eventID: String
    /// What happened.
    public var kind: Kind
    /// When the CRM says it happened, Unix ms (0 when it does not say).
    public var occurredAt: UInt64

    /// Creates an event.
    public init(replica: String, crmObject: String, crmID: String, eventID: String, kind: Kind, occurredAt: UInt64) {
        self.replica = replica
        self.crmObject = crmObject
        self.crmID = crmID
        self.eventID = eventID
        self.kind = kind
        self.occurredAt = occurredAt
    }
}

/// A pending inbox row: the event and its place in the inbox.
public struct InboxRow: Hashable, Sendable {
    /// The inbox's own sequence (the order of arrival).
    public var seq: Int64
    /// The event.
    public var event: InboxEvent
    /// When Concord committed it, Unix ms.
    public var receivedAt: UInt64
}

extension ConcordStore {
    /// Commits delivered events; an event id already in the inbox (pending or done within
    /// the retention) is a redelivery and is not added again. Returns how many were new.
    @discardableResult
    public func enqueueInbox(_ events: [InboxEvent]) throws(StoreError) -> Int {
        guard !events.isEmpty else { return 0 }
        return try writeTransaction { () throws(StoreError) -> Int in
            let s = try db.prepare("""
                INSERT INTO inbox(replica, crm_object, crm_id, event_id, kind, occurred_at, received_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(replica, event_id) DO NOTHING
                """)
            let now = wallClock.nowMillis()
            var added = 0
            for e in events {
                s.reset()
                s.bind(1, e.replica); s.bind(2, e.crmObject); s.bind(3, e.crmID); s.bind(4, e.eventID)
                s.bind(5, e.kind.rawValue); s.bind(6, e.occurredAt); s.bind(7, now)
                try s.run()
                added += Int(sqlite3_changes(db.handle))
            }
            return added
        }
    }

    /// The oldest pending events, in arrival order.
    public func pendingInbox(limit: Int) throws(StoreError) -> [InboxRow] {
        let s = try db.prepare("""
            SELECT seq, replica, crm_object, crm_id, event_id, kind, occurred_at, received_at
            FROM inbox WHERE done_at IS NULL ORDER BY seq LIMIT ?1
            """)
        s.bind(1, Int64(limit))
        var out: [InboxRow] = []
        while try s.step() {
            let event = InboxEvent(replica: s.text(1), crmObject: s.text(2), crmID: s.text(3), eventID: s.text(4),
                                   kind: InboxEvent.Kind(rawValue: s.text(5)) ?? .change, occurredAt: s.uint64(6))
            out.append(InboxRow(seq: s.int64(0), event: event, receivedAt: s.uint64(7)))
        }
        return out
    }

    /// Marks rows done (call it in the transaction that merged what they asked for).
    public func markInboxDone(_ seqs: [Int64]) throws(StoreError) {
        guard !seqs.isEmpty else { return }
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare("UPDATE inbox SET done_at = ?2 WHERE seq = ?1 AND done_at IS NULL")
            let now = wallClock.nowMillis()
            for seq in seqs {
                s.reset(); s.bind(1, seq); s.bind(2, now)
                try s.run()
            }
        }
    }

    /// How many events wait, and when the oldest of them arrived (Unix ms).
    public func inboxDepth() throws(StoreError) -> (pending: Int, oldestReceivedAt: UInt64?) {
        let s = try db.prepare("SELECT count(*), min(received_at) FROM inbox WHERE done_at IS NULL")
        guard try s.step() else { return (0, nil) }
        let count = Int(s.int64(0))
        return (count, count > 0 ? s.uint64(1) : nil)
    }

    /// Forgets done rows older than `retentionMillis` (their ids no longer deduplicate);
    /// returns how many went.
    @discardableResult
    public func pruneInbox(olderThan retentionMillis: UInt64) throws(StoreError) -> Int {
        try writeTransaction { () throws(StoreError) -> Int in
            let s = try db.prepare("DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?1")
            s.bind(1, wallClock.nowMillis() &- retentionMillis)
            try s.run()
            return Int(sqlite3_changes(db.handle))
        }
    }
}
