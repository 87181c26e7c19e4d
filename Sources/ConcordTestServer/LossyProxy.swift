#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP/1.1 proxy on 127.0.0.1 that makes a link flaky, request by request, from a seeded
/// generator: requests dropped or cut at a random byte on the way up, answers dropped or cut
/// on the way down (after the upstream committed), requests delivered twice, a stale earlier
/// request delivered again out of order, delays, and partitions that refuse everything.
/// The replication soak puts it between an edge process and its hub.
public final class LossyProxy: @unchecked Sendable {
    /// How often each fault strikes, per request (0...1).
    public struct Faults: Sendable {
        /// The request never reaches the upstream.
        public var dropRequest = 0.0
        /// A random prefix of the request reaches the upstream, then the link breaks.
        public var cutRequest = 0.0
        /// The upstream answers (and committed); the answer is lost.
        public var dropAnswer = 0.0
        /// A random prefix of the answer arrives, then the link breaks.
        public var cutAnswer = 0.0
        /// The request reaches the upstream twice.
        public var duplicate = 0.0
        /// An earlier request is delivered again first (reordering).
        public var replayStale = 0.0
        /// The longest delay added before forwarding, in milliseconds.
        public var maxDelayMillis = 0
        /// No faults.
        public init() {}
        /// Every fault at `p`, delays up to `delay` ms.
        public static func all(_ p: Double, delay: Int = 20) -> Faults {
            var f = Faults()
            f.dropRequest = p; f.cutRequest = p; f.dropAnswer = p; f.cutAnswer = p; f.duplicate = p; f.replayStale = p
            f.maxDelayMillis = delay
            return f
        }
    }

    private struct State {
        var upstreamPort: Int
        var faults: Faults
        var partitioned = false
        var rng: UInt64
        var stale: [UInt8]?
        var forwarded = 0
        var faulted = 0
        var bytesUp = 0
        var bytesDown = 0
        var stopped = false
        var sockets: Set<Int32> = []
    }

    /// The port to connect to instead of the upstream.
    public let port: Int
    private let listener: Int32
    private let state: Guarded<State>

    /// Starts a proxy to `127.0.0.1:upstreamPort`.
    public init(upstreamPort: Int, seed: UInt64, faults: Faults = Faults()) throws {
        (listener, port) = try LoopbackHTTPServer.listenOnLoopback(backlog: 64)
        state = Guarded(State(upstreamPort: upstreamPort, faults: faults, rng: seed))
        spawnThread { [self] in acceptLoop() }
    }

    /// Where requests go (a restarted upstream listens on a new port).
    public var upstreamPort: Int {
        get { state.withLock { $0.upstreamPort } }
        set { state.withLock { $0.upstreamPort = newValue } }
    }

    /// The fault rates from now on.
    public var faults: Faults {
        get { state.withLock { $0.faults } }
        set { state.withLock { $0.faults = newValue } }
    }

    /// While set, every connection is closed at once (a partition).
    public var partitioned: Bool {
        get { state.withLock { $0.partitioned } }
        set { state.withLock { $0.partitioned = newValue } }
    }

    /// Bytes of whole requests as the client sent them (up) and of answers (down).
    public var bytes: (up: Int, down: Int) { state.withLock { ($0.bytesUp, $0.bytesDown) } }

    /// Requests forwarded, and requests a fault struck.
    public var counts: (forwarded: Int, faulted: Int) { state.withLock { ($0.forwarded, $0.faulted) } }

    /// Stops accepting and closes every connection.
    public func stop() {
        let first = state.withLock { s -> Bool in
            guard !s.stopped else { return false }
            s.stopped = true
            for fd in s.sockets { shutdown(fd, Int32(SHUT_RDWR)) }
            return true
        }
        if first { shutdown(listener, Int32(SHUT_RDWR)) }
    }

    deinit { stop() }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED, !state.withLock({ $0.stopped }) { continue }
                close(listener)
                return
            }
            let admitted = state.withLock { s -> Bool in
                guard !s.stopped, !s.partitioned else { return false }
                s.sockets.insert(client)
                return true
            }
            guard admitted else {
                close(client)
                continue
            }
            spawnThread { [self] in
                serve(client)
                state.withLock { _ = $0.sockets.remove(client) }
                close(client)
            }
        }
    }

    private enum Plan { case forward, dropRequest, cutRequest(Int), dropAnswer, cutAnswer(Double), duplicate }

    private func serve(_ client: Int32) {
        var connection = LoopbackConnection(socket: client)
        while let request = connection.readRequest() {
            let raw = Self.serialize(request)
            let sentSize = Self.serialize(request, closing: false).count
            state.withLock { $0.bytesUp += sentSize }
            let (plan, delay, stale, upstream, partitioned) = state.withLock { s -> (Plan, Int, [UInt8]?, Int, Bool) in
                func next() -> UInt64 {
                    s.rng &+= 0x9E37_79B9_7F4A_7C15
                    var z = s.rng
                    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                    return z ^ (z >> 31)
                }
                func chance(_ p: Double) -> Bool { Double(next() % 1_000_000) / 1_000_000 < p }
                let f = s.faults
                var plan = Plan.forward
                if chance(f.dropRequest) { plan = .dropRequest }
                else if chance(f.cutRequest) { plan = .cutRequest(Int(next() % UInt64(max(1, raw.count)))) }
                else if chance(f.dropAnswer) { plan = .dropAnswer }
                else if chance(f.cutAnswer) { plan = .cutAnswer(Double(next() % 1000) / 1000) }
                else if chance(f.duplicate) { plan = .duplicate }
                let stale = chance(f.replayStale) ? s.stale : nil
                if case .forward = plan {} else { s.faulted += 1 }
                s.forwarded += 1
                s.stale = raw
                return (plan, f.maxDelayMillis > 0 ? Int(next() % UInt64(f.maxDelayMillis + 1)) : 0, stale, s.upstreamPort, s.partitioned)
            }
            if partitioned { return }
            if delay > 0 { sleepMilliseconds(delay) }
            if let stale { _ = Self.roundTrip(stale, port: upstream) }
            switch plan {
            case .dropRequest:
                return
            case .cutRequest(let at):
                _ = Self.roundTrip(Array(raw.prefix(at)), port: upstream, expectAnswer: false)
                return
            case .duplicate:
                _ = Self.roundTrip(raw, port: upstream)
                fallthrough
            case .forward, .dropAnswer, .cutAnswer:
                guard let answer = Self.roundTrip(raw, port: upstream) else { return }
                if case .dropAnswer = plan { return }
                if case .cutAnswer(let share) = plan {
                    _ = connection.write(.raw(Array(answer.prefix(Int(Double(answer.count) * share))), keepOpen: false), to: request)
                    return
                }
                state.withLock { $0.bytesDown += answer.count }
                guard connection.write(.raw(answer, keepOpen: true), to: request) else { return }
            }
        }
    }

    static func serialize(_ r: LoopbackRequest, closing: Bool = true) -> [UInt8] {
        var head = "\(r.method) \(r.target) HTTP/1.1\r\n"
        for (name, value) in r.headers where !closing || name.lowercased() != "connection" { head += "\(name): \(value)\r\n" }
        head += closing ? "Connection: close\r\n\r\n" : "\r\n"
        return Array(head.utf8) + r.body
    }

    /// Sends `request` on a new connection to the upstream and reads the whole answer
    /// (until the upstream closes, `Connection: close`); `nil` when it fails.
    static func roundTrip(_ request: [UInt8], port: Int, expectAnswer: Bool = true) -> [UInt8]? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = LoopbackHTTPServer.loopbackAddress(port: UInt16(port))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        var offset = 0
        while offset < request.count {
            let sent = request[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0, errno == EINTR { continue }
            guard sent > 0 else { return nil }
            offset += sent
        }
        guard expectAnswer else { return nil }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            out.append(contentsOf: chunk[..<n])
        }
        return out.isEmpty ? nil : out
    }
}
