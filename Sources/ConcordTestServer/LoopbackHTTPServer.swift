#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small HTTP/1.1 server on 127.0.0.1 for tests and benchmarks: POSIX sockets, one
/// thread per connection, keep-alive, and the fault modes in ``LoopbackRoutes``.
///
/// ```swift
/// let server = try LoopbackHTTPServer()
/// defer { server.stop() }
/// let url = server.url("/status/503?header=Retry-After:2")
/// ```
///
/// It binds an ephemeral port on the loopback address only and counts the connections it
/// accepts, so tests can check keep-alive reuse.
public final class LoopbackHTTPServer: @unchecked Sendable {
    private struct Counters {
        var connections = 0
        var requests = 0
        var openSockets: Set<Int32> = []
        var stopped = false
        var keyed: [String: Int] = [:]
    }

    /// The port the server listens on.
    public let port: Int
    private let listener: Int32
    private let counters = Guarded(Counters())

    /// The error when the server cannot start.
    public struct StartError: Error, CustomStringConvertible {
        /// The failing call and its errno text.
        public var description: String
    }

    /// Starts listening on 127.0.0.1 on an ephemeral port.
    public init() throws {
        (listener, port) = try Self.listenOnLoopback(backlog: 256)
        spawnThread { [self] in acceptLoop() }
    }

    /// A socket listening on 127.0.0.1, on a port the kernel picks: its descriptor and port.
    static func listenOnLoopback(backlog: Int32, reuseAddress: Bool = true) throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StartError(description: "socket: \(errorText())") }
        var yes: Int32 = 1
        if reuseAddress { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size)) }
        var address = loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            let text = errorText()
            close(fd)
            throw StartError(description: "bind/listen on 127.0.0.1: \(text)")
        }
        return (fd, localPort(fd))
    }

    /// `http://127.0.0.1:<port><path>`.
    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Connections accepted so far.
    public var acceptedConnections: Int { counters.withLock { $0.connections } }

    /// Requests answered (or dropped) so far.
    public var requestsReceived: Int { counters.withLock { $0.requests } }

    /// Whether ``stop()`` has been called.
    public var isStopped: Bool { counters.withLock { $0.stopped } }

    /// Increments and returns the counter for `key` (used by the flaky fault mode).
    func bump(_ key: String) -> Int {
        counters.withLock { counters in
            counters.keyed[key, default: 0] += 1
            return counters.keyed[key, default: 0]
        }
    }

    /// Stops accepting and closes every open connection.
    public func stop() {
        // Shut connections down under the lock: a connection thread removes its socket
        // under the same lock before closing it, so no descriptor here can have been
        // closed and reused by someone else.
        let first = counters.withLock { counters -> Bool in
            guard !counters.stopped else { return false }
            counters.stopped = true
            for socket in counters.openSockets { shutdown(socket, Int32(SHUT_RDWR)) }
            return true
        }
        guard first else { return }
        // The accept thread closes the listener when accept fails, so its descriptor
        // number cannot be reused by another socket while that thread still uses it.
        shutdown(listener, Int32(SHUT_RDWR))
    }

    deinit { stop() }

    /// A port on 127.0.0.1 that refuses connections for as long as the returned value lives:
    /// a socket bound to it (port 0, the kernel's pick) that never listens, so no other test
    /// can take the port meanwhile (a port bound and released at once could be).
    public static func refusingPort() -> RefusingPort { RefusingPort() }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED, !isStopped { continue }
                close(listener)
                return
            }
            var yes: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            let admitted = counters.withLock { counters -> Bool in
                guard !counters.stopped else { return false }
                counters.connections += 1
                counters.openSockets.insert(client)
                return true
            }
            guard admitted else {
                close(client)
                return
            }
            spawnThread { [self] in
                serve(client)
                counters.withLock { _ = $0.openSockets.remove(client) }
                close(client)
            }
        }
    }

    private func serve(_ socket: Int32) {
        var connection = LoopbackConnection(socket: socket)
        while let request = connection.readRequest() {
            counters.withLock { $0.requests += 1 }
            let reply = LoopbackRoutes.reply(to: request, server: self)
            guard connection.write(reply, to: request), !isStopped else { return }
            if request.header("Connection")?.lowercased() == "close" { return }
        }
    }

    static func loopbackAddress(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    static func localPort(_ fd: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}

/// A loopback port bound by a socket that does not listen: connecting to it is refused, and
/// nothing else can bind it while this value lives (keep it alive with
/// `withExtendedLifetime` for as long as the port must refuse).
public final class RefusingPort: Sendable {
    public let port: Int
    private let fd: Int32

    init() {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = LoopbackHTTPServer.loopbackAddress(port: 0)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        fd = socketFD
        port = LoopbackHTTPServer.localPort(socketFD)
    }

    deinit {
        #if canImport(Glibc)
        _ = Glibc.close(fd)
        #else
        _ = Darwin.close(fd)
        #endif
    }
}
