import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `concord sync --watch` child process, which a chaos run kills and restarts.
final class SyncProcess: @unchecked Sendable {
    private let process: Process
    /// The process id.
    var pid: Int32 { process.processIdentifier }

    private init(process: Process) { self.process = process }

    /// Starts `executable sync --config config --store store --watch --interval 1`, its output
    /// appended to `log`.
    static func start(executable: String, config: String, store: String, log: String) throws -> SyncProcess {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = ["sync", "--config", config, "--store", store, "--watch", "--interval", "1"]
        if !FileManager.default.fileExists(atPath: log) { FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return SyncProcess(process: p)
    }

    /// Whether it still runs.
    var isRunning: Bool { process.isRunning }

    /// Sends `signal` and waits for the process to end, at most `limit` seconds (a limit that
    /// only catches a hang); returns whether it ended.
    @discardableResult
    func stop(signal: Int32, limit: Double) async -> Bool {
        guard process.isRunning else { return true }
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(limit)
        while process.isRunning && Date() < deadline { try? await Task.sleep(nanoseconds: 20_000_000) }
        return !process.isRunning
    }

    /// The exit status once ended (a signal's number for a killed process).
    var status: Int32 { process.isRunning ? -1 : process.terminationStatus }
}
