import Foundation

/// Emulated Salesforce REST API (`/services/data/vNN.N/...`) and OAuth token endpoint.
public final class SalesforceEmulator: CRMEmulator {
    public let name = "salesforce"
    /// Change source of the current request: `API`, or `API;client=<id>` from `Sforce-Call-Options`.
    @TaskLocal static var callSource = "API"
    public let control: EmulatorControl
    /// Sends this CRM's webhooks to the target set over `/__admin/webhooks`.
    public let webhooks: WebhookDispatcher
    let cursors = Locked<[String: QueryCursor]>([:])
    /// How long delete records stay available to getDeleted (15 days).
    let deleteRetentionMs: Int64 = 15 * 86_400_000

    /// Published default: 15,000 API requests per rolling 24 hours (Developer Edition).
    public static let defaultLimits = [RateLimit(name: "DailyApiRequests", limit: 15_000, windowMs: 86_400_000)]

    public init(seed: UInt64 = 1, credentials: EmulatorCredentials? = nil, clock: EmulatorClock = EmulatorClock(precisionMs: 1000),
                limits: [RateLimit] = SalesforceEmulator.defaultLimits) {
        let store = RecordStore(clock: clock)
        control = EmulatorControl(
            store: store, rateLimiter: RateLimiter(limits: limits),
            credentials: credentials ?? EmulatorCredentials(clientID: "sf-client-id", clientSecret: "sf-client-secret", staticToken: "00Demulator!sf-static-token"),
            seed: seed)
        webhooks = WebhookDispatcher(control: control, policy: .salesforce, formatter: SalesforceWebhooks.messages)
    }

    public var driverProfile: DriverProfile { .salesforce(self) }

    public func isMetered(path: String) -> Bool { path.hasPrefix("/services/data") }

    public func errorResponse(status: Int, message: String) -> EmulatorResponse {
        let code = status == 503 ? "SERVER_UNAVAILABLE" : status == 401 ? "INVALID_SESSION_ID" : status >= 500 ? "UNKNOWN_EXCEPTION" : "BAD_REQUEST"
        return SalesforceError(status: status, code: code, message: message).response
    }

    /// Salesforce has no 429: over-limit answers are 403 REQUEST_LIMIT_EXCEEDED.
    public func throttledResponse(exceeded: RateUsage?) -> EmulatorResponse {
        SalesforceError(status: 403, code: "REQUEST_LIMIT_EXCEEDED", message: "TotalRequests Limit exceeded.").response
    }

    public func decorate(_ response: inout EmulatorResponse, usage: [RateUsage]) {
        let daily = usage.first { $0.limit.name == "DailyApiRequests" }
        let max = daily?.limit.limit ?? control.rateLimiter.limits.first?.limit ?? 15_000
        response.setHeader("Sforce-Limit-Info", "api-usage=\(daily?.used ?? 0)/\(max)")
    }

    public func route(_ request: EmulatorRequest) async -> EmulatorResponse {
        let segments = request.segments
        if segments.starts(with: ["services", "oauth2", "token"]) { return token(request) }
        guard segments.count >= 2, segments[0] == "services", segments[1] == "data" else {
            return SalesforceError.notFound().response
        }
        guard control.isValidToken(request.bearerToken) else {
            return SalesforceError(status: 401, code: "INVALID_SESSION_ID", message: "Session expired or invalid").response
        }
        if segments.count == 2 { return versions() }
        let version = segments[2]
        let rest = Array(segments.dropFirst(3))
        var source = "API"
        if let options = request.header("sforce-call-options"),
            let client = options.split(separator: ",").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("client=") })
        {
            source += ";" + client.trimmingCharacters(in: .whitespaces)
        }
        do {
            return try Self.$callSource.withValue(source) { try dispatch(request, version: version, rest: rest) }
        } catch let error as SalesforceError {
            return error.response
        } catch {
            return SalesforceError(status: 500, code: "UNKNOWN_EXCEPTION", message: "\(error)").response
        }
    }

    private func dispatch(_ request: EmulatorRequest, version: String, rest: [String]) throws -> EmulatorResponse {
        let base = "/services/data/\(version)"
        switch (request.method, rest.first ?? "") {
        case ("GET", ""): return .json(200, ["sobjects": .string("\(base)/sobjects"), "query": .string("\(base)/query"), "limits": .string("\(base)/limits")])
        case ("GET", "limits"): return limits()
        case (_, "sobjects"): return try sobjects(request, base: base, rest: Array(rest.dropFirst()))
        case ("GET", "query"), ("GET", "queryAll"):
            let all = rest[0] == "queryAll"
            if rest.count > 1 { return try nextPage(locator: rest[1], base: base, all: all) }
            return try query(request, base: base, all: all)
        case ("POST", "composite") where rest.count == 1:
            return try composite(request, base: base)
        case (_, "composite") where rest.count >= 2 && rest[1] == "sobjects":
            return try collections(request, base: base, rest: Array(rest.dropFirst(2)))
        default:
            throw SalesforceError.notFound()
        }
    }

    private func versions() -> EmulatorResponse {
        .json(200, .array(["58.0", "59.0", "60.0", "61.0", "62.0"].map { v in
            ["version": .string(v), "label": "Emulated", "url": .string("/services/data/v\(v)")]
        }))
    }

    private func limits() -> EmulatorResponse {
        let limit = control.rateLimiter.limits.first?.limit ?? 15_000
        let used = control.rateLimiter.used(now: EmulatorClock.systemMillis())
        return .json(200, ["DailyApiRequests": ["Max": .int(Int64(limit)), "Remaining": .int(Int64(max(0, limit - used)))]])
    }

    /// Base URL as seen by the client (from the Host header).
    static func origin(_ request: EmulatorRequest) -> String {
        "http://\(request.header("host") ?? "127.0.0.1")"
    }
}
