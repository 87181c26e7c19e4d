// A helper process for ConcordStoreTests' crash test: writes numbered batches of records to a
// Concord store, one transaction per batch, resuming after the last batch present, and can
// die by SIGKILL in the middle of a batch's commit (a real `kill -9`, timed by SQLite's own
// page writes instead of by a clock).
//
// Usage: store-crash-writer STORE BATCHES BATCH_SIZE [KILL_BATCH KILL_WRITE]
//   Prints "resume B" first, then "committed B" after each batch's commit. With KILL_BATCH,
//   that batch's commit dies by SIGKILL just before SQLite's KILL_WRITE-th file write.
import ConcordCore
import ConcordStore
import CSQLite
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Counts SQLite's file writes once armed; the write that brings it to zero is never made.
nonisolated(unsafe) var writesBeforeKill = -1
nonisolated(unsafe) var realPwrite64: (@convention(c) (Int32, UnsafeRawPointer?, Int, Int64) -> Int)?
nonisolated(unsafe) var realPwrite: (@convention(c) (Int32, UnsafeRawPointer?, Int, Int) -> Int)?
nonisolated(unsafe) var realWrite: (@convention(c) (Int32, UnsafeRawPointer?, Int) -> Int)?

func countWrite() {
    guard writesBeforeKill > 0 else { return }
    writesBeforeKill -= 1
    if writesBeforeKill == 0 { raise(SIGKILL) }
}

/// Routes SQLite's unix VFS writes (whichever of write/pwrite/pwrite64 this build uses)
/// through ``countWrite()``.
func interceptWrites() {
    guard let vfs = sqlite3_vfs_find(nil), let set = vfs.pointee.xSetSystemCall, let get = vfs.pointee.xGetSystemCall else {
        fatalError("SQLite's default VFS cannot override system calls")
    }
    if let real = get(vfs, "pwrite64") {
        realPwrite64 = unsafeBitCast(real, to: (@convention(c) (Int32, UnsafeRawPointer?, Int, Int64) -> Int).self)
        let hook: @convention(c) (Int32, UnsafeRawPointer?, Int, Int64) -> Int = { countWrite(); return realPwrite64!($0, $1, $2, $3) }
        _ = set(vfs, "pwrite64", unsafeBitCast(hook, to: sqlite3_syscall_ptr.self))
    }
    if let real = get(vfs, "pwrite") {
        realPwrite = unsafeBitCast(real, to: (@convention(c) (Int32, UnsafeRawPointer?, Int, Int) -> Int).self)
        let hook: @convention(c) (Int32, UnsafeRawPointer?, Int, Int) -> Int = { countWrite(); return realPwrite!($0, $1, $2, $3) }
        _ = set(vfs, "pwrite", unsafeBitCast(hook, to: sqlite3_syscall_ptr.self))
    }
    if let real = get(vfs, "write") {
        realWrite = unsafeBitCast(real, to: (@convention(c) (Int32, UnsafeRawPointer?, Int) -> Int).self)
        let hook: @convention(c) (Int32, UnsafeRawPointer?, Int) -> Int = { countWrite(); return realWrite!($0, $1, $2) }
        _ = set(vfs, "write", unsafeBitCast(hook, to: sqlite3_syscall_ptr.self))
    }
}

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let args = CommandLine.arguments
guard args.count == 4 || args.count == 6, let batches = Int(args[2]), let size = Int(args[3]) else {
    FileHandle.standardError.write(Data("usage: store-crash-writer STORE BATCHES BATCH_SIZE [KILL_BATCH KILL_WRITE]\n".utf8))
    exit(2)
}
let killBatch = args.count == 6 ? Int(args[4]) : nil
let killWrite = args.count == 6 ? Int(args[5]) ?? 0 : 0
interceptWrites()
do {
    let store = try ConcordStore.open(path: args[1], wallClock: .system)
    let present = try store.count()
    guard present % size == 0 else {
        FileHandle.standardError.write(Data("\(present) records is not a whole number of batches of \(size)\n".utf8))
        exit(3)
    }
    say("resume \(present / size)")
    let padding = String(repeating: "p", count: 300)
    for batch in (present / size)..<batches {
        try store.transaction { s throws(StoreError) in
            for i in 0..<size {
                _ = try s.write(RecordID(high: UInt64(batch + 1), low: UInt64(i + 1)), objectType: "contact",
                                fields: ["batch": .int(Int64(batch)), "index": .int(Int64(i)), "padding": .string(padding)])
            }
            // The rows are written in the page cache; what remains is the commit, which writes
            // the pages to the log.
            if batch == killBatch { writesBeforeKill = killWrite }
        }
        say("committed \(batch)")
    }
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
