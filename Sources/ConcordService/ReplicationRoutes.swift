import ConcordReplication
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics

/// What the replication route calls: one exchange, given the request's parts.
public typealias ReplicationHandler = @Sendable (_ authorization: String?, _ query: [String: String], _ body: [UInt8]) async
    -> ReplicationHub.Answer

/// `POST /replication/v1/exchange`: the HTTP side of ``ReplicationHub``, on `concord serve`
/// and on `concord replicate serve`.
enum ReplicationRoutes {
    /// The largest batch taken (the edge's batches are bounded far below it).
    static let maxBodyBytes = 64 << 20

    static func add(to router: Router<BasicRequestContext>, handler: @escaping ReplicationHandler, logger: Logger) {
        router.post(RouterPath(stringLiteral: String(Exchange.path.dropFirst()))) { request, _ -> Response in
            var request = request
            let body: ByteBuffer
            do { body = try await request.collectBody(upTo: maxBodyBytes) } catch {
                return Response(status: .contentTooLarge, headers: [.contentType: "text/plain"],
                                body: .init(byteBuffer: ByteBuffer(string: "a replication batch is limited to \(maxBodyBytes) bytes\n")))
            }
            var query: [String: String] = [:]
            for (k, v) in request.uri.queryParameters { query[String(k)] = String(v) }
            let answer = await handler(request.headers[.authorization], query, Array(body.readableBytesView))
            let peer = answer.peer ?? "unknown"
            Counter(label: "concord_replication_exchanges_total", dimensions: [("peer", peer), ("status", String(answer.status))]).increment()
            if answer.status == 200 {
                Counter(label: "concord_replication_registers_total", dimensions: [("peer", peer), ("direction", "in")]).increment(by: answer.registersIn)
                Counter(label: "concord_replication_registers_total", dimensions: [("peer", peer), ("direction", "out")]).increment(by: answer.registersOut)
                Gauge(label: "concord_replication_pending_records", dimensions: [("peer", peer)]).record(answer.pending)
            } else {
                logger.warning("replication exchange refused", metadata: ["peer": .string(peer), "status": "\(answer.status)",
                                                                          "reason": .string(String(decoding: answer.body.prefix(300), as: UTF8.self))])
            }
            return Response(status: HTTPResponse.Status(code: answer.status), headers: [.contentType: answer.contentType],
                            body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
    }
}

/// A server with only the replication route and `/livez`: `concord replicate serve`, the
/// benchmark and the soak's hub.
public final class ReplicationServer: Sendable {
    /// The bound port.
    public let port: Int
    private let task: Task<Void, any Error>
    private let stopper: @Sendable () async -> Void

    private init(port: Int, task: Task<Void, any Error>, stopper: @escaping @Sendable () async -> Void) {
        self.port = port
        self.task = task
        self.stopper = stopper
    }

    /// Starts listening on `host:port` (0: any free port) and returns once bound.
    public static func start(host: String = "127.0.0.1", port: Int, handler: @escaping ReplicationHandler,
                             logger: Logger = Logger(label: "concord.replication")) async throws -> ReplicationServer {
        let router = Router()
        ReplicationRoutes.add(to: router, handler: handler, logger: logger)
        router.get("livez") { _, _ in "ok\n" }
        let (bound, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "concord"),
                              onServerRunning: { channel in
                                  continuation.yield(channel.localAddress?.port ?? 0)
                                  continuation.finish()
                              }, logger: logger)
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        for await p in bound where p > 0 {
            return ReplicationServer(port: p, task: task, stopper: { task.cancel() })
        }
        task.cancel()
        _ = await task.result
        throw ServiceError(description: "the replication server on \(host):\(port) stopped before it was listening")
    }

    /// Stops the server and waits.
    public func stop() async {
        await stopper()
        _ = await task.result
    }

    /// Waits until the server stops.
    public func wait() async throws { try await task.value }
}
