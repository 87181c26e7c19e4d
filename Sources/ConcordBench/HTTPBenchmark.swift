import ConcordHTTP
import ConcordTestServer
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Throughput and latency of one HTTP client in one benchmark run.
public struct HTTPClientMeasurement: Sendable, Codable, Equatable {
    /// Which client was measured, for example `"concord"` or `"urlsession"`.
    public var client: String
    /// Requests completed successfully.
    public var requests: Int
    /// Requests that failed or got a non-200 status.
    public var errors: Int
    /// Wall time for all requests, in seconds.
    public var seconds: Double
    /// Completed requests per second.
    public var requestsPerSecond: Double
    /// Median request latency in microseconds.
    public var p50Microseconds: Double
    /// 99th-percentile request latency in microseconds.
    public var p99Microseconds: Double
    /// TCP connections the server accepted during the measurement (keep-alive reuse check).
    public var connectionsOpened: Int = 0
    /// Process CPU time (user + system, all threads, the loopback server's included) per
    /// request: a load-independent cost figure, comparable between the two clients.
    public var cpuMicrosecondsPerRequest: Double = 0
}

/// The result of `concord bench http`: both clients against the same loopback server.
public struct HTTPBenchmarkReport: Sendable, Codable, Equatable {
    /// Requests per client.
    public var requests: Int
    /// Requests in flight at once.
    public var concurrency: Int
    /// Measured rounds per client; the reported round is the one with the median throughput.
    public var rounds: Int
    /// Concord's ``CurlHTTPClient``.
    public var concord: HTTPClientMeasurement
    /// Foundation's `URLSession` (libcurl-based on Linux) as the baseline.
    public var urlSession: HTTPClientMeasurement
    /// Concord's requests per second divided by URLSession's (above 1 means Concord is faster).
    public var throughputRatio: Double
}

/// Benchmarks ``CurlHTTPClient`` against `URLSession` on a ``LoopbackHTTPServer``.
///
/// ```swift
/// let report = try await HTTPBenchmark.run(requests: 5000, concurrency: 16)
/// print(report.throughputRatio)
/// ```
public enum HTTPBenchmark {
    /// Starts a loopback server, warms both clients up, then measures each `rounds` times,
    /// alternating which goes first, and reports each client's median round.
    public static func run(requests: Int, concurrency: Int, rounds: Int = 3) async throws -> HTTPBenchmarkReport {
        let server = try LoopbackHTTPServer()
        defer { server.stop() }
        let url = server.url("/bench")
        let workers = max(1, concurrency)

        var configuration = CurlHTTPClient.Configuration()
        configuration.maxCachedConnections = max(64, workers * 2)
        let concord = CurlHTTPClient(configuration: configuration)
        let request = HTTPRequest(url: url)
        let concordOnce: @Sendable () async -> Bool = {
            (try? await concord.send(request))?.status == 200
        }

        let sessionConfiguration = URLSessionConfiguration.default
        sessionConfiguration.httpMaximumConnectionsPerHost = max(6, workers)
        sessionConfiguration.requestCachePolicy = .reloadIgnoringLocalCacheData
        sessionConfiguration.urlCache = nil
        let session = URLSession(configuration: sessionConfiguration)
        guard let foundationURL = URL(string: url) else { throw BenchmarkError(description: "bad loopback URL \(url)") }
        let sessionOnce: @Sendable () async -> Bool = {
            guard let (_, response) = try? await session.data(from: foundationURL) else { return false }
            return (response as? HTTPURLResponse)?.statusCode == 200
        }

        let warmup = min(200, max(requests / 10, workers))
        _ = await measure("concord", requests: warmup, concurrency: workers, once: concordOnce)
        _ = await measure("urlsession", requests: warmup, concurrency: workers, once: sessionOnce)
        var concordRounds: [HTTPClientMeasurement] = []
        var sessionRounds: [HTTPClientMeasurement] = []
        for round in 0..<max(1, rounds) {
            // Alternate which client goes first so drift in machine load hits both alike.
            for client in round % 2 == 0 ? ["concord", "urlsession"] : ["urlsession", "concord"] {
                let before = server.acceptedConnections
                var result = await measure(
                    client, requests: requests, concurrency: workers, once: client == "concord" ? concordOnce : sessionOnce)
                result.connectionsOpened = server.acceptedConnections - before
                if client == "concord" { concordRounds.append(result) } else { sessionRounds.append(result) }
            }
        }
        session.invalidateAndCancel()
        let concordResult = median(concordRounds)
        let sessionResult = median(sessionRounds)
        let ratio = sessionResult.requestsPerSecond > 0 ? concordResult.requestsPerSecond / sessionResult.requestsPerSecond : 0
        return HTTPBenchmarkReport(
            requests: requests, concurrency: workers, rounds: concordRounds.count, concord: concordResult,
            urlSession: sessionResult, throughputRatio: ratio)
    }

    private static func median(_ rounds: [HTTPClientMeasurement]) -> HTTPClientMeasurement {
        let sorted = rounds.sorted { $0.requestsPerSecond < $1.requestsPerSecond }
        return sorted[sorted.count / 2]
    }

    /// Sends `requests` requests through `once` from `concurrency` workers.
    static func measure(
        _ name: String, requests: Int, concurrency: Int, once: @escaping @Sendable () async -> Bool
    ) async -> HTTPClientMeasurement {
        let counter = RequestCounter(limit: requests)
        let clock = ContinuousClock()
        let cpuBefore = processCPUMicroseconds()
        let start = clock.now
        let perWorker = await withTaskGroup(of: ([Duration], Int).self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var latencies: [Duration] = []
                    var errors = 0
                    while counter.next() {
                        let began = clock.now
                        let ok = await once()
                        latencies.append(began.duration(to: clock.now))
                        if !ok { errors += 1 }
                    }
                    return (latencies, errors)
                }
            }
            var all: [([Duration], Int)] = []
            for await result in group { all.append(result) }
            return all
        }
        let elapsed = start.duration(to: clock.now)
        let cpu = processCPUMicroseconds() - cpuBefore
        let latencies = perWorker.flatMap(\.0).sorted()
        let errors = perWorker.map(\.1).reduce(0, +)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return HTTPClientMeasurement(
            client: name, requests: latencies.count - errors, errors: errors, seconds: seconds,
            requestsPerSecond: seconds > 0 ? Double(latencies.count - errors) / seconds : 0,
            p50Microseconds: percentile(latencies, 0.50), p99Microseconds: percentile(latencies, 0.99),
            cpuMicrosecondsPerRequest: latencies.isEmpty ? 0 : cpu / Double(latencies.count))
    }

    static func processCPUMicroseconds() -> Double {
        var usage = rusage()
        guard getrusage(Int32(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        let user = Double(usage.ru_utime.tv_sec) * 1e6 + Double(usage.ru_utime.tv_usec)
        let system = Double(usage.ru_stime.tv_sec) * 1e6 + Double(usage.ru_stime.tv_usec)
        return user + system
    }

    static func percentile(_ sorted: [Duration], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let index = min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)
        let value = sorted[max(0, index)]
        return Double(value.components.seconds) * 1e6 + Double(value.components.attoseconds) / 1e12
    }
}

/// Why a benchmark could not run.
public struct BenchmarkError: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
}

/// Hands out request slots to the benchmark workers.
private final class RequestCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var issued = 0
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func next() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard issued < limit else { return false }
        issued += 1
        return true
    }
}
