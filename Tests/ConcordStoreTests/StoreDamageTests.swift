@testable import ConcordStore
import ConcordCore
import CSQLite
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A full disk, a read-only file, a truncated or corrupted database or write-ahead log: each
/// gives an error naming the file and saying what to do, keeps the last committed state and
/// lets the next run go on once the cause is gone.
@Suite("A damaged store or disk loses nothing silently")
struct StoreDamageTests {
    func open(_ path: String, readOnly: Bool = false) throws -> ConcordStore {
        try ConcordStore.open(path: path, wallClock: .constant(1_000), readOnly: readOnly)
    }

    func failure(_ body: () throws -> Void) -> StoreError? {
        do { try body(); return nil } catch let e as StoreError { return e } catch { return nil }
    }

    /// Writes `count` contacts of batch `batch` in one transaction.
    func writeBatch(_ store: ConcordStore, batch: UInt64, count: Int) throws {
        try store.transaction { s throws(StoreError) in
            for i in 0..<count {
                _ = try s.write(RecordID(high: batch, low: UInt64(i + 1)), objectType: "contact",
                                fields: ["batch": .int(Int64(batch)), "padding": .string(String(repeating: "x", count: 200))])
            }
        }
    }

    func scalar(_ store: ConcordStore, _ sql: String) throws -> Int64 {
        let s = try store.db.prepare(sql)
        _ = try s.step()
        return s.int64(0)
    }

    @Test("a full disk: the write fails naming the file and saying to free space, rolls back whole, and the next write works once there is room")
    func diskFull() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let path = dir.file("full.sqlite")
        let store = try open(path)
        try writeBatch(store, batch: 1, count: 10)
        let before = try store.digest()
        // SQLite reports SQLITE_FULL when the file may not grow past max_page_count, exactly
        // as when the disk has no room left.
        try store.db.execute("PRAGMA max_page_count = \(try scalar(store, "PRAGMA page_count") + 2)")
        let e = failure { try writeBatch(store, batch: 2, count: 2_000) }
        #expect(e?.code == .diskFull)
        #expect(e?.description.contains(path) == true)
        #expect(e?.message.contains("free space") == true)
        #expect(e?.message.contains("last committed state") == true)
        #expect(try store.count() == 10)
        #expect(try store.digest() == before)
        #expect(try store.count(objectType: "contact") == 10)

        try store.db.execute("PRAGMA max_page_count = 4294967294")
        try writeBatch(store, batch: 2, count: 2_000)
        #expect(try store.count() == 2_010)
        try store.checkIntegrity()
    }

    /// Runs `body` with this thread's file-system identity set to an unprivileged user, so
    /// file permissions apply even when the tests run as root (root ignores them). The
    /// file-system uid is per thread and `body` is synchronous, so nothing else runs with it.
    func asUnprivilegedUser<T>(_ body: () throws -> T) rethrows -> T {
        typealias SetFSUID = @convention(c) (UInt32) -> Int32
        guard geteuid() == 0, let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "setfsuid") else { return try body() }
        let setfsuid = unsafeBitCast(symbol, to: SetFSUID.self)
        _ = setfsuid(65_534)
        defer { _ = setfsuid(0) }
        return try body()
    }

    @Test("a store file that cannot be written: opening it to sync fails at once naming the file and saying to make it writable; the data stays and the next run works")
    func readOnlyFile() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let path = dir.file("locked.sqlite")
        do { try writeBatch(try open(path), batch: 1, count: 5) }
        #expect(chmod(path, 0o444) == 0)
        // The folder stays writable, so SQLite could open the file for reading (creating its
        // -shm) and would fail only at the first write, deep in a sync.
        #expect(chmod(dir.path, 0o777) == 0)
        let e = asUnprivilegedUser { failure { _ = try open(path) } }
        #expect(e?.code == .readOnly)
        #expect(e?.description.contains(path) == true)
        #expect(e?.message.contains("writable") == true)
        #expect(try open(path, readOnly: true).count() == 5)

        #expect(chmod(path, 0o644) == 0)
        let store = try open(path)
        try writeBatch(store, batch: 2, count: 5)
        #expect(try store.count() == 10)
    }

    /// A store of 3,000 contacts, checkpointed into the main file and closed.
    func filledStore(_ path: String) throws -> String {
        let store = try open(path)
        try writeBatch(store, batch: 1, count: 3_000)
        try store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return try store.digest()
    }

    @Test("a truncated store file: opening fails naming the file and saying to restore or rebuild; no partial data is read")
    func truncated() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let path = dir.file("cut.sqlite")
        _ = try filledStore(path)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: try handle.seekToEnd() / 2)
        try handle.close()
        var partial: Int?
        let e = failure {
            let store = try open(path)
            partial = try store.allRecords().count
        }
        #expect(partial == nil, "read \(partial ?? 0) of 3,000 records from a half file")
        #expect(e?.code == .corrupt)
        #expect(e?.description.contains(path) == true)
        #expect(e?.message.contains("restore it from a backup") == true)
    }

    @Test("corrupted pages in the middle: reading them fails naming the file, and the integrity check finds the damage")
    func corruptedPages() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let path = dir.file("scribbled.sqlite")
        _ = try filledStore(path)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seek(toOffset: try handle.seekToEnd() / 2)
        try handle.write(contentsOf: Data(repeating: 0x5A, count: 8_192))
        try handle.close()
        var partial: Int?
        let read = failure {
            let store = try open(path)
            partial = try store.allRecords().count
        }
        #expect(partial == nil, "read \(partial ?? 0) records from a damaged file")
        #expect(read?.code == .corrupt)
        #expect(read?.description.contains(path) == true)
        let check = failure { try open(path).checkIntegrity() }
        #expect(check?.code == .corrupt)
        #expect(check?.message.contains("integrity check") == true)
        #expect(check?.description.contains(path) == true)
    }

    /// A copy of a live store and its write-ahead log, taken while open as a crash would
    /// leave them: batch 1 (100 contacts) checkpointed into the main file, batches 2 and 3
    /// (100 each) committed in the log only.
    func crashCopy(_ dir: TempDirectory) throws -> String {
        let live = dir.file("live.sqlite"), copy = dir.file("copy.sqlite")
        let store = try open(live)
        try writeBatch(store, batch: 1, count: 100)
        try store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        try writeBatch(store, batch: 2, count: 100)
        try writeBatch(store, batch: 3, count: 100)
        try FileManager.default.copyItem(atPath: live, toPath: copy)
        try FileManager.default.copyItem(atPath: live + "-wal", toPath: copy + "-wal")
        return copy
    }

    func scribble(_ path: String, at offset: UInt64, count: Int) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: count))
        try handle.close()
    }

    @Test("an intact write-ahead log left by a crash is replayed whole")
    func intactLog() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let copy = try crashCopy(dir)
        let store = try open(copy)
        #expect(try store.count() == 300)
        try store.checkIntegrity()
    }

    @Test("a write-ahead log with a garbage header: opening fails naming the log and what to do, instead of dropping its 200 committed records; moved aside, the store opens at its last checkpoint")
    func garbageLogHeader() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let copy = try crashCopy(dir)
        try scribble(copy + "-wal", at: 0, count: 32)
        let damaged = FileManager.default.contents(atPath: copy + "-wal")
        let e = failure { _ = try open(copy) }
        #expect(e?.code == .corrupt)
        #expect(e?.message.contains(copy + "-wal") == true)
        #expect(e?.message.contains("move \(copy)-wal aside") == true)
        #expect(e?.message.contains("header") == true)
        // A read-only open (`concord status`) refuses too, instead of showing the older state.
        #expect(failure { _ = try open(copy, readOnly: true) }?.code == .corrupt)
        // Refusing kept the log as it was (SQLite would delete a log it finds no frame to keep in).
        #expect(FileManager.default.contents(atPath: copy + "-wal") == damaged)
        #expect(failure { _ = try open(copy) }?.code == .corrupt)

        try FileManager.default.moveItem(atPath: copy + "-wal", toPath: copy + "-wal.damaged")
        let store = try open(copy)
        #expect(try store.count() == 100)
        try store.checkIntegrity()
        try writeBatch(store, batch: 4, count: 10)
        #expect(try store.count() == 110)
    }

    @Test("a write-ahead log with a damaged frame before later commits: opening fails naming the log and the frame")
    func damagedLogFrame() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let copy = try crashCopy(dir)
        guard case .intact(let committed, _) = WriteAheadLogCheck.inspect(path: copy + "-wal") else {
            Issue.record("the undamaged copy's log reads as damaged"); return
        }
        #expect(committed > 2)
        // Inside the first frame's page: WAL header 32 bytes, frame header 24.
        try scribble(copy + "-wal", at: 32 + 24 + 1_000, count: 64)
        let e = failure { _ = try open(copy) }
        #expect(e?.code == .corrupt)
        #expect(e?.message.contains(copy + "-wal") == true)
        #expect(e?.message.contains("frame 1 fails its checksum") == true)
        // The log is kept: the next open refuses too, and a backup tool finds the frames.
        #expect(failure { _ = try open(copy) }?.code == .corrupt)
        #expect(FileManager.default.contents(atPath: copy + "-wal")?.count ?? 0 > 32 + 24 + 1_064)
    }

    @Test("a write-ahead log cut short inside its last transaction opens like an interrupted commit: every earlier transaction whole, the cut one absent (the documented limit: a cut cannot be told from a crash)")
    func truncatedLog() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let copy = try crashCopy(dir)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: copy + "-wal"))
        try handle.truncate(atOffset: try handle.seekToEnd() - 100)
        try handle.close()
        guard case .intact(_, let trailing) = WriteAheadLogCheck.inspect(path: copy + "-wal") else {
            Issue.record("a log cut inside its last frame reads as damaged"); return
        }
        #expect(trailing > 0)
        let store = try open(copy)
        try store.checkIntegrity()
        var batches: [Int64: Int] = [:]
        for (_, record) in try store.allRecords() {
            if case .int(let b)? = record.state.fields["batch"]?.value { batches[b, default: 0] += 1 }
        }
        #expect(batches == [1: 100, 2: 100])
    }
}
