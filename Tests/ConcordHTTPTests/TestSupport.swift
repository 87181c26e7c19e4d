import ConcordHTTP
import Synchronization
import Testing

/// A manual clock for resilience tests: `sleep` returns at once after moving time forward
/// to the deadline and recording how long was asked for, so no test waits for real.
final class TestClock: Clock {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleeps: [Duration] = []
    }

    private let state = Mutex(State())

    var now: Instant { state.withLock { $0.now } }
    var minimumResolution: Duration { .zero }

    /// Every sleep requested so far, in order.
    var sleeps: [Duration] { state.withLock { $0.sleeps } }

    /// How far the test has advanced this clock (no real time is involved).
    var sinceStart: Duration { now.offset }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        state.withLock { state in
            state.sleeps.append(max(.zero, deadline.offset - state.now.offset))
            if deadline > state.now { state.now = deadline }
        }
    }

    /// Moves time forward without anyone sleeping.
    func advance(by duration: Duration) {
        state.withLock { $0.now = $0.now.advanced(by: duration) }
    }
}

/// An `HTTPClient` that answers from a script, one result per call, and records requests.
final class ScriptedHTTPClient: HTTPClient {
    private struct State {
        var script: [Result<HTTPResponse, HTTPClientError.Code>]
        var requests: [HTTPRequest] = []
    }

    private let state: Mutex<State>

    /// When the script runs out, the last entry repeats.
    init(_ script: [Result<HTTPResponse, HTTPClientError.Code>]) {
        state = Mutex(State(script: script))
    }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }
    var callCount: Int { requests.count }

    func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        let next = state.withLock { state -> Result<HTTPResponse, HTTPClientError.Code> in
            state.requests.append(request)
            return state.script.count > 1 ? state.script.removeFirst() : state.script[0]
        }
        switch next {
        case .success(let response): return response
        case .failure(let code): throw HTTPClientError(code, request: request, message: "scripted \(code)")
        }
    }
}

extension HTTPClientError.Code: Error {}

func status(_ code: Int, _ headers: HTTPHeaders = HTTPHeaders(), body: String = "") -> Result<HTTPResponse, HTTPClientError.Code> {
    .success(HTTPResponse(status: code, headers: headers, body: Array(body.utf8)))
}

/// Runs `body`, returning the `HTTPClientError` it threw, or `nil` if it returned.
func captureError(_ body: () async throws -> HTTPResponse) async -> HTTPClientError? {
    do {
        _ = try await body()
        return nil
    } catch let error as HTTPClientError {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}
