import ConcordCore

/// How far this store has applied one peer store's stream (one row of `replication_cursors`).
public struct PeerStreamCursor: Hashable, Sendable {
    /// The peer store's site id.
    public var peerSite: SiteID
    /// The peer store's incarnation.
    public var incarnation: UInt64
    /// Which part of the peer's changes (`""` for all; a pull names its object types).
    public var stream: String
    /// Where this store stands in that stream.
    public var cursor: ChangeCursor
    /// When it last moved, Unix ms.
    public var updatedAt: UInt64
}

/// What this store knows of one peer it replicates with (one row of `replication_peers`).
public struct PeerLinkState: Hashable, Sendable {
    /// The peer's name (its URL, for an edge; the configured name, for a hub).
    public var peer: String
    /// The peer store's site id, once known.
    public var peerSite: SiteID?
    /// How far the peer has applied this store's changes (its answer to the last exchange).
    public var acknowledged: ChangeCursor
    /// Where this store may start its next batch to the peer instead: the changes between
    /// ``acknowledged`` and here all came from that peer (it holds them), so they are not
    /// sent back. Written with each acknowledgement, so it always belongs to the current one.
    public var skipTo: UInt64?

    /// Where the next batch to the peer starts: past what the peer is known to hold.
    public var sendFrom: ChangeCursor {
        if let skipTo, acknowledged.floor == acknowledged.after, skipTo > acknowledged.after {
            return ChangeCursor(after: skipTo, floor: skipTo)
        }
        return acknowledged
    }
    /// The records the peer said it still had to send, at the last contact.
    public var incomingPending: Int
    /// The last successful exchange, Unix ms.
    public var lastContact: UInt64?
    /// The last attempt, Unix ms.
    public var lastAttempt: UInt64?
    /// Why the last attempt failed, if it did.
    public var lastError: String?
}

extension ConcordStore {
    /// This store file's incarnation: a random id made on first use. A store created again
    /// is a new incarnation, so peers never mistake its restarted sequence for one they
    /// have applied.
    public func incarnation() throws(StoreError) -> UInt64 {
        if let v = try metaUInt("incarnation") { return v }
        var v: UInt64 = 0
        while v == 0 { v = UInt64.random(in: 1...UInt64.max) }
        try writeTransaction { () throws(StoreError) in try setMeta("incarnation", v) }
        return v
    }

    /// The newest local sequence number (0 for an empty store).
    public var latestSequence: UInt64 { nextSequence - 1 }

    /// Records changed after `sequence` (of `objectTypes`, or all): what a reader standing
    /// there has still to receive, counted before a transfer starts.
    public func recordsChanged(after sequence: UInt64, objectTypes: Set<String>? = nil) throws(StoreError) -> Int {
        let s = try db.prepare("SELECT count(*) FROM entities WHERE seq > ?\(typeFilter(objectTypes))")
        s.bind(1, sequence)
        return try s.step() ? Int(s.int64(0)) : 0
    }

    /// `AND object_type IN (...)` for `objectTypes` (nothing for all): their interned ids, so
    /// the clause holds numbers only.
    func typeFilter(_ objectTypes: Set<String>?) -> String {
        guard let objectTypes else { return "" }
        return " AND object_type IN (\(objectTypes.compactMap { typeIDs[$0] }.sorted().map(String.init).joined(separator: ",")))"
    }

    /// The records changed after `sequence`, oldest first: what a merge changed, read back by
    /// the range of sequence numbers it took (the merge itself keeps no list).
    public func recordIDs(changedAfter sequence: UInt64) throws(StoreError) -> [RecordID] {
        let s = try db.prepare("SELECT gid FROM entities WHERE seq > ? ORDER BY seq")
        s.bind(1, sequence)
        var out: [RecordID] = []
        while try s.step() {
            guard let id = RecordID(bytes: s.blob(0)) else { throw StoreError(.corrupt, "an entity has a malformed global id", path: path) }
            out.append(id)
        }
        return out
    }

    /// Where this store stands in a peer's stream (`.start` when it has applied nothing).
    public func peerCursor(site: SiteID, incarnation: UInt64, stream: String) throws(StoreError) -> ChangeCursor {
        let s = try db.prepare("SELECT through, floor FROM replication_cursors WHERE peer_site = ? AND incarnation = ? AND stream = ?")
        s.bind(1, site.rawValue); s.bind(2, incarnation); s.bind(3, stream)
        guard try s.step() else { return .start }
        return ChangeCursor(after: s.uint64(0), floor: s.uint64(1))
    }

    /// Moves the cursor of a peer's stream; call it inside the transaction that applies the
    /// batch it describes (``transaction(_:)``).
    public func setPeerCursor(_ cursor: ChangeCursor, site: SiteID, incarnation: UInt64, stream: String) throws(StoreError) {
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare("""
                INSERT INTO replication_cursors(peer_site, incarnation, stream, through, floor, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                ON CONFLICT(peer_site, incarnation, stream) DO UPDATE SET through = ?4, floor = ?5, updated_at = ?6
                """)
            s.bind(1, site.rawValue); s.bind(2, incarnation); s.bind(3, stream)
            s.bind(4, cursor.after); s.bind(5, cursor.floor); s.bind(6, wallClock.nowMillis())
            try s.run()
        }
    }

    /// Every peer stream this store has applied from.
    public func peerCursors() throws(StoreError) -> [PeerStreamCursor] {
        let s = try db.prepare("SELECT peer_site, incarnation, stream, through, floor, updated_at FROM replication_cursors ORDER BY peer_site, stream")
        var out: [PeerStreamCursor] = []
        while try s.step() {
            out.append(PeerStreamCursor(peerSite: SiteID(rawValue: s.uint64(0)), incarnation: s.uint64(1), stream: s.text(2),
                                        cursor: ChangeCursor(after: s.uint64(3), floor: s.uint64(4)), updatedAt: s.uint64(5)))
        }
        return out
    }

    /// What this store knows of a peer, or `nil` before the first attempt.
    public func peerLink(_ peer: String) throws(StoreError) -> PeerLinkState? {
        let s = try db.prepare("""
            SELECT peer, peer_site, acked_through, acked_floor, incoming_pending, last_contact, last_attempt, last_error, skip_to
            FROM replication_peers WHERE peer = ?
            """)
        s.bind(1, peer)
        guard try s.step() else { return nil }
        return Self.peerLink(s)
    }

    /// Every peer this store replicates with.
    public func peerLinks() throws(StoreError) -> [PeerLinkState] {
        let s = try db.prepare("""
            SELECT peer, peer_site, acked_through, acked_floor, incoming_pending, last_contact, last_attempt, last_error, skip_to
            FROM replication_peers ORDER BY peer
            """)
        var out: [PeerLinkState] = []
        while try s.step() { out.append(Self.peerLink(s)) }
        return out
    }

    private static func peerLink(_ s: SQLiteStatement) -> PeerLinkState {
        let acked = ChangeCursor(after: s.uint64(2), floor: s.uint64(3))
        return PeerLinkState(peer: s.text(0), peerSite: s.isNull(1) ? nil : SiteID(rawValue: s.uint64(1)),
                      acknowledged: acked, skipTo: s.uint64(8) > acked.after ? s.uint64(8) : nil,
                      incomingPending: Int(s.int64(4)),
                      lastContact: s.isNull(5) ? nil : s.uint64(5), lastAttempt: s.isNull(6) ? nil : s.uint64(6),
                      lastError: s.isNull(7) ? nil : s.text(7))
    }

    /// Records a successful exchange with a peer: how far it has applied this store's
    /// changes, where the next batch may start instead (``PeerLinkState/skipTo``), what it
    /// still has to send, and when.
    public func recordPeerContact(_ peer: String, site: SiteID, acknowledged: ChangeCursor, skipTo: UInt64?,
                                  incomingPending: Int) throws(StoreError) {
        let now = wallClock.nowMillis()
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare("""
                INSERT INTO replication_peers(peer, peer_site, acked_through, acked_floor, skip_to, incoming_pending,
                    last_contact, last_attempt, last_error)
                VALUES (?1, ?2, ?3, ?4, ?7, ?5, ?6, ?6, NULL)
                ON CONFLICT(peer) DO UPDATE SET peer_site = ?2, acked_through = ?3, acked_floor = ?4, skip_to = ?7,
                    incoming_pending = ?5, last_contact = ?6, last_attempt = ?6, last_error = NULL
                """)
            s.bind(1, peer); s.bind(2, site.rawValue); s.bind(3, acknowledged.after); s.bind(4, acknowledged.floor)
            s.bind(5, Int64(incomingPending)); s.bind(6, now); s.bind(7, skipTo ?? 0)
            try s.run()
        }
    }

    /// Records a failed attempt to reach a peer, and why.
    public func recordPeerFailure(_ peer: String, error: String) throws(StoreError) {
        let now = wallClock.nowMillis()
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare("""
                INSERT INTO replication_peers(peer, last_attempt, last_error) VALUES (?1, ?2, ?3)
                ON CONFLICT(peer) DO UPDATE SET last_attempt = ?2, last_error = ?3
                """)
            s.bind(1, peer); s.bind(2, now); s.bind(3, errorFilter(error))
            try s.run()
        }
    }

    /// Quarantines a record a peer refused (out of its scope, say), so the refusal is
    /// visible here and the stream moves on.
    public func quarantineRefused(_ change: RecordChange, peer: String, rule: String, reason: String) throws(StoreError) {
        _ = try addQuarantine(key: RecordID.random().description, objectType: change.objectType, replica: peer,
                              recordKey: change.id.description, input: ChangeCodec.encode(change), rule: rule, reason: reason)
    }
}
