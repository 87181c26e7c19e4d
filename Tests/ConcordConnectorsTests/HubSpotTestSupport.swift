import CRMEmulators
import ConcordConnectors
import ConcordCore
import ConcordHTTP
import ConcordMapping
import Foundation

/// Starts HubSpot emulators on 127.0.0.1:0 and builds connectors against them.
enum HubSpotTestSupport {
    static let token = "pat-na1-emulator-static-token"

    /// An emulator with its rate limits off (tests that need them turn them on).
    static func emulator(limits: [CRMEmulators.RateLimit] = HubSpotEmulator.defaultLimits, limited: Bool = false,
                         clock: EmulatorClock = EmulatorClock()) -> HubSpotEmulator {
        let emulator = HubSpotEmulator(clock: clock, limits: limits)
        var patch = FaultSettings.Patch()
        patch.rateLimitsEnabled = limited
        emulator.control.applyFaults(patch)
        return emulator
    }

    /// Options for tests: fast search pacing, no settle delay, waits capped at `maxSleep` ms
    /// (each requested wait is recorded in `waits`).
    static func options(searchPerSecond: Double = 10_000, maxSleep: UInt64 = 50, waits: WaitLog = WaitLog(),
                        wallClock: WallClock = HubSpotOptions.systemWallClock) -> HubSpotOptions {
        HubSpotOptions(searchRequestsPerSecond: searchPerSecond, settleMillis: 0, wallClock: wallClock,
                       sleep: { millis in
                           waits.record(millis)
                           try? await Task.sleep(for: .milliseconds(Int64(min(millis, maxSleep))))
                       })
    }

    static func config(_ baseURL: String, credentials: [String: CredentialSource] = ["token": .literal(token)]) -> CRMConfig {
        CRMConfig(name: "hubspot", kind: .hubspot, baseURL: baseURL, tokenURL: nil, credentials: credentials,
                  rateLimit: ConcordMapping.RateLimit.defaults(for: .hubspot))
    }

    /// Runs `body` against a served emulator; the server is stopped afterwards.
    static func withServer(_ emulator: HubSpotEmulator, options: HubSpotOptions = HubSpotTestSupport.options(),
                           http: (any HTTPClient)? = nil,
                           _ body: (HubSpotConnector, EmulatorServer) async throws -> Void) async throws {
        let pipeline = EmulatorPipeline(emulator: emulator)
        let server = try await EmulatorServer.start { await pipeline.handle($0) }
        do {
            let connector = try HubSpotConnector(config: config(server.baseURL), http: http ?? CurlHTTPClient(), options: options)
            try await body(connector, server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// Inserts `count` contacts straight into the emulator's store (one transaction). With
    /// `distinctTimes`, their timestamps are then spread 1 ms apart in the recent past (the
    /// usual case; equal timestamps have their own tests); later writes carry real time.
    @discardableResult
    static func seedContacts(_ emulator: HubSpotEmulator, count: Int, prefix: String = "p", distinctTimes: Bool = true) -> [String] {
        let ids = emulator.control.store.transaction { tx in
            (0..<count).map { i in
                let id = String(30_000_000_000 + tx.nextCounter())
                tx.create("contacts", id: id, fields: ["email": .string("\(prefix)\(i)@example.com"), "firstname": .string("F\(i)"),
                                                       "lastname": .string("L\(i)")], source: "SEED")
                return id
            }
        }
        guard distinctTimes else { return ids }
        var state = emulator.control.store.snapshot()
        let start = EmulatorClock.systemMillis() - 5_000 - Int64(count)
        for (offset, id) in ids.enumerated() {
            guard var record = state.records["contacts"]?[id] else { continue }
            record.createdAt = start + Int64(offset)
            record.modifiedAt = start + Int64(offset)
            for name in record.history.keys { record.history[name] = record.history[name]?.map { var e = $0; e.timestamp = start + Int64(offset); return e } }
            state.records["contacts"]?[id] = record
        }
        emulator.control.store.restore(state)
        return ids
    }

    /// Pulls until `hasMore` is false (at most `maxPages` pages); returns the records and the last cursor.
    static func pullAll(_ connector: HubSpotConnector, object: String = "contacts", fields: [String] = ["email", "firstname"],
                        cursor: String? = nil, history: Bool = false, pageSize: Int = 199, maxPages: Int = 500,
                        afterPage: (Int) async throws -> Void = { _ in }) async throws -> (records: [CRMRecord], cursor: String?, pages: Int) {
        try await Task.sleep(for: .milliseconds(3))  // let the settle horizon pass the last write
        var records: [CRMRecord] = []
        var cursor = cursor
        for page in 1...maxPages {
            let result = try await connector.pull(PullRequest(object: object, fields: fields, cursor: cursor, pageSize: pageSize,
                                                              withFieldHistory: history))
            records += result.records
            cursor = result.cursor
            try await afterPage(page)
            if !result.hasMore { return (records, cursor, page) }
        }
        throw TestFailure("pull did not finish within \(maxPages) pages")
    }
}

/// A failed test precondition.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Records the waits a connector asked for.
final class WaitLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [UInt64] = []
    func record(_ millis: UInt64) { lock.withLock { items.append(millis) } }
    var waits: [UInt64] { lock.withLock { items } }
}

/// A thread-safe counter.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64 = 0
    func next() -> Int64 { lock.withLock { value += 1; return value } }
}

/// Wraps a real client and lets a test interfere with chosen requests.
final class InterceptingClient: HTTPClient, @unchecked Sendable {
    enum Action: Sendable {
        /// Send as usual.
        case pass
        /// Answer with this response without sending.
        case respond(HTTPResponse)
        /// Send, then lose the answer (the server did the work; the client sees a dropped connection).
        case loseAnswer
    }

    private let inner: any HTTPClient
    private let decide: @Sendable (HTTPRequest, Int) -> Action
    private let counter = Counter()

    /// `decide` sees each request with its 1-based sequence number.
    init(_ inner: any HTTPClient, decide: @escaping @Sendable (HTTPRequest, Int) -> Action) {
        self.inner = inner
        self.decide = decide
    }

    func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        switch decide(request, Int(counter.next())) {
        case .pass: return try await inner.send(request)
        case .respond(let response): return response
        case .loseAnswer:
            _ = try await inner.send(request)
            throw HTTPClientError(.connectionLost, request: request, message: "test: the answer was lost")
        }
    }
}
