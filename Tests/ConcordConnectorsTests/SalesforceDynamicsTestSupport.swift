import ConcordConnectors
import ConcordCore
import ConcordHTTP
import ConcordMapping
import CRMEmulators
import Synchronization
import Testing

/// A settable wall clock shared by an emulator (its record stamps) and a connector.
final class TestWall: Sendable {
    private let millis: Mutex<Int64>
    init(_ start: Int64 = 1_790_000_000_000) { millis = Mutex(start) }
    var now: Int64 { millis.withLock { $0 } }
    func advance(_ ms: Int64) { millis.withLock { $0 += ms } }
    var emulatorClock: EmulatorClock { EmulatorClock(precisionMs: 1000, wall: { self.now }) }
    var wallClock: WallClock { WallClock { UInt64(self.now) } }
}

/// An ``HTTPClient`` in front of the real one that records bearer tokens and can inject
/// faults: lose the response of requests that match (after they were served), or answer
/// some with a canned response.
final class FaultyHTTPClient: HTTPClient {
    struct State {
        var tokens: [String] = []
        var loseResponses = 0
        var losePredicate: @Sendable (HTTPRequest) -> Bool = { _ in true }
        var canned: [HTTPResponse] = []
        var requests: [String] = []
        var callOptions: [String] = []
        var callers: [String] = []
        var hook: (@Sendable (HTTPRequest) -> Void)?
    }

    let inner: any HTTPClient
    let state = Mutex(State())

    init(_ inner: any HTTPClient) { self.inner = inner }

    var lastToken: String? { state.withLock { $0.tokens.last } }
    var requestLines: [String] { state.withLock { $0.requests } }
    var callOptions: [String] { state.withLock { $0.callOptions } }
    var callers: [String] { state.withLock { $0.callers } }

    /// Runs `hook` before each request is handled.
    func beforeEach(_ hook: @escaping @Sendable (HTTPRequest) -> Void) { state.withLock { $0.hook = hook } }

    /// The next `count` matching requests are served but their responses are lost.
    func loseResponses(_ count: Int, where predicate: @escaping @Sendable (HTTPRequest) -> Bool) {
        state.withLock {
            $0.loseResponses = count
            $0.losePredicate = predicate
        }
    }

    /// The next requests get these responses instead of reaching the server.
    func answer(with responses: [HTTPResponse]) { state.withLock { $0.canned += responses } }

    func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        state.withLock { $0.hook }?(request)
        let (canned, lose) = state.withLock { s -> (HTTPResponse?, Bool) in
            if let options = request.headers["Sforce-Call-Options"] { s.callOptions.append(options) }
            if let caller = request.headers["MSCRMCallerID"] { s.callers.append(caller) }
            if let auth = request.headers["Authorization"], auth.hasPrefix("Bearer ") { s.tokens.append(String(auth.dropFirst(7))) }
            s.requests.append("\(request.method) \(request.url)")
            if !s.canned.isEmpty { return (s.canned.removeFirst(), false) }
            if s.loseResponses > 0, s.losePredicate(request) {
                s.loseResponses -= 1
                return (nil, true)
            }
            return (nil, false)
        }
        if let canned { return canned }
        let response = try await inner.send(request)
        if lose { throw HTTPClientError(.connectionLost, request: request, message: "test: response lost after the server handled it") }
        return response
    }
}

/// A running emulator with its server, and the HTTP stack a connector uses against it.
struct EmulatorHarness<E: CRMEmulator>: Sendable {
    let emulator: E
    let server: EmulatorServer
    let faulty: FaultyHTTPClient
    let http: any HTTPClient

    /// Starts `emulator` on 127.0.0.1 (ephemeral port), runs `body`, stops the server.
    static func with<T: Sendable>(_ emulator: E, retry: RetryPolicy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(5),
                                                                               maxDelay: .milliseconds(50), maxTotalDelay: .seconds(3)),
                                  _ body: (EmulatorHarness<E>) async throws -> T) async throws -> T {
        let pipeline = EmulatorPipeline(emulator: emulator)
        let server = try await EmulatorServer.start(host: "127.0.0.1", port: 0) { await pipeline.handle($0) }
        var configuration = CurlHTTPClient.Configuration()
        configuration.proxy = ""
        configuration.timeout = .seconds(20)
        let faulty = FaultyHTTPClient(CurlHTTPClient(configuration: configuration))
        let http = ResilientHTTPClient(wrapping: faulty, clock: ContinuousClock(), retry: retry,
                                       breaker: CircuitBreakerPolicy(failureThreshold: 1000))
        let harness = EmulatorHarness(emulator: emulator, server: server, faulty: faulty, http: http)
        do {
            let result = try await body(harness)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }
}

/// Salesforce-style 18-character ids for records seeded straight into an emulator store.
enum TestSalesforceIDs {
    private static let base62 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    private static let checksum = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345")

    static func make(prefix: String, counter: Int64) -> String {
        var digits: [Character] = []
        var n = UInt64(counter)
        for _ in 0..<9 {
            digits.append(base62[Int(n % 62)])
            n /= 62
        }
        let id15 = Array(prefix + "5g0" + String(digits.reversed()))
        var suffix = ""
        for chunk in 0..<3 {
            var bits = 0
            for i in 0..<5 where id15[chunk * 5 + i].isUppercase && id15[chunk * 5 + i].isASCII { bits |= 1 << i }
            suffix.append(checksum[bits])
        }
        return String(id15) + suffix
    }
}

/// Bounded polling helpers and assertions shared by the connector tests.
enum PullDriver {
    /// Pulls pages until `hasMore` is false (at most `maxPages`), returning records and the final cursor.
    static func drain(_ connector: any CRMConnector, _ request: PullRequest, maxPages: Int = 200,
                      between: (Int) async throws -> Void = { _ in }) async throws -> (records: [CRMRecord], cursor: String, pages: Int, unknownSince: UInt64?) {
        var request = request
        var records: [CRMRecord] = []
        var unknown: UInt64?
        for page in 1...maxPages {
            let result = try await connector.pull(request)
            records += result.records
            unknown = unknown ?? result.deletesUnknownSince
            request.cursor = result.cursor
            if !result.hasMore { return (records, result.cursor, page, unknown) }
            try await between(page)
        }
        Issue.record("pull did not finish within \(maxPages) pages")
        return (records, request.cursor ?? "", maxPages, unknown)
    }
}

extension APICallCounts {
    subscript(kind: String) -> Int { byKind[kind] ?? 0 }
}

/// `ceil(a / b)`.
func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
