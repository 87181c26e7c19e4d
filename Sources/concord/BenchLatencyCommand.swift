import ArgumentParser
import ConcordDemo
import Foundation

/// `concord bench latency`: edit-to-everywhere latency through webhooks, against polling.
struct BenchLatencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency",
        abstract: "Measure the time from an edit in one CRM until both others hold it: concord serve with webhooks, then polling only.",
        discussion: """
            In-process emulators with their rate limits on. Each edit sets a unique value on a distinct contact field \
            in one of the three CRMs (in turn); the other two CRMs' copies are watched in the emulators' write logs. \
            Reports p50/p95/p99 and API calls per edit for each mode.
            """
    )

    @Option(help: "Edits per second across the three CRMs.") var rate: Double = 10
    @Option(help: "Seconds of editing.") var duration: Double = 30
    @Option(help: "Seeded people per CRM (enough contacts for rate x duration distinct edits).") var people: Int = 400
    @Option(help: "Seed of the data and the choice of records.") var seed: UInt64 = 3
    @Option(name: .customLong("poll-interval"), help: "The polling mode's interval in seconds (default: sync.poll_interval_seconds).")
    var pollInterval: Int?
    @Flag(name: .customLong("webhooks-only"), help: "Skip the polling comparison.") var webhooksOnly = false
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard rate > 0, duration > 0 else { throw ValidationError("--rate and --duration must be positive") }
    }

    func run() async throws {
        let quiet = json
        let r = try await LatencyBench.run(rate: rate, duration: duration, people: people, seed: seed, pollInterval: pollInterval,
                                           skipPolling: webhooksOnly,
                                           progress: { if !quiet { FileHandle.standardError.write(Data(("  ... " + $0 + "\n").utf8)) } })
        if json {
            print(try Render.json(r))
            return
        }
        print(String(format: "concord bench latency: %.0f edits/s for %.0f s, %d people per CRM, rate limits on", r.ratePerSecond, r.durationSeconds, r.people))
        for m in [r.webhooks] + (r.polling.map { [$0] } ?? []) {
            print(String(format: "  %-22@ %d/%d arrived  p50 %.2f s  p95 %.2f s  p99 %.2f s  max %.2f s  %.2f API calls/edit",
                         m.name as NSString, m.arrived, m.edits, m.p50Seconds, m.p95Seconds, m.p99Seconds, m.maxSeconds, m.apiCallsPerEdit))
        }
    }
}
