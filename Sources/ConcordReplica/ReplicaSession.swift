import ConcordCore
import ConcordReplication
import ConcordStore
import Foundation

/// An edge store's replication with one hub: exchanges until both sides hold everything,
/// each exchange one round trip carrying a batch each way.
///
/// The first exchange of a session is a probe (an empty batch up): the hub answers where it
/// stands in this store's stream, so after a cut nothing the hub committed is sent again.
/// Each batch down is applied with the cursor in one transaction. Not Sendable: one task
/// owns the store.
///
/// ```swift
/// let session = ReplicaSession(store: store, peer: "https://hub.example.com",
///                              transport: CurlReplicaTransport(hub: "https://hub.example.com", token: token))
/// let summary = try await session.syncOnce()
/// ```
public final class ReplicaSession {
    /// What a sync moved.
    public struct Summary: Sendable, Hashable {
        /// Round trips made.
        public var exchanges = 0
        /// Registers sent up and received down (before echo filtering at the receiver).
        public var registersSent = 0, registersReceived = 0
        /// Body bytes sent and received.
        public var bytesSent = 0, bytesReceived = 0
        /// Records this store had to send when the sync started (counted before it started).
        public var pendingOutAtStart = 0
        /// Records the hub had for this store at the first answer.
        public var pendingInAtStart = 0
        /// This store's records the hub refused during the sync.
        public var refused = 0
        /// Creates an empty summary.
        public init() {}
    }

    /// Progress, reported after every exchange.
    public struct Progress: Sendable {
        /// Records still to send and to receive.
        public var pendingOut: Int, pendingIn: Int
        /// Registers moved so far.
        public var registersSent: Int, registersReceived: Int
    }

    let store: ConcordStore
    let peer: String
    let transport: any ReplicaTransport
    let objects: Set<String>?
    let limits: ReplicationSource.Limits

    /// A session of `store` with the hub named `peer` (its URL), reached through `transport`,
    /// pulling `objects` (all the token allows when `nil`).
    public init(store: ConcordStore, peer: String, transport: any ReplicaTransport, objects: Set<String>? = nil,
                limits: ReplicationSource.Limits = .init()) {
        self.store = store
        self.peer = peer
        self.transport = transport
        self.objects = objects
        self.limits = limits
    }

    /// Exchanges until this store and the hub hold each other's changes (as of the end).
    /// Throws ``ReplicaError``; a failure is also recorded for `concord replicate --status`.
    public func syncOnce(onProgress: (Progress) -> Void = { _ in }) async throws(ReplicaError) -> Summary {
        do {
            return try await run(onProgress: onProgress)
        } catch {
            try? store.recordPeerFailure(peer, error: error.message)
            throw error
        }
    }

    private func run(onProgress: (Progress) -> Void) async throws(ReplicaError) -> Summary {
        var summary = Summary()
        let site = store.siteID
        let incarnation = try storeCall { () throws(StoreError) in try self.store.incarnation() }
        summary.pendingOutAtStart = try storeCall { () throws(StoreError) in
            try self.store.recordsChanged(after: try self.store.peerLink(self.peer)?.sendFrom.after ?? 0)
        }
        var probe = true
        var gaps = 0
        var prefetched: (push: ReplicationBatch, task: Task<Result<(status: Int, body: [UInt8]), ReplicaError>, Never>)?
        while true {
            let link = try storeCall { () throws(StoreError) in try self.store.peerLink(self.peer) }
            var push: ReplicationBatch
            let answer: (status: Int, body: [UInt8])
            if let p = prefetched {
                prefetched = nil
                push = p.push
                answer = try await p.task.value.get()
            } else {
            if probe {
                let at = link?.acknowledged ?? .start
                push = ReplicationBatch(sender: site, incarnation: incarnation, after: at.after, through: at.after, floor: at.floor,
                                        complete: false, changes: [])
            } else {
                push = try storeCall { () throws(StoreError) in
                    try ReplicationSource(store: self.store, limits: self.limits).batch(
                        after: link?.acknowledged ?? .start, skippingTo: link?.skipTo, for: link?.peerSite, objectTypes: nil)
                }
            }
            let position = try storeCall { () throws(StoreError) in try self.position(hub: link?.peerSite) }
            let body = BatchCodec.encode(push)
            summary.bytesSent += body.count
            answer = try await transport.exchange(query: position.query, body: body)
            }
            summary.exchanges += 1
            summary.bytesReceived += answer.body.count
            try Self.check(answer.status, answer.body)
            let ack: ExchangeAck, down: ReplicationBatch
            do { (ack, down) = try Exchange.decodeAnswer(answer.body) } catch {
                throw ReplicaError(.transient, "the hub's answer is not a whole exchange (\(error)); trying again")
            }
            if ack.outcome == "applied" { summary.registersSent += push.registerCount }
            summary.registersReceived += down.registerCount
            if ack.cursor.after > store.latestSequence {
                throw ReplicaError(.restored, "the hub has applied this store's changes through sequence \(ack.cursor.after), but this "
                                   + "store's latest is \(store.latestSequence): it was restored from a backup or copied. Its later "
                                   + "writes would be taken for ones the hub already has; replicate from a fresh store instead "
                                   + "(concord replicate --store NEW.sqlite), then copy any edits made here since the backup")
            }
            if probe { summary.pendingInAtStart = ack.pending + down.changes.count }
            // More is coming down and nothing waits to go up: ask for the next batch now, so
            // the hub reads and sends it while this one is merged and committed here.
            let unchangedAck = link.map { $0.acknowledged == ack.cursor } ?? false
            let upFrom = unchangedAck ? (link?.sendFrom ?? ack.cursor) : ack.cursor
            if !down.complete, ack.outcome != "gap", probe || push.complete,
               try storeCall({ () throws(StoreError) in try self.store.recordsChanged(after: upFrom.after) }) == 0 {
                let next = ReplicationBatch(sender: site, incarnation: incarnation, after: ack.cursor.after, through: ack.cursor.after,
                                            floor: ack.cursor.floor, complete: false, changes: [])
                let query = Exchange.Position(incarnation: down.incarnation, stream: ack.stream, cursor: down.nextCursor, objects: objects).query
                let body = BatchCodec.encode(next)
                summary.bytesSent += body.count
                let transport = self.transport
                prefetched = (next, Task {
                    do throws(ReplicaError) { return .success(try await transport.exchange(query: query, body: body)) } catch { return .failure(error) }
                })
            }
            try storeCall { () throws(StoreError) in
                try self.store.transaction { store throws(StoreError) in
                    let receipt = try ReplicationReceiver(store: store, stream: ack.stream, peerName: "hub:\(self.peer)").receive(down)
                    for r in ack.refused {
                        guard let id = RecordID(r.id), let rec = try store.record(id) else { continue }
                        try store.quarantineRefused(RecordChange(id: id, objectType: rec.objectType, state: rec.state), peer: "hub:\(self.peer)",
                                                    rule: "refused-by-hub", reason: "\(r.rule): \(r.reason)")
                    }
                    // What this batch changed here came from the hub: the next batch up skips it.
                    let unchanged = link.map { $0.acknowledged == ack.cursor } ?? false
                    let holds = unchanged ? (link?.sendFrom ?? ack.cursor) : ack.cursor
                    let skip = receipt.skip(from: holds) ?? (unchanged ? link?.skipTo : nil)
                    try store.recordPeerContact(self.peer, site: down.sender, acknowledged: ack.cursor, skipTo: skip, incomingPending: ack.pending)
                }
            }
            summary.refused += ack.refused.count
            gaps = ack.outcome == "gap" ? gaps + 1 : 0
            if gaps > 3 {
                throw ReplicaError(.refused, "the hub answered a gap four times running (it stands at \(ack.cursor) in this store's stream)")
            }
            let now = try storeCall { () throws(StoreError) in try self.store.peerLink(self.peer) }
            let outLeft = try storeCall { () throws(StoreError) in try self.store.recordsChanged(after: now?.sendFrom.after ?? 0) }
            onProgress(Progress(pendingOut: outLeft, pendingIn: ack.pending, registersSent: summary.registersSent,
                                registersReceived: summary.registersReceived))
            let pushedAll = probe || push.complete || prefetched != nil
            probe = false
            // A skip not yet told to the hub is pushed (an empty batch) before stopping, so the
            // hub's cursor in this store's stream is exact, whatever URL reaches it next.
            if down.complete && outLeft == 0 && pushedAll && ack.outcome != "gap" && now?.skipTo == nil { return summary }
        }
    }

    /// Where this store stands in the hub's stream: its most recently moved cursor there. A
    /// hub not known by this URL yet (the same hub behind another address) gets the most
    /// recent cursor of any: a hub checks that the cursor is of its own incarnation and
    /// stream, and starts from the beginning otherwise.
    func position(hub: SiteID?) throws(StoreError) -> Exchange.Position {
        let stream = Exchange.streamName(objects)
        guard let last = try store.peerCursors().filter({ hub == nil || $0.peerSite == hub }).max(by: { $0.updatedAt < $1.updatedAt }) else {
            return Exchange.Position(incarnation: 0, stream: stream, cursor: .start, objects: objects)
        }
        return Exchange.Position(incarnation: last.incarnation, stream: last.stream, cursor: last.cursor, objects: objects)
    }

    static func check(_ status: Int, _ body: [UInt8]) throws(ReplicaError) {
        guard status != 200 else { return }
        let text = String(decoding: body.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        switch status {
        case 401, 403: throw ReplicaError(.unauthorized, "the hub refused this replica's token (\(status)): \(text)")
        case 408, 429, 500...599: throw ReplicaError(.transient, "the hub answered \(status): \(text)")
        default: throw ReplicaError(.refused, "the hub refused the exchange (\(status)): \(text)")
        }
    }

    func storeCall<T>(_ body: () throws(StoreError) -> T) throws(ReplicaError) -> T {
        do { return try body() } catch { throw ReplicaError(.store, "the store \(store.path) failed: \(error.message)") }
    }
}
