import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOPosix
import Logging

/// Serves one emulator's handler over HTTP/1.1 with Hummingbird on a loopback address.
public final class EmulatorServer: Sendable {
    /// `http://127.0.0.1:PORT` (no trailing slash).
    public let baseURL: String
    public let port: Int
    private let task: Task<Void, any Error>
    private let server: Server<HTTP1Channel>

    private init(port: Int, host: String, task: Task<Void, any Error>, server: Server<HTTP1Channel>) {
        self.port = port
        self.baseURL = "http://\(host):\(port)"
        self.task = task
        self.server = server
    }

    /// Starts serving `handler` on `host:port` (port 0 picks a free port) and returns once listening.
    public static func start(
        host: String = "127.0.0.1",
        port: Int = 0,
        handler: @escaping @Sendable (EmulatorRequest) async -> EmulatorResponse
    ) async throws -> EmulatorServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "crm-emulator")
        logger.logLevel = .critical
        // HummingbirdCore directly, not an Application: an Application overwrites every
        // answer's `Date` with the machine's clock, and an emulated CRM with a skewed clock
        // must say its own time there, as a real one does.
        let responder = EmulatorResponder(handler: handler)
        let channel = HTTP1Channel(responder: { request, writer, _ in
            let response = try await responder.response(for: request)
            try await writer.write(response: response.head, body: response.body)
        })
        let service = Server(
            childChannelSetup: channel,
            configuration: ServerConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
        let task = Task {
            defer { continuation.finish() }
            try await service.run()
        }
        for await bound in ports where bound > 0 {
            return EmulatorServer(port: bound, host: host, task: task, server: service)
        }
        task.cancel()
        if case .failure(let error) = await task.result { throw error }
        throw EmulatorServerError(reason: "server on \(host):\(port) stopped before it was listening")
    }

    /// Stops the server and waits for it to finish.
    ///
    /// The stop is graceful: the listening socket closes, every connection already accepted is
    /// handed to its handler (Hummingbird traps on an accepted connection dropped unhandled, which
    /// cancelling the server task did), idle keep-alive connections close, and one in the middle of
    /// a request closes after its answer. A request still unanswered after `grace` (a stall
    /// fault holds one for minutes) is then cancelled.
    public func stop(grace: Duration = .seconds(3)) async {
        let server = self.server
        let task = self.task
        let shutdown = Task { try? await server.shutdownGracefully() }
        let watchdog = Task {
            try? await Task.sleep(for: grace)
            if !Task.isCancelled { task.cancel() }
        }
        _ = await task.result
        watchdog.cancel()
        shutdown.cancel()
    }
}

/// Raised when an emulator server cannot start.
public struct EmulatorServerError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

struct DroppedConnection: Error {}

/// Turns HTTP requests into ``EmulatorRequest``s and answers into responses.
struct EmulatorResponder: Sendable {
    let handler: @Sendable (EmulatorRequest) async -> EmulatorResponse

    func response(for request: Request) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: 256 * 1024 * 1024)
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
        }
        if let authority = request.head.authority { headers["host"] = authority }
        let target = request.head.path ?? "/"
        let emulatorRequest = EmulatorRequest(
            method: request.method.rawValue, target: target, headers: headers, body: Array(buffer.readableBytesView))
        let answer = await handler(emulatorRequest)
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        if answer.dropConnection {
            return Response(
                status: .ok, headers: fields,
                body: ResponseBody(contentLength: 64) { _ in throw DroppedConnection() })
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
