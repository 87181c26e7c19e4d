import CRMEmulators
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Stopping an emulator server while clients connect must never trap the process.
///
/// Hummingbird wraps each accepted connection in an `NIOAsyncChannel` whose writer traps when
/// dropped unfinished; cancelling the server task dropped connections accepted but not yet
/// handled (a fresh clone's CI run died on it). The server now stops gracefully.
@Suite struct EmulatorServerStopTests {
    @Test func stoppingWhileConnectionsArriveNeverTraps() async throws {
        for round in 0..<60 {
            let server = try await EmulatorServer.start { _ in .empty(200) }
            let port = server.port
            // Open connections from other threads right as the stop begins, so some are
            // accepted and still queued when the listening socket closes.
            let connectors = (0..<8).map { _ in
                Thread.detachNewThreadWithResult { openAndHold(port: port) }
            }
            if round % 2 == 0 { await Task.yield() }
            await server.stop()
            for connector in connectors { _ = await connector.value }
        }
    }

    @Test func stopEndsAnOpenIdleConnection() async throws {
        let server = try await EmulatorServer.start { _ in .empty(204) }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        #expect(connectLoopback(fd, port: server.port))
        let request = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        #expect(write(fd, request, request.count) == request.count)
        var buffer = [UInt8](repeating: 0, count: 512)
        #expect(read(fd, &buffer, buffer.count) > 0)
        await server.stop()  // returns although the client keeps its keep-alive connection open
        #expect(read(fd, &buffer, buffer.count) <= 0, "the server closed the idle connection")
    }
}

private func connectLoopback(_ fd: Int32, port: Int) -> Bool {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}

/// Connects, sends the start of a request, and holds the socket briefly.
private func openAndHold(port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return }
    defer { close(fd) }
    guard connectLoopback(fd, port: port) else { return }
    let partial = Array("GET / HTTP/1.1\r\nHost: x\r\n".utf8)
    _ = write(fd, partial, partial.count)
    usleep(20_000)
}

extension Thread {
    /// Runs `body` on a new thread and returns a task that completes with its result.
    fileprivate static func detachNewThreadWithResult(_ body: @escaping @Sendable () -> Void) -> Task<Void, Never> {
        Task.detached {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread {
                    body()
                    done.resume()
                }
            }
        }
    }
}
