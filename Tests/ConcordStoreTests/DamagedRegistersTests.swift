@testable import ConcordStore
import ConcordCore
import Testing

/// A damaged register blob read back from a row is refused with an error, never a trap.
/// (Inputs found by `scripts/fuzz registers`; kept in Fuzz/Corpus/registers.)
@Suite("Damaged register blobs")
struct DamagedRegistersTests {
    /// One entry whose value length is the LEB128 `length` bytes, with no value after it.
    func blob(lengthBytes: [UInt8]) -> [UInt8] {
        [0x01] + [UInt8](repeating: 0, count: 16) + [0x00] + lengthBytes
    }

    @Test("a value length of 2^64 - 1 (does not fit an Int)")
    func lengthBeyondInt() throws {
        let damaged = blob(lengthBytes: [UInt8](repeating: 0xFF, count: 9) + [0x01])
        var entries: [PackedEntry] = []
        #expect(!PackedRegisters.decode(damaged, into: &entries))
    }

    @Test("a value length of Int.max (overflows the offset)")
    func lengthOverflowingOffset() throws {
        let damaged = blob(lengthBytes: [UInt8](repeating: 0xFF, count: 8) + [0x7F])
        var entries: [PackedEntry] = []
        #expect(!PackedRegisters.decode(damaged, into: &entries))
    }

    @Test("the store reports a damaged row as corrupt")
    func storeReportsCorrupt() throws {
        let store = try ConcordStore.open(path: ":memory:", wallClock: .constant(1_000))
        let damaged = blob(lengthBytes: [UInt8](repeating: 0xFF, count: 9) + [0x01])
        #expect(throws: StoreError.self) {
            _ = try store.decodeState(RecordID(high: 1, low: 2), damaged, causalLength: 1, after: 0)
        }
    }

    @Test("a well-formed blob still decodes")
    func wellFormed() throws {
        var blob: [UInt8] = []
        let value = Value.string("a@example.com").canonicalBytes
        value.withUnsafeBufferPointer { PackedRegisters.append(field: 3, hlc: 7, site: 9, seq: 1, value: $0, to: &blob) }
        var entries: [PackedEntry] = []
        #expect(PackedRegisters.decode(blob, into: &entries))
        #expect(entries.count == 1 && entries[0].field == 3 && Array(blob[entries[0].value]) == value)
    }
}
