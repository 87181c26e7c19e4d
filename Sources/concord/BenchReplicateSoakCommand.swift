import ArgumentParser
import ConcordDemo
import Foundation

/// `concord bench replicate-soak`: seeded runs of an edge and a hub process over a lossy link.
struct BenchReplicateSoakCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replicate-soak",
        abstract: "Seeded soak of store-to-store replication: two processes, a lossy link, partitions, kill -9, clock skew.",
        discussion: """
            Run N uses seed S+N-1; replay one with --runs 1 --seed SEED. Each run: a hub (`concord hub`) and an edge \
            (`concord replicate --watch`) both edit the same records with clocks up to 1.5 s apart, through a proxy \
            that drops, cuts at a random byte, duplicates, delays and replays requests, with partitions and kill -9 \
            of either side; then the link heals. A run passes when the digests match, no logged write is lost on \
            either side, and an exchange in sync is one empty round trip. A failing run keeps its files. Exit code 3 \
            when any run failed.
            """
    )

    @Option(help: "How many runs.") var runs = 10
    @Option(help: "Seed of the first run.") var seed: UInt64 = 1
    @Option(help: "Seconds of chaos per run.") var seconds = 2.5
    @Option(help: "Where runs put their files.") var directory = NSTemporaryDirectory()
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
        if seconds < 0.5 { throw ValidationError("--seconds must be at least 0.5") }
    }

    func run() async throws {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var results: [ReplicationSoak.Result] = []
        for n in 0..<runs {
            let r = await ReplicationSoak.run(.init(executable: executable, seed: seed &+ UInt64(n), chaosSeconds: seconds, workDirectory: directory))
            results.append(r)
            if !json {
                print("seed \(r.seed) \(r.ok ? "ok  " : "FAIL") \(String(format: "%.1f", r.seconds)) s  writes hub \(r.hubWrites) edge \(r.edgeWrites)  "
                      + "requests \(r.requests) (\(r.faulted) faulted)  partitions \(r.partitions)  kill -9 hub \(r.hubKills) edge \(r.edgeKills)"
                      + (r.failure.map { "\n    " + $0 } ?? ""))
            }
        }
        let ok = results.filter(\.ok).count
        if json {
            struct Out: Encodable { var runs: Int; var passed: Int; var results: [ReplicationSoak.Result] }
            print(try Render.json(Out(runs: results.count, passed: ok, results: results)))
        } else {
            print("\(ok) of \(results.count) runs passed" + (ok == results.count ? "" : "; failed: seeds "
                  + results.filter { !$0.ok }.map { String($0.seed) }.joined(separator: ", ")))
        }
        if ok < results.count { throw ExitCode(3) }
    }
}
