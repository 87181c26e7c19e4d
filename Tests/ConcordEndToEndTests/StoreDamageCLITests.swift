import Foundation
import Testing

/// What a person sees when the store is damaged: the `concord` command names the file and
/// says what to do, and leaves the evidence on disk.
@Suite("Store damage at the command line")
struct StoreDamageCLITests {
    static var buildDirectory: URL { URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent() }

    /// Runs a built executable to its end: exit status, standard output and error.
    func run(_ name: String, _ arguments: [String]) throws -> (status: Int32, reason: Process.TerminationReason, stderr: String) {
        let process = Process()
        process.executableURL = Self.buildDirectory.appendingPathComponent(name)
        process.arguments = arguments
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason, String(decoding: data, as: UTF8.self))
    }

    @Test("concord status on a store whose write-ahead log is damaged: exit 1, the log named with what to do, the log kept")
    func damagedLog() throws {
        let dir = NSTemporaryDirectory() + "concord-cli-damage-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = dir + "/concord.sqlite"
        // A store whose committed batches live in its log, as a crash leaves it.
        let writer = try run("store-crash-writer", [store, "4", "200", "3", "10"])
        #expect(writer.reason == .uncaughtSignal, "the writer was killed mid-commit: \(writer.stderr)")
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: store + "-wal"))
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 32))
        try handle.close()
        let damaged = FileManager.default.contents(atPath: store + "-wal")

        let status = try run("concord", ["status", "--store", store])
        #expect(status.reason == .exit && status.status == 1, "exit \(status.status): \(status.stderr)")
        #expect(status.stderr.contains(store + "-wal"), "\(status.stderr)")
        #expect(status.stderr.contains("move \(store)-wal aside"), "\(status.stderr)")
        #expect(status.stderr.contains("restore the store"), "\(status.stderr)")
        #expect(FileManager.default.contents(atPath: store + "-wal") == damaged)
    }
}
