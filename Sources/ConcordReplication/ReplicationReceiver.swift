import ConcordCore
import ConcordStore

/// Applies a peer's batch to a store: the acceptance decision, the merge and the cursor,
/// in one transaction.
public struct ReplicationReceiver {
    /// What became of a batch.
    public struct Receipt: Sendable, Hashable {
        /// The decision.
        public var acceptance: BatchAcceptance
        /// Where the receiver stands in the sender's stream afterwards.
        public var cursor: ChangeCursor
        /// What the merge did (empty unless applied).
        public var registersChanged: Int
        /// Records whose stored state changed.
        public var recordsChanged: Int
        /// Records merged in (in scope), registers they carried.
        public var registersReceived: Int
        /// Records not merged: refused (out of scope) or quarantined (clock skew, a type
        /// that differs), each with why.
        public var refused: [Refusal]
        /// The receiver's latest sequence before and after: every change in between came from
        /// this batch (the sender holds it), so it need not be sent back.
        public var sequencesBefore: UInt64, sequencesAfter: UInt64
    }

    /// A record of a batch that was not merged, and why.
    public struct Refusal: Sendable, Hashable, Codable {
        /// The record's global id.
        public var id: String
        /// Its object type.
        public var object: String
        /// The rule (`scope`, `clock-skew`, `object-type`).
        public var rule: String
        /// Why.
        public var reason: String
        /// Creates a refusal.
        public init(id: String, object: String, rule: String, reason: String) {
            self.id = id
            self.object = object
            self.rule = rule
            self.reason = reason
        }
    }

    let store: ConcordStore
    /// Which part of the sender's changes the batch belongs to (`""`: all of them; a pull
    /// names its object types, so a different scope starts its own stream).
    let stream: String
    /// The sender's name in the quarantine (`peer:<name>`).
    let peerName: String

    /// A receiver writing into `store`.
    public init(store: ConcordStore, stream: String = "", peerName: String) {
        self.store = store
        self.stream = stream
        self.peerName = peerName
    }

    /// Applies `batch` if it starts where this store stands in the sender's stream: the
    /// records `admit` refuses (returning why) go to the quarantine; the rest are merged;
    /// `afterMerge` is told the sequence the changed records come after (the hub reads them
    /// with ``ConcordStore/recordIDs(changedAfter:)`` and plans their pushes to the CRMs
    /// there); the cursor moves. All in one transaction: a crash leaves all or nothing.
    public func receive(_ batch: ReplicationBatch, admit: (RecordChange) -> String? = { _ in nil },
                        afterMerge: (ConcordStore, _ changedAfter: UInt64) throws(StoreError) -> Void = { _, _ throws(StoreError) in })
        throws(StoreError) -> Receipt {
        try store.transaction { store throws(StoreError) -> Receipt in
            let before = store.latestSequence
            let cursor = try store.peerCursor(site: batch.sender, incarnation: batch.incarnation, stream: stream)
            let acceptance = BatchAcceptance.decide(batch, cursor: cursor)
            guard acceptance == .apply else {
                return Receipt(acceptance: acceptance, cursor: cursor, registersChanged: 0, recordsChanged: 0, registersReceived: 0, refused: [],
                               sequencesBefore: before, sequencesAfter: before)
            }
            var admitted: [RecordChange] = []
            admitted.reserveCapacity(batch.changes.count)
            var refused: [Refusal] = []
            var received = 0
            for change in batch.changes {
                if let reason = admit(change) {
                    refused.append(Refusal(id: change.id.description, object: change.objectType, rule: "scope", reason: reason))
                    try store.quarantineRefused(change, peer: peerName, rule: "scope", reason: reason)
                } else {
                    admitted.append(change)
                    received += change.state.entries.count
                }
            }
            let result = try store.merge(admitted, origin: peerName)
            for q in result.quarantined {
                refused.append(Refusal(id: q.id.description, object: admitted.first { $0.id == q.id }?.objectType ?? "",
                                       rule: q.rule, reason: q.reason))
            }
            let after = store.latestSequence
            // Each changed record took one sequence number: they are the ones above `before`.
            if after > before { try afterMerge(store, before) }
            let next = batch.nextCursor
            try store.setPeerCursor(next, site: batch.sender, incarnation: batch.incarnation, stream: stream)
            return Receipt(acceptance: .apply, cursor: next, registersChanged: result.registersChanged,
                           recordsChanged: Int(after - before), registersReceived: received, refused: refused,
                           sequencesBefore: before, sequencesAfter: after)
        }
    }
}

extension ReplicationReceiver.Receipt {
    /// Where a batch back to the sender may skip to, when the sender stood at `cursor` in
    /// this store's stream: if it held everything up to the start of this batch's changes,
    /// it holds everything through their end (it sent them).
    public func skip(from cursor: ChangeCursor) -> UInt64? {
        guard sequencesAfter > sequencesBefore, cursor.after == sequencesBefore, cursor.floor == cursor.after else { return nil }
        return sequencesAfter
    }
}
