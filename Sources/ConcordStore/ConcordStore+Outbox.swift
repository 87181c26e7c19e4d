import ConcordCore

/// One change waiting to be pushed to one replica.
public struct OutboxItem: Hashable, Sendable {
    /// What to do in the replica.
    public enum Operation: String, Sendable, Codable {
        case create, update, delete
    }
    /// Where the item is in its life.
    public enum State: String, Sendable, Codable {
        /// Waiting to be sent.
        case pending
        /// Handed to the CRM; if Concord stops now, the outcome must be reconciled on restart
        /// (for a create: look the record up before creating it again).
        case sending
        /// Refused for good (validation, permission); parked until the cause is fixed.
        case failed
        /// Nothing left to write but references this replica cannot hold: the records they
        /// name do not exist there (deleted there, refused, never to be created). Not open
        /// work; re-armed each push in case such a record has appeared since.
        case blocked
    }
    /// Row id; also the order of enqueueing.
    public var id: Int64
    /// The replica to push to.
    public var replica: String
    /// The canonical object type.
    public var objectType: String
    /// The record.
    public var record: RecordID
    /// Create, update or delete.
    public var operation: Operation
    /// What the planner intended (the fields and values), for dry runs and status.
    public var payload: String
    /// Pending, sending or failed.
    public var state: State
    /// How many times a push was tried.
    public var attempts: Int
    /// When it was enqueued, Unix ms.
    public var createdAt: UInt64
    /// The last failure, if any.
    public var lastError: String?
}

/// The outbox: planned pushes, written in the same transaction as the merge that caused
/// them, so a crash between merge and push loses nothing. One open item per record and
/// replica: a newer plan replaces the older one (a pending create stays a create).
extension ConcordStore {
    /// Plans a push; returns the item's id.
    @discardableResult
    public func enqueue(replica: String, objectType: String, record: RecordID, operation: OutboxItem.Operation,
                        payload: String) throws(StoreError) -> Int64 {
        let now = wallClock.nowMillis()
        return try writeTransaction { () throws(StoreError) -> Int64 in
            let find = try db.prepare("""
                SELECT id, operation, state FROM outbox WHERE replica = ? AND gid = ? AND state IN ('pending', 'sending', 'blocked')
                ORDER BY state = 'blocked' LIMIT 1
                """)
            find.bind(1, replica); find.bind(2, record.bytes)
            if try find.step() {
                let id = find.int64(0)
                let old = OutboxItem.Operation(rawValue: find.text(1)) ?? .update
                find.reset()
                let op: OutboxItem.Operation = (old == .create && operation == .update) ? .create : operation
                // A new plan for a blocked record re-arms its item (one open item per record).
                let u = try db.prepare("""
                    UPDATE outbox SET operation = ?, payload = ?, state = CASE WHEN state = 'blocked' THEN 'pending' ELSE state END
                    WHERE id = ?
                    """)
                u.bind(1, op.rawValue); u.bind(2, payload); u.bind(3, id)
                try u.run()
                return id
            }
            let s = try db.prepare("""
                INSERT INTO outbox(replica, object_type, gid, operation, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """)
            s.bind(1, replica); s.bind(2, objectType); s.bind(3, record.bytes); s.bind(4, operation.rawValue)
            s.bind(5, payload); s.bind(6, now)
            try s.run()
            return Int64(sqlite3LastInsertRowID())
        }
    }

    /// Items of a replica in a state, oldest first.
    public func outbox(replica: String, state: OutboxItem.State = .pending, limit: Int = 10_000) throws(StoreError) -> [OutboxItem] {
        let s = try db.prepare("""
            SELECT id, replica, object_type, gid, operation, payload, state, attempts, created_at, last_error
            FROM outbox WHERE replica = ? AND state = ? ORDER BY id LIMIT ?
            """)
        s.bind(1, replica); s.bind(2, state.rawValue); s.bind(3, Int64(limit))
        var out: [OutboxItem] = []
        while try s.step() { out.append(try outboxItem(s)) }
        return out
    }

    /// Open items (pending or sending) of one replica and object type with an id in
    /// `after+1 ... through`, oldest first, at most `limit`: the push reads the outbox in
    /// such pages, so its memory does not grow with the backlog.
    public func openOutbox(replica: String, objectType: String, after: Int64, through: Int64 = .max,
                           limit: Int) throws(StoreError) -> [OutboxItem] {
        let s = try db.prepare("""
            SELECT id, replica, object_type, gid, operation, payload, state, attempts, created_at, last_error
            FROM outbox WHERE replica = ? AND object_type = ? AND state IN ('pending', 'sending') AND id > ? AND id <= ?
            ORDER BY id LIMIT ?
            """)
        s.bind(1, replica); s.bind(2, objectType); s.bind(3, after); s.bind(4, through); s.bind(5, Int64(limit))
        var out: [OutboxItem] = []
        while try s.step() { out.append(try outboxItem(s)) }
        return out
    }

    /// The object types with open items (pending or sending) for a replica; with
    /// `createsOnly`, only those with an item that creates a record there (planned as a
    /// create, or naming a record the replica holds no copy of).
    public func openOutboxObjects(replica: String, createsOnly: Bool = false) throws(StoreError) -> Set<String> {
        let s = try db.prepare("SELECT DISTINCT object_type FROM outbox o WHERE replica = ? AND state IN ('pending', 'sending')"
                               + (createsOnly ? " AND (operation = 'create' OR NOT EXISTS (SELECT 1 FROM links l WHERE l.gid = o.gid AND l.replica = o.replica))" : ""))
        s.bind(1, replica)
        var out: Set<String> = []
        while try s.step() { out.insert(s.text(0)) }
        return out
    }

    /// The newest outbox id (0 when empty).
    public func lastOutboxID() throws(StoreError) -> Int64 {
        let s = try db.prepare("SELECT coalesce(max(id), 0) FROM outbox")
        return try s.step() ? s.int64(0) : 0
    }

    func outboxItem(_ s: SQLiteStatement) throws(StoreError) -> OutboxItem {
        guard let id = RecordID(bytes: s.blob(3)) else { throw StoreError(.corrupt, "an outbox row has a malformed global id", path: path) }
        return OutboxItem(id: s.int64(0), replica: s.text(1), objectType: s.text(2), record: id,
                          operation: OutboxItem.Operation(rawValue: s.text(4)) ?? .update, payload: s.text(5),
                          state: OutboxItem.State(rawValue: s.text(6)) ?? .pending, attempts: Int(s.int64(7)),
                          createdAt: s.uint64(8), lastError: s.isNull(9) ? nil : s.text(9))
    }

    /// Marks items as handed to the CRM (before sending creates).
    public func markSending(_ ids: [Int64]) throws(StoreError) {
        try updateOutbox(ids, "UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE id = ?")
    }

    /// Removes items the CRM accepted.
    public func completeOutbox(_ ids: [Int64]) throws(StoreError) {
        try updateOutbox(ids, "DELETE FROM outbox WHERE id = ?")
    }

    /// Records a failure: a transient one returns the item to `pending`, a permanent one
    /// parks it as `failed` with the error.
    public func failOutbox(_ id: Int64, error: String, permanent: Bool) throws(StoreError) {
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare("UPDATE outbox SET state = ?, last_error = ? WHERE id = ?")
            s.bind(1, permanent ? "failed" : "pending"); s.bind(2, errorFilter(error)); s.bind(3, id)
            try s.run()
        }
    }

    /// Records a failure whose outcome is unknown (a timeout, an unanswered batch part) for
    /// an item handed to the CRM: it stays `sending`, so it is reconciled (looked up in the
    /// CRM) before it is ever sent again. Only for items in `sending`; others are unchanged.
    public func keepSending(_ id: Int64, error: String) throws(StoreError) {
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare("UPDATE outbox SET last_error = ? WHERE id = ? AND state = 'sending'")
            s.bind(1, errorFilter(error)); s.bind(2, id)
            try s.run()
        }
    }

    /// Parks an item whose only remaining writes are references this replica cannot hold.
    public func blockOutbox(_ id: Int64, reason: String) throws(StoreError) {
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare("UPDATE outbox SET state = 'blocked', last_error = ? WHERE id = ?")
            s.bind(1, errorFilter(reason)); s.bind(2, id)
            try s.run()
        }
    }

    /// Returns a replica's blocked items to `pending` (a record they wait for may exist now).
    public func rearmBlocked(replica: String) throws(StoreError) {
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare("UPDATE outbox SET state = 'pending' WHERE replica = ? AND state = 'blocked'")
            s.bind(1, replica)
            try s.run()
        }
    }

    /// Whether a record has open work (pending or sending) for a replica.
    public func hasOpenOutbox(replica: String, record: RecordID) throws(StoreError) -> Bool {
        let s = try db.prepare("SELECT 1 FROM outbox WHERE replica = ? AND gid = ? AND state IN ('pending', 'sending') LIMIT 1")
        s.bind(1, replica); s.bind(2, record.bytes)
        return try s.step()
    }

    /// Drops every item of one record for one replica (pending, sending or failed): used when
    /// the record turns out to exist there already, so a planned create is moot.
    public func discardOutbox(replica: String, record: RecordID) throws(StoreError) {
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare("DELETE FROM outbox WHERE replica = ? AND gid = ?")
            s.bind(1, replica); s.bind(2, record.bytes)
            try s.run()
        }
    }

    /// Open items (pending or sending) per replica.
    public func outboxDepth() throws(StoreError) -> [String: Int] {
        let s = try db.prepare("SELECT replica, count(*) FROM outbox WHERE state IN ('pending', 'sending') GROUP BY replica")
        var out: [String: Int] = [:]
        while try s.step() { out[s.text(0)] = Int(s.int64(1)) }
        return out
    }

    private func updateOutbox(_ ids: [Int64], _ sql: String) throws(StoreError) {
        guard !ids.isEmpty else { return }
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare(sql)
            for id in ids {
                s.reset(); s.bind(1, id)
                try s.run()
            }
        }
    }
}
