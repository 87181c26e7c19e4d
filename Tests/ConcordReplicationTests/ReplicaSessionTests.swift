import ConcordCore
import ConcordReplica
@testable import ConcordReplication
import ConcordStore
import Foundation
import Testing

/// An edge and a hub in one process, the link between them failing at random (requests and
/// answers lost, answers cut, requests delivered twice), both editing the same records with
/// skewed clocks: every run ends with identical digests, no logged write lost, and nothing
/// the hub had committed sent again.
@Suite struct ReplicaSessionTests {
    static let grant = PeerGrant(name: "edge", token: "t0k", read: nil, write: nil)

    static func store(_ skew: Int64 = 0) throws -> ConcordStore {
        try ConcordStore.open(path: ":memory:", wallClock: WallClock { UInt64(Int64(WallClock.system.nowMillis()) + skew) })
    }

    @Test("edge and hub converge through a failing link, both editing (seeds 1-40)")
    func convergesUnderFaults() async throws {
        for seed in UInt64(1)...40 {
            var rng = SplitMix64(seed: seed)
            let hub = StoreBox(try Self.store(Int64(rng.next() % 3_000) - 1_500))
            let edge = try Self.store(Int64(rng.next() % 3_000) - 1_500)
            let link = FaultyTransport(hub: hub, grants: [Self.grant], token: "t0k", seed: seed, faults: .harsh)
            let session = ReplicaSession(store: edge, peer: "hub", transport: link, limits: .init(records: 5, bytes: 1_500))
            var edgeLog = WriteLog(), hubLog = WriteLog()
            for _ in 0..<30 {
                if rng.next() % 2 == 0 { try edgeLog.edit(edge, &rng) }
                if rng.next() % 2 == 0 { try hub.with { try hubLog.edit($0, &rng) } }
                _ = try? await session.syncOnce()
            }
            link.faults = .none
            _ = try await session.syncOnce()
            let edgeDigest = try edge.digest(), hubDigest = try hub.with { try $0.digest() }
            #expect(edgeDigest == hubDigest, "seed \(seed): digests differ after the link healed")
            let lost = try edgeLog.lost(in: hub.store) + hubLog.lost(in: edge) + edgeLog.lost(in: edge) + hubLog.lost(in: hub.store)
            #expect(lost.isEmpty, "seed \(seed): lost writes \(lost.prefix(5))")
            #expect(link.committedResent == 0, "seed \(seed): \(link.committedResent) registers the hub had committed were sent again")
            let idle = try await session.syncOnce()
            #expect(idle.exchanges == 1 && idle.registersSent == 0 && idle.registersReceived == 0,
                    "seed \(seed): in sync costs one empty round trip, not \(idle)")
            let edgeCursor = try edge.peerCursors().first { $0.peerSite == hub.store.siteID }?.cursor
            #expect(try hub.with { try $0.peerLink("peer:edge")?.acknowledged } == edgeCursor,
                    "seed \(seed): the hub knows where the edge stands in its stream")
        }
    }

    @Test("a relay of three stores (edge - hub - hub) with identical concurrent writes loses nothing (cr-sqlite#413; seeds 1-30)")
    func relayWithIdenticalWrites() async throws {
        for seed in UInt64(1)...30 {
            var rng = SplitMix64(seed: seed)
            let edge = try Self.store(), h1 = StoreBox(try Self.store()), h2 = StoreBox(try Self.store())
            let id = RecordID(high: 9, low: 1)
            // The same value written concurrently on the edge and the far hub; other fields elsewhere.
            let s1 = try edge.write(id, objectType: "contact", fields: ["email": .string("same@x.com")])
            let s2 = try h2.with { try $0.write(id, objectType: "contact", fields: ["email": .string("same@x.com")]) }
            _ = try h1.with { try $0.write(id, objectType: "contact", fields: ["phone": .string("1")]) }
            let edgeToH1 = ReplicaSession(store: edge, peer: "h1",
                                          transport: FaultyTransport(hub: h1, grants: [Self.grant], token: "t0k", seed: seed, limits: .init(records: 1, bytes: 100)))
            let h1ToH2 = ReplicaSession(store: h1.store, peer: "h2",
                                        transport: FaultyTransport(hub: h2, grants: [Self.grant], token: "t0k", seed: seed + 1, limits: .init(records: 1, bytes: 100)))
            var log = WriteLog()
            log.registers += [(id, "email", s1), (id, "email", s2)]
            for _ in 0..<6 {
                if rng.next() % 2 == 0 { _ = try await edgeToH1.syncOnce() } else { _ = try await h1ToH2.syncOnce() }
                if rng.next() % 3 == 0 { try log.edit(edge, &rng, records: 3) }
                if rng.next() % 3 == 0 { try h2.with { try log.edit($0, &rng, records: 3) } }
            }
            for _ in 0..<2 {
                _ = try await edgeToH1.syncOnce()
                _ = try await h1ToH2.syncOnce()
            }
            let digests = [try edge.digest(), try h1.with { try $0.digest() }, try h2.with { try $0.digest() }]
            #expect(Set(digests).count == 1, "seed \(seed): the three stores differ")
            for (name, s) in [("edge", edge), ("h1", h1.store), ("h2", h2.store)] {
                let lost = try log.lost(in: s)
                #expect(lost.isEmpty, "seed \(seed): \(name) lost \(lost)")
            }
            let winner = max(s1, s2)
            #expect(try h2.with { try $0.record(id)?.state.entries.first { $0.name == "email" }?.register.stamp } == winner, "seed \(seed)")
        }
    }

    @Test("an unknown token gets nothing and writes nothing; out-of-scope writes are refused, recorded on both sides, and never wedge the stream")
    func authenticationAndScope() async throws {
        let hub = StoreBox(try Self.store())
        let company = RecordID(high: 1, low: 1), contact = RecordID(high: 1, low: 2)
        _ = try hub.with { try $0.write(company, objectType: "company", fields: ["name": .string("Acme")]) }
        _ = try hub.with { try $0.write(contact, objectType: "contact", fields: ["email": .string("hidden@x.com")]) }
        let before = try hub.with { try $0.digest() }
        let edge = try Self.store()
        _ = try edge.write(RecordID(high: 2, low: 1), objectType: "contact", fields: ["email": .string("mine@x.com")])
        let intruder = ReplicaSession(store: edge, peer: "hub",
                                      transport: FaultyTransport(hub: hub, grants: [Self.grant], token: "wrong", seed: 1))
        await #expect(throws: ReplicaError.self) { _ = try await intruder.syncOnce() }
        #expect(try hub.with { try $0.digest() } == before, "an unauthenticated peer wrote something")
        #expect(try edge.count() == 1, "an unauthenticated peer received something")

        let scoped = PeerGrant(name: "sales-laptop", token: "t0k", read: ["company"], write: ["company"])
        let session = ReplicaSession(store: edge, peer: "hub", transport: FaultyTransport(hub: hub, grants: [scoped], token: "t0k", seed: 1))
        _ = try edge.write(RecordID(high: 2, low: 2), objectType: "company", fields: ["name": .string("Mine Inc")])
        let summary = try await session.syncOnce()
        #expect(summary.refused == 1)
        #expect(try edge.record(contact) == nil, "an object outside the read scope reached the peer")
        #expect(try edge.record(company) != nil)
        #expect(try hub.with { try $0.record(RecordID(high: 2, low: 1)) } == nil, "a write outside the write scope was merged")
        #expect(try hub.with { try $0.record(RecordID(high: 2, low: 2)) } != nil, "the in-scope write behind it was wedged")
        #expect(try hub.with { try $0.quarantined().map(\.rule) } == ["scope"])
        #expect(try edge.quarantined().map(\.rule) == ["refused-by-hub"])
        #expect(try edge.quarantined().first?.reason.contains("may not write contact") == true)
        let again = try await session.syncOnce()
        #expect(again.exchanges == 1 && again.refused == 0, "the refused record is not sent again and again")
    }

    @Test("a store restored from a backup is refused with a clear error instead of its new writes being taken as old")
    func restoredStoreIsRefused() async throws {
        let dir = NSTemporaryDirectory() + "concord-restore-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hub = StoreBox(try Self.store())
        do {
            let edge = try ConcordStore.open(path: dir + "/edge.sqlite", wallClock: .system)
            _ = try edge.write(RecordID(high: 3, low: 1), objectType: "contact", fields: ["email": .string("a@x.com")])
            _ = try edge.incarnation()
        }
        try FileManager.default.copyItem(atPath: dir + "/edge.sqlite", toPath: dir + "/backup.sqlite")
        do {
            let edge = try ConcordStore.open(path: dir + "/edge.sqlite", wallClock: .system)
            for i in 2...5 { _ = try edge.write(RecordID(high: 3, low: UInt64(i)), objectType: "contact", fields: ["email": .string("\(i)@x.com")]) }
            _ = try await ReplicaSession(store: edge, peer: "hub", transport: FaultyTransport(hub: hub, grants: [Self.grant], token: "t0k", seed: 1)).syncOnce()
        }
        let restored = try ConcordStore.open(path: dir + "/backup.sqlite", wallClock: .system)
        let session = ReplicaSession(store: restored, peer: "hub", transport: FaultyTransport(hub: hub, grants: [Self.grant], token: "t0k", seed: 1))
        do {
            _ = try await session.syncOnce()
            Issue.record("a restored store synced")
        } catch {
            #expect(error.kind == .restored, "\(error)")
        }
    }
}

/// An edge asking for some objects gets only those, in a stream of their own.
@Suite struct ReplicaObjectsTests {
    @Test func askedObjectsOnly() async throws {
        let hub = StoreBox(try ConcordStore.open(path: ":memory:", wallClock: .system))
        _ = try hub.with { try $0.write(RecordID(high: 1, low: 1), objectType: "company", fields: ["name": .string("Acme")]) }
        _ = try hub.with { try $0.write(RecordID(high: 1, low: 2), objectType: "contact", fields: ["email": .string("a@x.com")]) }
        let edge = try ConcordStore.open(path: ":memory:", wallClock: .system)
        let link = FaultyTransport(hub: hub, grants: [ReplicaSessionTests.grant], token: "t0k", seed: 1)
        _ = try await ReplicaSession(store: edge, peer: "hub", transport: link, objects: ["company"]).syncOnce()
        #expect(try edge.count(objectType: "company") == 1 && edge.count(objectType: "contact") == 0)
        // Asking for everything later starts a stream of its own: the contact arrives.
        _ = try await ReplicaSession(store: edge, peer: "hub", transport: link).syncOnce()
        #expect(try edge.count(objectType: "contact") == 1 && edge.digest() == hub.with { try $0.digest() })
    }
}
