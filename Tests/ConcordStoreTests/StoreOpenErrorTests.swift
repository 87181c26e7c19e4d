@testable import ConcordStore
import ConcordCore
import CSQLite
import Foundation
import Testing

@Suite("Opening bad stores gives clear errors")
struct StoreOpenErrorTests {
    func open(_ path: String, readOnly: Bool = false) throws -> ConcordStore {
        try ConcordStore.open(path: path, wallClock: .constant(1_000), readOnly: readOnly)
    }

    func code(_ body: () throws -> Void) -> StoreError? {
        do { try body(); return nil } catch let e as StoreError { return e } catch { return nil }
    }

    @Test("a file that is not SQLite")
    func notSQLite() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let path = dir.file("notes.txt")
        try Data(String(repeating: "these are not the pages you are looking for\n", count: 200).utf8).write(to: URL(fileURLWithPath: path))
        let e = code { _ = try open(path) }
        #expect(e?.code == .notAConcordStore)
        #expect(e?.description.contains(path) == true)
    }

    @Test("a SQLite database of some other application")
    func otherApplication() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let path = dir.file("other.sqlite")
        let db = try SQLiteConnection(path: path, readOnly: false)
        try db.execute("CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL)")
        let e = code { _ = try open(path) }
        #expect(e?.code == .notAConcordStore)
        #expect(e?.message.contains("not a Concord store") == true)
    }

    @Test("a store written by a newer Concord")
    func newerSchema() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let path = dir.file("new.sqlite")
        do {
            let store = try open(path)
            try store.db.execute("PRAGMA user_version = 99")
        }
        let e = code { _ = try open(path) }
        #expect(e?.code == .newerSchema)
        #expect(e?.message.contains("99") == true)
    }

    @Test("a damaged store")
    func corrupt() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let path = dir.file("damaged.sqlite")
        do {
            let store = try open(path)
            var rng = SplitMix64(seed: 1)
            let batch = (0..<3_000).map { i in
                RecordChange(id: .random(using: &rng), objectType: "contact",
                             state: RecordState(fields: ["name": FieldRegister(value: .string(String(repeating: "n", count: 50) + "\(i)"),
                                                                               stamp: Stamp(hlc: HLCTimestamp(millis: 5), site: SiteID(rawValue: 1)))]))
            }
            _ = try store.merge(batch)
            try store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 16_384))
        try handle.close()
        let e = code {
            let store = try open(path)
            _ = try store.digest()
        }
        #expect(e?.code == .corrupt)
        #expect(e?.message.contains("damaged") == true)
    }

    @Test("a location that cannot be written")
    func unwritable() {
        for path in ["/proc/concord-test.sqlite", "/nonexistent-dir-\(UInt32.random(in: 0...UInt32.max))/store.sqlite"] {
            let e = code { _ = try open(path) }
            #expect(e?.code == .cannotOpen, "\(path)")
            #expect(e?.description.contains(path) == true)
        }
    }

    @Test("read-only open of a store works for reads and refuses writes")
    func readOnly() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let path = dir.file("ro.sqlite")
        do { try open(path).write(RecordID(high: 1, low: 1), objectType: "contact", fields: ["a": .int(1)]) }
        let ro = try open(path, readOnly: true)
        #expect(try ro.count() == 1)
        let e = code { try ro.write(RecordID(high: 1, low: 2), objectType: "contact", fields: ["a": .int(2)]) }
        #expect(e?.code == .readOnly)
    }
}
