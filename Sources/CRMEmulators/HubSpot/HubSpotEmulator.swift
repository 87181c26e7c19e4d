import Foundation

/// Emulated HubSpot CRM v3/v4 API with private-app and OAuth tokens.
public final class HubSpotEmulator: CRMEmulator {
    public let name = "hubspot"
    public let control: EmulatorControl
    /// Sends this CRM's webhooks to the target set over `/__admin/webhooks`.
    public let webhooks: WebhookDispatcher
    /// Issued refresh tokens (refresh token -> still valid).
    let refreshTokens = Locked<Set<String>>([])
    private let rotation = Locked(false)
    /// When true, a refresh token is good for one refresh: the answer's new one replaces it
    /// (OAuth refresh-token rotation), so a client that forgets it cannot refresh again.
    public var rotatesRefreshTokens: Bool {
        get { rotation.current }
        set { rotation.withLock { $0 = newValue } }
    }
    /// Custom property definitions per type (mirrored in the store's extras for persistence).
    let customDefinitions = Locked<[String: [JSONValue]]>([:])
    /// First numeric id handed out (ids exceed 32 bits, like HubSpot's).
    let idBase: Int64 = 30_000_000_000
    /// HubSpot's search cap.
    public static let searchCap = 10_000

    /// Published defaults (Free/Starter): 100 per 10 s, 250,000 per day, search 5 per second.
    public static let defaultLimits = [
        RateLimit(name: "TEN_SECONDLY_ROLLING", limit: 100, windowMs: 10_000),
        RateLimit(name: "DAILY", limit: 250_000, windowMs: 86_400_000),
        RateLimit(name: "SECONDLY", limit: 5, windowMs: 1_000, pathFilter: "/search"),
    ]

    public init(seed: UInt64 = 2, credentials: EmulatorCredentials? = nil, clock: EmulatorClock = EmulatorClock(),
                limits: [RateLimit] = HubSpotEmulator.defaultLimits) {
        control = EmulatorControl(
            store: RecordStore(clock: clock), rateLimiter: RateLimiter(limits: limits),
            credentials: credentials ?? EmulatorCredentials(clientID: "hs-client-id", clientSecret: "hs-client-secret", staticToken: "pat-na1-emulator-static-token"),
            seed: seed)
        webhooks = WebhookDispatcher(control: control, policy: .hubspot, events: HubSpotWebhooks.events, batch: HubSpotWebhooks.batch)
    }

    public var driverProfile: DriverProfile { .hubspot(self) }

    public func isMetered(path: String) -> Bool { path.hasPrefix("/crm/") }

    public func errorResponse(status: Int, message: String) -> EmulatorResponse {
        let category = status == 401 ? "INVALID_AUTHENTICATION" : status == 404 ? "OBJECT_NOT_FOUND" : status >= 500 ? "INTERNAL_ERROR" : "VALIDATION_ERROR"
        return HubSpotError(status: status, category: category, message: message).response
    }

    public func throttledResponse(exceeded: RateUsage?) -> EmulatorResponse {
        let policy = exceeded?.limit.name ?? "TEN_SECONDLY_ROLLING"
        let message = policy == "DAILY" ? "You have reached your daily limit." : "You have reached your \(policy.lowercased()) limit."
        let retry = max(1, Int(((exceeded?.resetInMs ?? 1000) + 999) / 1000))
        return .json(429, [
            "status": "error", "message": .string(message), "errorType": "RATE_LIMIT", "category": "RATE_LIMITS",
            "policyName": .string(policy), "correlationId": .string(UUID().uuidString.lowercased()),
            "requestId": .string(UUID().uuidString.lowercased()), "links": [:],
        ], headers: [("Retry-After", String(retry))])
    }

    public func decorate(_ response: inout EmulatorResponse, usage: [RateUsage]) {
        for item in usage {
            switch item.limit.name {
            case "TEN_SECONDLY_ROLLING":
                response.setHeader("X-HubSpot-RateLimit-Interval-Milliseconds", String(item.limit.windowMs))
                response.setHeader("X-HubSpot-RateLimit-Max", String(item.limit.limit))
                response.setHeader("X-HubSpot-RateLimit-Remaining", String(item.remaining))
            case "DAILY":
                response.setHeader("X-HubSpot-RateLimit-Daily", String(item.limit.limit))
                response.setHeader("X-HubSpot-RateLimit-Daily-Remaining", String(item.remaining))
            default:
                response.setHeader("X-HubSpot-RateLimit-Secondly", String(item.limit.limit))
                response.setHeader("X-HubSpot-RateLimit-Secondly-Remaining", String(item.remaining))
            }
        }
    }

    public func route(_ request: EmulatorRequest) async -> EmulatorResponse {
        let s = request.segments
        if s.first == "oauth" { return token(request) }
        guard control.isValidToken(request.bearerToken ?? request.header("private-app")) else {
            return HubSpotError(status: 401, category: "INVALID_AUTHENTICATION",
                                message: "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview").response
        }
        do {
            guard s.count >= 3, s[0] == "crm" else { throw HubSpotError.notFound() }
            if s[1] == "objects", s[2].count == 7, s[2].dropFirst(4).first == "-" {
                return try objects(request, rest: Array(s.dropFirst(3)))  // date-versioned twin: /crm/objects/2026-03/...
            }
            switch (s[1], s[2]) {
            case ("v3", "objects"): return try objects(request, rest: Array(s.dropFirst(3)))
            case ("v3", "properties"): return try propertiesRoute(request, rest: Array(s.dropFirst(3)))
            case ("v3", "pipelines"): return pipelines(request, rest: Array(s.dropFirst(3)))
            case ("v4", "objects"): return try associationsRoute(request, rest: Array(s.dropFirst(3)))
            case ("v4", "associations"): return try associationBatch(request, rest: Array(s.dropFirst(3)))
            default: throw HubSpotError.notFound()
            }
        } catch let error as HubSpotError {
            return error.response
        } catch {
            return HubSpotError(status: 500, category: "INTERNAL_ERROR", message: "\(error)").response
        }
    }

    /// Allocates the next numeric-string id.
    func newID(_ tx: inout StoreTransaction) -> String { String(idBase + tx.nextCounter()) }

    func objectType(_ segment: String) throws -> String {
        guard let type = HubSpotSchema.objectType(segment) else {
            throw HubSpotError(status: 400, category: "VALIDATION_ERROR", message: "Unable to infer object type from: \(segment)")
        }
        return type
    }
}
