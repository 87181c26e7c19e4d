@testable import ConcordStore
import ConcordCore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The store file is private, a store path is never read as a URI, and a short write waits
/// for another connection's transaction instead of failing with SQLITE_BUSY.
@Suite("Store file safety")
struct StoreFileSafetyTests {
    func mode(_ path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o777 : nil
    }

    @Test("a new store and its -wal and -shm files are readable by their owner only, whatever the umask")
    func newStoreIsPrivate() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let path = dir.file("concord.sqlite")
        let old = umask(0o022)
        defer { umask(old) }
        let store = try ConcordStore.open(path: path, wallClock: .constant(1_000))
        try store.write(RecordID.random(), objectType: "contact", fields: ["first_name": .string("Ada")])
        #expect(mode(path) == 0o600)
        #expect(mode(path + "-wal") == 0o600)
        #expect(mode(path + "-shm") == 0o600)
        #expect(StoreFileMode.exposure(of: path) == nil)
    }

    @Test("commits are durable on power loss: WAL with synchronous = FULL")
    func durableCommits() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let store = try ConcordStore.open(path: dir.file("concord.sqlite"), wallClock: .constant(1_000))
        #expect(try Migrator.scalar(store.db, "PRAGMA synchronous") == 2, "FULL")
    }

    @Test("an existing store others can read is reported, naming the file and the fix")
    func exposedStoreIsReported() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let path = dir.file("concord.sqlite")
        _ = try ConcordStore.open(path: path, wallClock: .constant(1_000))
        chmod(path, 0o644)
        let warning = try #require(StoreFileMode.exposure(of: path))
        #expect(warning.contains(path) && warning.contains("644") && warning.contains("chmod 600"))
    }

    @Test("a store path SQLite would read as a URI (choosing another file or VFS) is refused")
    func uriIsAFileName() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let target = dir.file("elsewhere.sqlite")
        // As a URI this opens (and creates) `target`; as a file name it is a path under a
        // folder named "file:" that does not exist.
        let path = "file:" + target + "?mode=rwc"
        var refusal: StoreError?
        do { _ = try ConcordStore.open(path: path, wallClock: .constant(1_000)) } catch { refusal = error }
        #expect(refusal?.code == .cannotOpen && refusal?.message.contains("URI") == true, "\(String(describing: refusal))")
        #expect(!FileManager.default.fileExists(atPath: target), "the URI was not followed")
    }

    @Test("a write waits for another connection's transaction instead of failing at once with SQLITE_BUSY")
    func writeWaitsForTheLock() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let path = dir.file("concord.sqlite")
        _ = try ConcordStore.open(path: path, wallClock: .constant(1_000))
        let held = DispatchSemaphore(value: 0)
        let released = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            // Another connection (a sync committing a page) holds the write lock for a while.
            let holder = try? SQLiteConnection(path: path, readOnly: false)
            try? holder?.execute("BEGIN IMMEDIATE")
            held.signal()
            usleep(300_000)
            try? holder?.execute("COMMIT")
            released.signal()
        }
        held.wait()
        let store = try ConcordStore.open(path: path, wallClock: .constant(2_000))
        try store.write(RecordID.random(), objectType: "contact", fields: ["first_name": .string("Ada")])
        released.wait()
    }
}

@Suite("One syncing process per store")
struct StoreLockTests {
    @Test("a second lock of a store fails naming the holder's pid; once released, the store can be locked again")
    func singleWriter() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let path = dir.file("concord.sqlite")
        var first: StoreLock? = try StoreLock.acquire(storePath: path)
        #expect(first != nil)
        var refusal: StoreError?
        do { _ = try StoreLock.acquire(storePath: path) } catch { refusal = error }
        #expect(refusal?.code == .inUse)
        #expect(refusal?.message.contains("pid \(getpid())") == true, "\(String(describing: refusal))")
        first = nil
        let again = try StoreLock.acquire(storePath: path)
        #expect(again.path == path + ".lock")
    }
}

@Suite("Rotated credentials")
struct StoreCredentialTests {
    @Test("a saved credential is read back after the store is opened again, and replaced by a newer one")
    func roundTrip() throws {
        let dir = try TempDirectory(); defer { dir.remove() }
        let path = dir.file("concord.sqlite")
        try ConcordStore.open(path: path, wallClock: .constant(1_000)).saveCredential("hubspot.oauth.refresh_token", value: "r1", basis: "b")
        let again = try ConcordStore.open(path: path, wallClock: .constant(2_000))
        #expect(try again.credential("hubspot.oauth.refresh_token")?.value == "r1")
        try again.saveCredential("hubspot.oauth.refresh_token", value: "r2", basis: "b")
        #expect(try again.credential("hubspot.oauth.refresh_token")?.value == "r2")
        #expect(try again.credential("other") == nil)
    }
}
