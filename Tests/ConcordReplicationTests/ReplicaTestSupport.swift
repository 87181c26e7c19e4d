import ConcordCore
import ConcordReplica
@testable import ConcordReplication
import ConcordStore
import Foundation

/// A store shared between a test and its in-process transport (one task at a time).
final class StoreBox: @unchecked Sendable {
    let store: ConcordStore
    let lock = NSLock()
    init(_ store: ConcordStore) { self.store = store }
    func with<T>(_ body: (ConcordStore) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(store)
    }
}

/// The link of the in-process tests: calls a hub's ``ReplicationHub`` directly, with faults
/// drawn from a seeded generator: the request lost, the answer lost after the hub committed,
/// the answer cut at a random byte, the request delivered twice.
final class FaultyTransport: ReplicaTransport, @unchecked Sendable {
    struct Faults {
        var requestLost = 0.0, answerLost = 0.0, answerCut = 0.0, duplicated = 0.0
        static let none = Faults()
        static let harsh = Faults(requestLost: 0.15, answerLost: 0.15, answerCut: 0.1, duplicated: 0.1)
    }
    let hub: StoreBox
    let grants: [PeerGrant]
    let token: String
    let limits: ReplicationSource.Limits
    var faults: Faults
    var rng: SplitMix64
    /// Registers the edge sent that the hub had already committed (what a resume must never do).
    var committedResent = 0
    let lock = NSLock()

    init(hub: StoreBox, grants: [PeerGrant], token: String, seed: UInt64, faults: Faults = .none,
         limits: ReplicationSource.Limits = .init(records: 7, bytes: 2_000)) {
        self.hub = hub
        self.grants = grants
        self.token = token
        self.faults = faults
        self.limits = limits
        rng = SplitMix64(seed: seed)
    }

    func chance(_ p: Double) -> Bool { Double(rng.next() % 10_000) / 10_000 < p }

    func exchange(query: [(name: String, value: String)], body: [UInt8]) async throws(ReplicaError) -> (status: Int, body: [UInt8]) {
        try deliver(query: query, body: body)
    }

    func deliver(query: [(name: String, value: String)], body: [UInt8]) throws(ReplicaError) -> (status: Int, body: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        if chance(faults.requestLost) { throw ReplicaError(.transient, "request lost") }
        var q: [String: String] = [:]
        for (k, v) in query { q[k] = v }
        let hubLogic = ReplicationHub(grants: grants, limits: limits)
        let answer = hub.with { store -> ReplicationHub.Answer in
            if let batch = try? BatchCodec.decode(body), batch.registerCount > 0 {
                let cursor = (try? store.peerCursor(site: batch.sender, incarnation: batch.incarnation, stream: "")) ?? .start
                if batch.through <= cursor.after { committedResent += batch.registerCount }
            }
            var a = hubLogic.exchange(authorization: "Bearer \(token)", query: q, body: body, store: store)
            if chance(faults.duplicated) { a = hubLogic.exchange(authorization: "Bearer \(token)", query: q, body: body, store: store) }
            return a
        }
        if chance(faults.answerLost) { throw ReplicaError(.transient, "answer lost") }
        if chance(faults.answerCut), answer.body.count > 1 {
            return (answer.status, Array(answer.body.prefix(Int(rng.next() % UInt64(answer.body.count)))))
        }
        return (answer.status, answer.body)
    }
}

/// Writes logged as committed, to prove none is lost.
struct WriteLog {
    var registers: [(RecordID, String, Stamp)] = []
    var lengths: [(RecordID, UInt64)] = []

    mutating func edit(_ store: ConcordStore, _ rng: inout SplitMix64, records: UInt64 = 12) throws {
        for _ in 0..<1 + rng.next() % 3 {
            let id = RecordID(high: 7, low: rng.next() % records)
            if rng.next() % 15 == 0, try store.record(id) != nil {
                _ = rng.next() % 2 == 0 ? try store.delete(id) : try store.restore(id)
                lengths.append((id, try store.record(id)!.state.causalLength))
                continue
            }
            let field = ["city", "email", "phone", "title"][Int(rng.next() % 4)]
            let type = id.low % 3 == 0 ? "company" : "contact"
            let stamp = try store.write(id, objectType: type, fields: [field: .string("v\(rng.next() % 50)")])
            registers.append((id, field, stamp))
        }
    }

    func lost(in store: ConcordStore) throws -> [String] {
        var out: [String] = []
        for (id, field, stamp) in registers {
            let held = try store.record(id)?.state.entries.first { $0.name == field }?.register.stamp
            if held == nil || held! < stamp { out.append("\(id).\(field) @\(stamp)") }
        }
        for (id, cl) in lengths where (try store.record(id)?.state.causalLength ?? 0) < cl { out.append("\(id) causal length \(cl)") }
        return out
    }
}
