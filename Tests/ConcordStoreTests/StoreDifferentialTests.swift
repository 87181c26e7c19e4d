@testable import ConcordStore
import ConcordCore
import Testing

/// The store against an in-memory model of the same merges: after every batch, the store
/// holds exactly what folding the core `merge` over the same inputs gives.
@Suite("Store vs in-memory model")
struct StoreDifferentialTests {
    @Test("random batches, equal stamps included, in random order", arguments: [1, 2, 3, 4] as [UInt64])
    func differential(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let store = try ConcordStore.open(path: ":memory:", wallClock: .constant(10_000_000))
        var model: [RecordID: RecordState] = [:]
        let ids = (0..<40).map { _ in RecordID.random(using: &rng) }
        let names = ["email", "phone", "title", "owner", "amount", "stage"]
        for round in 0..<60 {
            var batch: [RecordChange] = []
            for id in ids.shuffled(using: &rng).prefix(Int(rng.next() % 15)) {
                var fields: [String: FieldRegister] = [:]
                for name in names where rng.next() % 2 == 0 {
                    let value: Value = rng.next() % 5 == 0 ? .null : .string("v\(rng.next() % 4)")
                    fields[name] = FieldRegister(value: value, stamp: Stamp(hlc: HLCTimestamp(millis: rng.next() % 5, counter: rng.next() % 2),
                                                                               site: SiteID(rawValue: rng.next() % 2)))
                }
                batch.append(RecordChange(id: id, objectType: "contact", state: RecordState(fields: fields, causalLength: 1 + rng.next() % 4)))
            }
            _ = try store.merge(batch)
            for change in batch {
                model[change.id] = merge(local: model[change.id] ?? RecordState(causalLength: 0), remote: change.state).state
            }
            let stored = try store.allRecords().mapValues(\.state)
            let differing = Set(stored.keys).union(model.keys).filter { stored[$0] != model[$0] }.sorted()
            #expect(differing.isEmpty, "seed \(seed), round \(round): \(differing.count) records differ; first \(differing.first.map { "store \(String(describing: stored[$0])) model \(String(describing: model[$0]))" } ?? "")")
            if stored != model { return }
        }
    }

    @Test("idempotent re-merge changes nothing and assigns no sequence numbers")
    func idempotent() throws {
        var rng = SplitMix64(seed: 77)
        let store = try ConcordStore.open(path: ":memory:", wallClock: .constant(10_000_000))
        let batch = (0..<100).map { i in
            RecordChange(id: RecordID.random(using: &rng), objectType: "deal",
                         state: RecordState(fields: ["amount": FieldRegister(value: .decimal(ExactDecimal(Int64(i))),
                                                                             stamp: Stamp(hlc: HLCTimestamp(millis: 5), site: SiteID(rawValue: 1)))]))
        }
        let first = try store.merge(batch)
        #expect(first.recordsInserted == 100 && first.registersChanged == 100)
        let digest = try store.digest()
        let seq = store.nextSequence
        let again = try store.merge(batch)
        #expect(again.recordsInserted == 0 && again.recordsUpdated == 0 && again.registersChanged == 0)
        #expect(try store.digest() == digest)
        #expect(store.nextSequence == seq)
    }
}
