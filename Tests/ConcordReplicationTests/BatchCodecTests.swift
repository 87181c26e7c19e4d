import ConcordCore
@testable import ConcordReplication
import ConcordStore
import Foundation
import Testing

/// The replication batch's wire form: exact round trips, and nothing but an error for bytes
/// that are not a whole batch (cut anywhere, damaged, or lying about their counts).
@Suite struct BatchCodecTests {
    static func value(_ rng: inout SplitMix64) -> Value {
        switch rng.next() % 9 {
        case 0: .null
        case 1: .bool(rng.next() % 2 == 0)
        case 2: .int(Int64(bitPattern: rng.next()))
        case 3: .decimal(ExactDecimal("\(Int64(rng.next() % 100_000)).\(rng.next() % 100)")!)
        case 4: .string(String(repeating: "é", count: Int(rng.next() % 5)) + "v\(rng.next() % 1000)")
        case 5: .dateTime(Int64(rng.next() % 4_000_000_000_000))
        case 6: .date(CalendarDate(daysSinceEpoch: Int32(rng.next() % 40_000)))
        case 7: .reference(RecordID(high: rng.next(), low: rng.next()))
        default: .multiSelect(Set((0..<rng.next() % 4).map { "o\($0 + rng.next() % 3)" }))
        }
    }

    static func batch(seed: UInt64) -> ReplicationBatch {
        var rng = SplitMix64(seed: seed)
        let sites = (0..<1 + rng.next() % 4).map { _ in SiteID(rawValue: rng.next()) }
        let fields = ["city", "email", "first_name", "job_title", "last_name", "phone", "status"]
        let changes = (0..<rng.next() % 20).map { _ -> RecordChange in
            var registers: [String: FieldRegister] = [:]
            for field in fields where rng.next() % 2 == 0 {
                registers[field] = FieldRegister(value: value(&rng), stamp: Stamp(hlc: HLCTimestamp(rawValue: rng.next()), site: sites[Int(rng.next() % UInt64(sites.count))]))
            }
            return RecordChange(id: RecordID(high: rng.next(), low: rng.next()), objectType: ["contact", "company", "deal"][Int(rng.next() % 3)],
                                state: RecordState(fields: registers, causalLength: 1 + rng.next() % 5))
        }
        let after = rng.next() % 1_000_000
        return ReplicationBatch(sender: sites[0], incarnation: rng.next(), after: after, through: after + UInt64(changes.count),
                                floor: rng.next() % (after + 1), complete: rng.next() % 2 == 0, changes: changes)
    }

    @Test("random batches round-trip exactly (seeds 1-300)")
    func roundTrip() throws {
        for seed in UInt64(1)...300 {
            let batch = Self.batch(seed: seed)
            let decoded = try BatchCodec.decode(BatchCodec.encode(batch))
            #expect(decoded == batch, "seed \(seed)")
        }
    }

    @Test("a batch cut at any byte, or with any one byte changed, is refused whole, never half read (seeds 1-40)")
    func cutsAndDamage() {
        for seed in UInt64(1)...40 {
            let bytes = BatchCodec.encode(Self.batch(seed: seed))
            for cut in 0..<bytes.count {
                #expect(throws: BatchCodec.DecodeError.self, "seed \(seed), cut at \(cut)") { try BatchCodec.decode(Array(bytes[..<cut])) }
            }
            var rng = SplitMix64(seed: seed)
            for _ in 0..<50 {
                var damaged = bytes
                let at = Int(rng.next() % UInt64(bytes.count))
                damaged[at] ^= UInt8(1 + rng.next() % 255)
                #expect(throws: BatchCodec.DecodeError.self, "seed \(seed), byte \(at) changed") { try BatchCodec.decode(damaged) }
            }
        }
    }

    @Test("counts that promise more than the bytes hold, or more than the limits, are refused before allocating")
    func lyingCounts() throws {
        var batch = Self.batch(seed: 7)
        batch.changes = Array(batch.changes.prefix(2))
        let bytes = BatchCodec.encode(batch)
        #expect(throws: BatchCodec.DecodeError.self) { try BatchCodec.decode(bytes, limits: .init(changes: 1)) }
        // A well-formed, checksummed body whose record count is huge.
        var forged = Array(BatchCodec.magic)
        appendFixed(1, &forged); appendFixed(1, &forged)
        appendVarint(0, &forged); appendVarint(0, &forged); appendVarint(0, &forged)
        forged.append(0)  // flags
        appendVarint(0, &forged); appendVarint(0, &forged)
        appendVarint(UInt64.max >> 1, &forged)
        let crc = CRC32.checksum(forged)
        forged += [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        let error = try #require(throws: BatchCodec.DecodeError.self) { try BatchCodec.decode(forged) }
        #expect(error.reason.contains("record count"))
    }

    @Test("a register costs at most 12 bytes beyond its value's canonical bytes on the wire")
    func overheadPerRegister() {
        for seed in UInt64(1)...50 {
            let batch = Self.batch(seed: seed)
            guard batch.registerCount > 0 else { continue }
            // The same records without registers: what the registers add is the difference,
            // less the names and writers they bring into the batch's tables.
            var bare = batch
            bare.changes = batch.changes.map { RecordChange(id: $0.id, objectType: $0.objectType, state: RecordState(causalLength: $0.state.causalLength)) }
            let entries = batch.changes.flatMap(\.state.entries)
            let values = entries.map { $0.register.value.canonicalBytes.count }.reduce(0, +)
            let names = Set(entries.map(\.name)).map { 1 + $0.utf8.count }.reduce(0, +)
            let sites = Set(entries.map(\.register.stamp.site)).count * 8
            let added = BatchCodec.encode(batch).count - BatchCodec.encode(bare).count - values - names - sites
            let perRegister = Double(added) / Double(entries.count)
            #expect(perRegister >= 11 && perRegister <= 12, "seed \(seed): \(perRegister) bytes a register")
        }
    }

    @Test("the CRC is zlib's (check value of \"123456789\")")
    func crc() { #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926) }
}

/// The receiver's rule: apply a batch only where it stands; a gap rewinds the sender.
@Suite struct BatchAcceptanceTests {
    func batch(after: UInt64, through: UInt64, floor: UInt64 = 0) -> ReplicationBatch {
        ReplicationBatch(sender: SiteID(rawValue: 1), incarnation: 1, after: after, through: through, floor: floor, changes: [])
    }

    @Test func decisions() {
        let at10 = ChangeCursor(after: 10, floor: 4)
        #expect(BatchAcceptance.decide(batch(after: 10, through: 20), cursor: at10) == .apply)
        #expect(BatchAcceptance.decide(batch(after: 10, through: 20, floor: 4), cursor: at10) == .apply)
        #expect(BatchAcceptance.decide(batch(after: 5, through: 20), cursor: at10) == .apply, "overlap: re-applying the first part changes nothing")
        #expect(BatchAcceptance.decide(batch(after: 5, through: 10), cursor: at10) == .alreadyApplied)
        #expect(BatchAcceptance.decide(batch(after: 10, through: 10), cursor: at10) == .alreadyApplied, "an empty batch where the receiver stands")
        var ends = batch(after: 10, through: 10, floor: 4)
        ends.complete = true
        #expect(BatchAcceptance.decide(ends, cursor: at10) == .apply, "an empty batch that ends the stream moves the floor")
        #expect(BatchAcceptance.decide(ends, cursor: ChangeCursor(after: 10, floor: 10)) == .alreadyApplied)
        #expect(BatchAcceptance.decide(batch(after: 15, through: 20), cursor: at10) == .gap(expected: at10))
        #expect(BatchAcceptance.decide(batch(after: 10, through: 20, floor: 6), cursor: at10) == .gap(expected: at10),
                "registers between the receiver's floor and the batch's would be missing")
        if case .malformed = BatchAcceptance.decide(batch(after: 20, through: 10), cursor: at10) {} else { Issue.record("a backwards range is malformed") }
    }

    @Test func nextCursor() {
        var b = batch(after: 10, through: 20, floor: 4)
        #expect(b.nextCursor == ChangeCursor(after: 20, floor: 4), "mid-stream the floor stays")
        b.complete = true
        #expect(b.nextCursor == ChangeCursor(after: 20, floor: 20), "at the end the receiver holds everything through 20")
    }
}

/// The fuzzer's seed corpus is made of real batches (written by hand, in Python, from the
/// format): each decodes and encodes back to the same bytes; a `body-` file is a batch
/// without its checksum (the harness appends one, so mutations reach the body's decoding).
@Suite struct ReplicationCorpusTests {
    @Test func seedCorpusDecodes() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/Corpus/replication")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(files.count >= 3)
        for file in files {
            var bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent(file)))
            if file.hasPrefix("body-") {
                let crc = CRC32.checksum(bytes)
                bytes += [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
            }
            let batch = try BatchCodec.decode(bytes)
            #expect(BatchCodec.encode(batch) == bytes, "\(file)")
        }
    }
}

/// The exchange answer (ack + batch): round trips, and a cut anywhere is an error.
@Suite struct ExchangeAnswerTests {
    @Test func roundTripAndCuts() throws {
        for seed in UInt64(1)...20 {
            let batch = BatchCodecTests.batch(seed: seed)
            let ack = ExchangeAck(outcome: "applied", cursor: ChangeCursor(after: seed * 10, floor: seed), pending: Int(seed),
                                  stream: "*", refused: seed % 2 == 0 ? [.init(id: "x", object: "contact", rule: "scope", reason: "no")] : [])
            let bytes = Exchange.encodeAnswer(ack: ack, batch: batch)
            let (a, b) = try Exchange.decodeAnswer(bytes)
            #expect(a == ack && b == batch, "seed \(seed)")
            for cut in 0..<bytes.count {
                #expect(throws: BatchCodec.DecodeError.self, "seed \(seed), cut at \(cut)") { _ = try Exchange.decodeAnswer(Array(bytes[..<cut])) }
            }
        }
    }
}
