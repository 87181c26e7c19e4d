import ConcordCore
import ConcordStore

/// One peer a hub serves: its name, token and scope.
public struct PeerGrant: Sendable, Hashable {
    /// The peer's configured name (its quarantine entries read `peer:<name>`).
    public var name: String
    /// Its bearer token.
    public var token: String
    /// The object types it receives (`nil`: all).
    public var read: Set<String>?
    /// The object types it may write (`nil`: all).
    public var write: Set<String>?

    /// Creates a grant.
    public init(name: String, token: String, read: Set<String>?, write: Set<String>?) {
        self.name = name
        self.token = token
        self.read = read
        self.write = write
    }
}

/// The hub's side of an exchange, transport aside: authenticate the peer, apply its batch,
/// read the batch it gets back. The HTTP route (in `concord serve`) only adapts.
public struct ReplicationHub: Sendable {
    /// An HTTP-shaped answer.
    public struct Answer: Sendable {
        /// The status code.
        public var status: Int
        /// The content type.
        public var contentType: String
        /// The body.
        public var body: [UInt8]
        /// What the exchange moved (for metrics and logs).
        public var registersIn = 0, registersOut = 0, pending = 0
        /// The peer's name, once authenticated.
        public var peer: String?

        /// A plain-text error answer (to `peer`, once authenticated).
        public static func error(_ status: Int, _ message: String, peer: String? = nil) -> Answer {
            var a = Answer(status: status, contentType: "text/plain; charset=utf-8", body: Array((message + "\n").utf8))
            a.peer = peer
            return a
        }
    }

    let grants: [PeerGrant]
    let limits: ReplicationSource.Limits
    let decodeLimits: BatchCodec.Limits

    /// A hub serving `grants`.
    public init(grants: [PeerGrant], limits: ReplicationSource.Limits = .init(), decodeLimits: BatchCodec.Limits = .init()) {
        self.grants = grants
        self.limits = limits
        self.decodeLimits = decodeLimits
    }

    /// The grant a bearer token (`Authorization` header value) names, compared in constant time.
    public func grant(authorization: String?) -> PeerGrant? {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return nil }
        let token = Array(authorization.utf8.dropFirst(7))
        var found: PeerGrant?
        for g in grants where ConstantTime.equal(Array(g.token.utf8), token) { found = g }
        return found
    }

    /// Answers one exchange. `afterMerge` runs inside the transaction that applies the peer's
    /// batch, with the sequence the changed records come after (the service plans their pushes to the CRMs).
    public func exchange(authorization: String?, query: [String: String], body: [UInt8], store: ConcordStore,
                         afterMerge: (ConcordStore, _ changedAfter: UInt64) throws(StoreError) -> Void = { _, _ throws(StoreError) in }) -> Answer {
        guard let grant = grant(authorization: authorization) else {
            return .error(401, "replication needs a peer's bearer token (service.replication.peers)")
        }
        guard let position = Exchange.Position(query: query) else {
            return .error(400, "the query must give a (after), f (floor, not above a) and i (the hub incarnation) as numbers")
        }
        let batch: ReplicationBatch
        do { batch = try BatchCodec.decode(body, limits: decodeLimits) } catch {
            return .error(400, error.description, peer: grant.name)
        }
        if batch.sender == store.siteID {
            return .error(409, "the peer has this hub's own site id \(store.siteID): it is a copy of this store, which cannot replicate with itself")
        }
        do {
            return try store.transaction { store throws(StoreError) -> Answer in
                try answer(batch, position: position, grant: grant, store: store, afterMerge: afterMerge)
            }
        } catch {
            return .error(503, "the hub's store failed: \(error.message); try again later", peer: grant.name)
        }
    }

    /// The exchange inside one transaction: the peer's batch applied, where the peer stands in
    /// this store's stream recorded (what it acknowledged: `concord status`, and the horizon
    /// below which every known peer holds everything), the batch back read.
    func answer(_ batch: ReplicationBatch, position: Exchange.Position, grant: PeerGrant, store: ConcordStore,
                afterMerge: (ConcordStore, _ changedAfter: UInt64) throws(StoreError) -> Void) throws(StoreError) -> Answer {
        let receipt = try ReplicationReceiver(store: store, peerName: "peer:\(grant.name)").receive(batch, admit: { change in
            guard let write = grant.write, !write.contains(change.objectType) else { return nil }
            return "peer \(grant.name) may not write \(change.objectType) records (service.replication.peers.\(grant.name).write: "
                + "\(write.sorted().joined(separator: ", ")))"
        }, afterMerge: afterMerge)
        let outcome: String
        switch receipt.acceptance {
        case .apply: outcome = "applied"
        case .alreadyApplied: outcome = "already"
        case .gap: outcome = "gap"
        case .malformed(let why):
            return .error(400, "replication batch: \(why)", peer: grant.name)
        }
        let scope = Self.scope(asked: position.objects, granted: grant.read)
        let stream = Exchange.streamName(scope)
        let incarnation = try store.incarnation()
        let from = position.incarnation == incarnation && position.stream == stream ? position.cursor : .start
        let source = ReplicationSource(store: store, limits: limits)
        let out = try source.batch(after: from, skippingTo: receipt.skip(from: from), for: batch.sender, objectTypes: scope)
        let pending = out.complete ? 0 : try source.pending(after: out.nextCursor, objectTypes: scope)
        try store.recordPeerContact("peer:\(grant.name)", site: batch.sender, acknowledged: from, skipTo: nil, incomingPending: 0)
        let ack = ExchangeAck(outcome: outcome, cursor: receipt.cursor, pending: pending, stream: stream, refused: receipt.refused)
        var answer = Answer(status: 200, contentType: "application/x-concord-replication", body: Exchange.encodeAnswer(ack: ack, batch: out))
        answer.registersIn = receipt.registersReceived
        answer.registersOut = out.registerCount
        answer.pending = pending
        answer.peer = grant.name
        return answer
    }

    /// What a peer receives: what it asked for, within what it is granted.
    static func scope(asked: Set<String>?, granted: Set<String>?) -> Set<String>? {
        switch (asked, granted) {
        case (nil, nil): return nil
        case (let a?, nil): return a
        case (nil, let g?): return g
        case (let a?, let g?): return a.intersection(g)
        }
    }
}
