import ConcordCore
import ConcordReplication
import ConcordStore
import ConcordWebhooks
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// What the HTTP side needs from the rest of the process (wired in the executable).
public struct ServiceHooks: Sendable {
    /// Commits events to the inbox; returns how many were new (the rest were redeliveries).
    public var commit: @Sendable ([InboxEvent]) async throws -> Int
    /// Why the service is not ready (the store not writable, say), or nil when it is.
    public var notReady: @Sendable () async -> String?
    /// The `concord status --json` document.
    public var status: @Sendable () async throws -> [UInt8]
    /// The quarantine as JSON lines (`GET /ops/quarantine`).
    public var quarantine: @Sendable () async throws -> [UInt8]
    /// Retries quarantined records (all, or those of one CRM); returns how many were retried.
    public var retryQuarantine: @Sendable (_ crm: String?) async throws -> Int
    /// Drops one quarantined record by key; returns whether it was there.
    public var dropQuarantine: @Sendable (_ key: String) async throws -> Bool
    /// Answers a peer store's replication exchange (nil: no peers are configured, and the
    /// route is not served).
    public var replicate: ReplicationHandler?

    /// Creates the hooks.
    public init(commit: @escaping @Sendable ([InboxEvent]) async throws -> Int, notReady: @escaping @Sendable () async -> String?,
                status: @escaping @Sendable () async throws -> [UInt8], quarantine: @escaping @Sendable () async throws -> [UInt8],
                retryQuarantine: @escaping @Sendable (String?) async throws -> Int, dropQuarantine: @escaping @Sendable (String) async throws -> Bool,
                replicate: ReplicationHandler? = nil) {
        self.replicate = replicate
        self.commit = commit
        self.notReady = notReady
        self.status = status
        self.quarantine = quarantine
        self.retryQuarantine = retryQuarantine
        self.dropQuarantine = dropQuarantine
    }
}

/// The routes of `concord serve`: `/webhooks/<crm>`, `/livez`, `/readyz`, `/metrics` and
/// `/ops/...` (bearer token).
struct ServiceHTTP: Sendable {
    let intakes: [String: any WebhookIntake]
    let replay: ReplayGuard
    let hooks: ServiceHooks
    let state: ServiceState
    let maxBodyBytes: Int
    let opsToken: String?
    let logger: Logger

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        for method in [HTTPRequest.Method.post, .get, .put, .patch, .delete] {
            router.on("webhooks/:crm", method: method) { request, context in
                await self.webhook(request, crm: context.parameters.get("crm") ?? "")
            }
        }
        router.get("livez") { _, _ in Self.text(200, "ok\n") }
        if let replicate = hooks.replicate {
            ReplicationRoutes.add(to: router, handler: { auth, query, body in
                guard !self.state.draining else {
                    return .error(503, "the hub is stopping; try again later")
                }
                let answer = await replicate(auth, query, body)
                if answer.status == 200, answer.registersIn > 0 { self.state.wakeForPeers() }
                return answer
            }, logger: logger)
        }
        router.get("readyz") { _, _ in
            if let reason = await self.notReady() { return Self.text(503, "not ready: \(reason)\n") }
            return Self.text(200, "ready\n")
        }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: ServiceMetrics.text())))
        }
        router.get("ops/status") { request, _ in
            await self.ops(request) { try Self.json(200, await self.hooks.status()) }
        }
        router.get("ops/quarantine") { request, _ in
            await self.ops(request) {
                Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: .init(byteBuffer: ByteBuffer(bytes: try await self.hooks.quarantine())))
            }
        }
        router.post("ops/quarantine/retry") { request, _ in
            await self.ops(request) {
                let crm = request.uri.queryParameters.get("crm")
                return Self.json(200, Array("{\"retried\":\(try await self.hooks.retryQuarantine(crm))}".utf8))
            }
        }
        router.post("ops/quarantine/drop") { request, _ in
            await self.ops(request) {
                guard let key = request.uri.queryParameters.get("key") else { return Self.text(400, "drop needs ?key=<quarantine key>\n") }
                return Self.json(200, Array("{\"dropped\":\(try await self.hooks.dropQuarantine(key))}".utf8))
            }
        }
        return router
    }

    func notReady() async -> String? {
        if state.draining { return "stopping" }
        if !state.ready { return "starting" }
        return await hooks.notReady()
    }

    /// One webhook request: read, authenticated, committed, then answered.
    func webhook(_ request: Request, crm: String) async -> Response {
        guard let intake = intakes[crm] else {
            return refuse(crm: crm, WebhookRejection(.notConfigured, "no webhooks are configured for \"\(crm)\" (service.webhooks)"))
        }
        if state.draining { return refuse(crm: crm, WebhookRejection(.stopping, "the service is stopping; deliver again later")) }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            return refuse(crm: crm, WebhookRejection(.tooLarge, "a body of \(length) bytes is above the limit of \(maxBodyBytes)"))
        }
        var request = request
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: maxBodyBytes) } catch {
            return refuse(crm: crm, WebhookRejection(.tooLarge, "the body is above the limit of \(maxBodyBytes) bytes"))
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = headers[field.name.canonicalName].map { "\($0), \(field.value)" } ?? field.value }
        let uri = request.uri.description
        let incoming = WebhookRequest(method: request.method.rawValue, uri: uri, fullURL: state.publicURL + uri, headers: headers,
                                      body: Array(body.readableBytesView))
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let accepted: WebhookAcceptance
        do { accepted = try intake.accept(incoming, now: now) } catch { return refuse(crm: crm, error) }
        if let key = accepted.replayKey, replay.isReplay(key, crm: crm, now: now) {
            return refuse(crm: crm, WebhookRejection(.replayed, "this signed request was already taken in"))
        }
        do {
            let added = try await hooks.commit(accepted.events)
            ServiceMetrics.inbox(crm: crm, added: added, duplicates: accepted.events.count - added)
        } catch {
            logger.error("webhook from \(crm): the inbox could not be written: \(error)")
            return refuse(crm: crm, WebhookRejection(.storeUnavailable, "the inbox could not be written; deliver again later"))
        }
        if let key = accepted.replayKey { replay.remember(key, crm: crm, now: now) }
        if !accepted.events.isEmpty { state.wake() }
        ServiceMetrics.webhook(crm: crm, result: "accepted")
        let r = accepted.response
        return Response(status: HTTPResponse.Status(code: r.status), headers: [.contentType: r.contentType],
                        body: .init(byteBuffer: ByteBuffer(bytes: r.body)))
    }

    func refuse(crm: String, _ rejection: WebhookRejection) -> Response {
        ServiceMetrics.webhook(crm: intakes[crm] == nil ? "unknown" : crm, result: rejection.kind.rawValue)
        logger.warning("webhook refused", metadata: ["crm": .string(intakes[crm] == nil ? "unknown" : crm), "status": "\(rejection.status)",
                                                     "reason": .string(rejection.description)])
        var headers: HTTPFields = [.contentType: "application/json"]
        if rejection.status == 503 { headers[.retryAfter] = "5" }
        let body = "{\"error\":\"\(rejection.kind.rawValue)\",\"message\":\(Self.quoted(rejection.reason))}"
        return Response(status: HTTPResponse.Status(code: rejection.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// An `/ops` route: a bearer token from the configuration, or 404 when none is set.
    func ops(_ request: Request, _ body: () async throws -> Response) async -> Response {
        guard let opsToken else { return Self.text(404, "the ops routes are off (set service.ops_token)\n") }
        let given = request.headers[.authorization] ?? ""
        guard given.hasPrefix("Bearer "), ConstantTime.equal(String(given.dropFirst(7)), opsToken) else {
            var r = Self.text(401, "a bearer token is required\n")
            r.headers[.wwwAuthenticate] = "Bearer"
            return r
        }
        do { return try await body() } catch {
            logger.error("ops request failed: \(error)")
            return Self.text(500, "failed: \(error)\n")
        }
    }

    static func text(_ status: Int, _ text: String) -> Response {
        Response(status: HTTPResponse.Status(code: status), headers: [.contentType: "text/plain; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ status: Int, _ bytes: [UInt8]) -> Response {
        Response(status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for ch in text.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: if ch.value < 0x20 { out += String(format: "\\u%04x", ch.value) } else { out.unicodeScalars.append(ch) }
            }
        }
        return out + "\""
    }
}
