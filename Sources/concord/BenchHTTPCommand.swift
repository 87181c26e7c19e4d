import ArgumentParser
import ConcordBench
import Foundation

/// `concord bench http`: Concord's libcurl client against URLSession on a loopback server.
struct BenchHTTPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http",
        abstract: "Measure Concord's HTTP client against URLSession on a loopback server.",
        discussion: """
            Starts an HTTP/1.1 server on 127.0.0.1, then sends the same number of GET requests \
            through Concord's client and through Foundation's URLSession, and reports requests \
            per second, p50 and p99 latency for each and the throughput ratio. Build with \
            `-c release` for meaningful numbers.
            """
    )

    @Option(help: "Requests per client.")
    var requests = 5000

    @Option(help: "Requests in flight at once.")
    var concurrency = 1

    @Option(help: "Measured rounds per client (alternating); the median round is reported.")
    var rounds = 3

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard requests > 0 else { throw ValidationError("--requests must be positive") }
        guard (1...25).contains(rounds) else { throw ValidationError("--rounds must be between 1 and 25") }
        guard (1...1024).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 1024") }
    }

    func run() async throws {
        let report = try await HTTPBenchmark.run(requests: requests, concurrency: concurrency, rounds: rounds)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print("HTTP benchmark: \(report.requests) GET requests per client, concurrency \(report.concurrency), loopback, median of \(report.rounds) rounds")
        print(pad("client", 12) + pad("req/s", 12) + pad("p50 µs", 10) + pad("p99 µs", 10) + pad("CPU µs/req", 12) + pad("errors", 8) + "new conns")
        for row in [report.concord, report.urlSession] {
            print(pad(row.client, 12) + pad(format(row.requestsPerSecond), 12) + pad(format(row.p50Microseconds), 10)
                + pad(format(row.p99Microseconds), 10) + pad(format(row.cpuMicrosecondsPerRequest), 12) + pad("\(row.errors)", 8) + "\(row.connectionsOpened)")
        }
        print("concord / urlsession throughput: \(String(format: "%.2f", report.throughputRatio))x")
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    private func format(_ value: Double) -> String { String(format: "%.0f", value) }
}
