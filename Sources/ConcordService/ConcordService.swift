import ConcordEngine
import ConcordMapping
import ConcordStore
import ConcordWebhooks
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// `concord serve`: the sync engine running continuously and an HTTP server taking the
/// CRMs' webhooks in, started and stopped in order by swift-service-lifecycle.
///
/// Start order: the HTTP server (ready once bound), then the sync loop. Stop order
/// (SIGTERM, SIGINT, or ``stop()``): the sync loop first, which makes the webhook routes
/// answer 503 and finishes the batch in flight; then the server. The whole stop is bounded
/// (20 s graceful, then 4 s of cancellation), inside Kubernetes' default 30 s grace.
public final class ConcordService: Sendable {
    /// The port the server listens on (the one picked, when 0 was asked for).
    public let port: Int
    /// What the routes and the loop share.
    public let state: ServiceState
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(port: Int, state: ServiceState, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.state = state
        self.group = group
        self.task = task
    }

    /// What a service is made of.
    public struct Parts: Sendable {
        /// The engine (the store's one writer).
        public var engine: SyncEngine
        /// The settings of `service:` in the configuration.
        public var settings: ServiceSettings
        /// The webhook intakes by CRM name.
        public var intakes: [String: any WebhookIntake]
        /// The hooks to the store and status (wired in the executable).
        public var hooks: ServiceHooks
        /// The ops bearer token (resolved), if any.
        public var opsToken: String?
        /// Logs.
        public var logger: Logger
        /// Sees every pass and webhook round.
        public var onReport: @Sendable (String, PassReport) -> Void

        /// Creates the parts.
        public init(engine: SyncEngine, settings: ServiceSettings, intakes: [String: any WebhookIntake], hooks: ServiceHooks,
                    opsToken: String?, logger: Logger, onReport: @escaping @Sendable (String, PassReport) -> Void) {
            self.engine = engine
            self.settings = settings
            self.intakes = intakes
            self.hooks = hooks
            self.opsToken = opsToken
            self.logger = logger
            self.onReport = onReport
        }
    }

    /// Starts the service and returns once it listens. `signals`: whether SIGTERM and SIGINT
    /// stop it (the executable), or only ``stop()`` does (tests).
    public static func start(_ parts: Parts, signals: Bool) async throws -> ConcordService {
        ServiceMetrics.bootstrap()
        let (host, port) = try Self.address(parts.settings.listen)
        let state = ServiceState()
        let (bound, continuation) = AsyncStream<Int>.makeStream()
        let publicBase = parts.settings.publicURL
        let http = ServiceHTTP(intakes: parts.intakes, replay: ReplayGuard(), hooks: parts.hooks, state: state,
                               maxBodyBytes: parts.settings.maxBodyBytes, opsToken: parts.opsToken,
                               logger: parts.logger)
        let app = Application(router: http.router(),
                              configuration: .init(address: .hostname(host, port: port), serverName: "concord"),
                              onServerRunning: { channel in
                                  let p = channel.localAddress?.port ?? 0
                                  state.publicURL = publicBase ?? "http://\(host.contains(":") ? "[\(host)]" : host):\(p)"
                                  continuation.yield(channel.localAddress?.port ?? 0)
                                  continuation.finish()
                              },
                              logger: parts.logger)
        let loop = SyncLoop(engine: parts.engine, state: state, safetyNetSeconds: parts.settings.safetyNetSeconds,
                            debounceMillis: parts.settings.debounceMillis, logger: parts.logger, onReport: parts.onReport)
        var configuration = ServiceGroupConfiguration(services: [
            .init(service: app, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: loop, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
        ], logger: parts.logger)
        if signals { configuration.gracefulShutdownSignals = [.sigterm, .sigint] }
        configuration.maximumGracefulShutdownDuration = .seconds(20)
        configuration.maximumCancellationDuration = .seconds(4)
        let group = ServiceGroup(configuration: configuration)
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        for await p in bound where p > 0 {
            state.ready = true
            return ConcordService(port: p, state: state, group: group, task: task)
        }
        await group.triggerGracefulShutdown()
        if case .failure(let error) = await task.result { throw error }
        throw ServiceError(description: "the server on \(parts.settings.listen) stopped before it was listening")
    }

    /// Waits until the service has stopped (a signal, or ``stop()``).
    public func wait() async throws {
        try await task.value
    }

    /// Stops as SIGTERM does, and waits.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    static func address(_ listen: String) throws -> (String, Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
            throw ServiceError(description: "listen address \(listen) is not host:port")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }
}

/// A service that could not start.
public struct ServiceError: Error, CustomStringConvertible, Sendable {
    /// What failed.
    public var description: String
}
