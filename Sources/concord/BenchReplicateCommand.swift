import ArgumentParser
import ConcordDemo
import Foundation

/// `concord bench replicate`: an edge catching up with a hub, measured end to end.
struct BenchReplicateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replicate",
        abstract: "Store-to-store replication over loopback HTTP: catch-up registers/s, bytes per register, peak memory, resume and idle cost.",
        discussion: "The hub and the edge are separate processes (concord hub, concord replicate); figures are from this run only."
    )

    @Option(help: "Registers on the hub (records of --fields fields).") var registers = 1_000_000
    @Option(help: "Fields per record.") var fields = 20
    @Option(help: "Where the stores go.") var directory = NSTemporaryDirectory()
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let r = try await ReplicationBench.run(executable: executable, registers: registers, fields: fields, directory: directory) { line in
            FileHandle.standardError.write(Data(("  ... " + line + "\n").utf8))
        }
        if json { print(try Render.json(r)); return }
        print(String(format: "catch-up: %d registers (%d records x %d fields) in %.2f s = %.0f registers/s, %d round trips",
                     r.registers, r.records, r.fieldsPerRecord, r.catchUpSeconds, r.registersPerSecond, r.exchanges))
        print(String(format: "wire: %.1f bytes per register, %.1f beyond the value's bytes", r.bytesPerRegister, r.overheadBytesPerRegister))
        print(String(format: "peak memory: hub %.1f MiB, edge %.1f MiB", r.hubPeakMiB, r.edgePeakMiB))
        print("resume after kill -9 mid-transfer: \(r.resumeRegistersBeforeKill) registers held, \(r.resumeRegistersAfter) received after, "
              + "\(r.resumeRegistersResent) received twice" + (r.resumeCutMidTransfer ? "" : " (the kill did not land mid-transfer: no resume measured)"))
        print("in sync: \(r.idleRoundTrips) round trip, \(r.idleRequestBytes) bytes up, \(r.idleAnswerBytes) bytes down (whole HTTP messages)")
        print("digests equal: \(r.digestsEqual)")
        if !r.digestsEqual { throw ExitCode(3) }
    }
}
