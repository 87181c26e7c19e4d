@testable import ConcordStore
import ConcordCore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` of a process in the middle of a store commit: the store opens, passes its
/// integrity check, holds exactly the batches committed before the kill, and the next run
/// resumes from there.
@Suite("Crash mid-commit")
struct StoreCrashTests {
    /// The `store-crash-writer` helper built beside the test bundle.
    static var writerBinary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("store-crash-writer").path
    }

    /// Runs the helper to its end, returning its output lines and how it ended.
    func runWriter(_ arguments: [String]) throws -> (lines: [String], reason: Process.TerminationReason, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.writerBinary)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        return (lines, process.terminationReason, process.terminationStatus)
    }

    /// The batches present in the store, checking each is whole.
    func batches(_ store: ConcordStore, size: Int) throws -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for (_, record) in try store.allRecords() {
            guard case .int(let b)? = record.state.fields["batch"]?.value else { continue }
            counts[Int(b), default: 0] += 1
        }
        return counts
    }

    @Test("kill -9 in the middle of a commit's page writes: integrity ok, exactly the committed batches, and the next run resumes")
    func killNineMidCommit() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.writerBinary),
                "build the helper first (swift build --build-tests): \(Self.writerBinary)")
        let dir = try TempDirectory(); defer { dir.remove() }
        let path = dir.file("crash.sqlite")
        let size = 300
        // The commit of batch 3 (about 30 pages, two file writes a page) dies before this write.
        let killWrite = Int.random(in: 3...40)
        let crashed = try runWriter([path, "6", String(size), "3", String(killWrite)])
        #expect(crashed.reason == .uncaughtSignal && crashed.status == SIGKILL,
                "the writer died by SIGKILL (kill write \(killWrite)): \(crashed.reason) \(crashed.status)")
        #expect(crashed.lines == ["resume 0", "committed 0", "committed 1", "committed 2"], "kill write \(killWrite)")
        // The kill left part of batch 3's frames in the log, after the last commit.
        let log = WriteAheadLogCheck.inspect(path: path + "-wal")
        guard case .intact(let committedFrames, let trailing) = log else {
            Issue.record("the log after the kill reads as damaged: \(log)"); return
        }
        #expect(committedFrames > 0)
        #expect(trailing > 0, "no frame of the interrupted commit reached the log (kill write \(killWrite))")

        do {
            let store = try ConcordStore.open(path: path, wallClock: .system)
            try store.checkIntegrity()
            #expect(try batches(store, size: size) == [0: size, 1: size, 2: size], "kill write \(killWrite)")
        }

        let resumed = try runWriter([path, "6", String(size)])
        #expect(resumed.reason == .exit && resumed.status == 0)
        #expect(resumed.lines == ["resume 3", "committed 3", "committed 4", "committed 5"])
        let store = try ConcordStore.open(path: path, wallClock: .system)
        try store.checkIntegrity()
        #expect(try batches(store, size: size) == [0: size, 1: size, 2: size, 3: size, 4: size, 5: size])
    }
}
