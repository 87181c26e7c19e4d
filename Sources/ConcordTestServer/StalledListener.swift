#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loopback port whose TCP handshakes never complete: it listens with a backlog of zero,
/// never accepts, and fills its accept queue with its own connections, so the kernel drops
/// further SYNs. Connecting to it exercises a client's connect timeout.
public final class StalledListener: @unchecked Sendable {
    /// The stalled port on 127.0.0.1.
    public let port: Int
    private let listener: Int32
    private var fillers: [Int32] = []

    /// Binds, listens without accepting and fills the queue with `fillers` connections.
    public init(fillers count: Int = 4) throws {
        (listener, port) = try LoopbackHTTPServer.listenOnLoopback(backlog: 0, reuseAddress: false)
        var target = LoopbackHTTPServer.loopbackAddress(port: UInt16(port))
        for _ in 0..<count {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard filler >= 0 else { continue }
            _ = fcntl(filler, F_SETFL, fcntl(filler, F_GETFL) | O_NONBLOCK)
            _ = withUnsafePointer(to: &target) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            fillers.append(filler)
        }
    }

    deinit {
        for filler in fillers { close(filler) }
        close(listener)
    }
}
