import ConcordCore
@testable import ConcordStore

/// A damaged `entities.registers` (or `shadows.fields`) blob read back by the store: the
/// packed register vector and the canonical value bytes inside it must be refused with an
/// error, never trap.
enum RegistersTarget {
    /// An in-memory store that knows a few field names (ids 1...4), opened once.
    /// (libFuzzer runs one input at a time on one thread.)
    nonisolated(unsafe) static let store: ConcordStore = {
        do {
            let store = try ConcordStore.open(path: ":memory:", wallClock: .constant(1_700_000_000_000))
            for name in ["Email", "FirstName", "LastName", "Phone"] { _ = try store.fieldID(name) }
            return store
        } catch { fatalError("cannot open an in-memory store: \(error)") }
    }()

    static func run(_ bytes: [UInt8]) {
        var entries: [PackedEntry] = []
        if PackedRegisters.decode(bytes, into: &entries) {
            for entry in entries {
                check(entry.value.lowerBound >= 0 && entry.value.upperBound <= bytes.count, "a value range outside the blob")
                if let value = Value(canonicalBytes: bytes[entry.value]) {
                    check(Value(canonicalBytes: value.canonicalBytes) == value, "a value changed through its bytes")
                }
            }
        }
        let id = RecordID(high: 1, low: 2)
        _ = try? store.decodeState(id, bytes, causalLength: 1, after: 0)
        _ = Value(canonicalBytes: bytes)
        _ = RecordID(bytes: Array(bytes.prefix(16)))
    }
}
