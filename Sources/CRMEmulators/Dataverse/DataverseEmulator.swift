import Foundation

/// Emulated Dataverse Web API (`/api/data/v9.x/`) with an Entra-style token endpoint.
public final class DataverseEmulator: CRMEmulator {
    public let name = "dynamics"
    public let control: EmulatorControl
    /// Sends this CRM's webhooks to the target set over `/__admin/webhooks`.
    public let webhooks: WebhookDispatcher
    static let apiRoot = "/api/data/v9.2"

    /// Published service-protection limit: 6000 requests per 5-minute sliding window.
    public static let defaultLimits = [RateLimit(name: "0x80072322", limit: 6000, windowMs: 300_000)]

    public init(seed: UInt64 = 3, credentials: EmulatorCredentials? = nil, clock: EmulatorClock = EmulatorClock(precisionMs: 1000),
                limits: [RateLimit] = DataverseEmulator.defaultLimits) {
        control = EmulatorControl(
            store: RecordStore(clock: clock), rateLimiter: RateLimiter(limits: limits),
            credentials: credentials ?? EmulatorCredentials(clientID: "dv-client-id", clientSecret: "dv-client-secret", staticToken: "dv-static-token"),
            seed: seed)
        webhooks = WebhookDispatcher(control: control, policy: .dataverse, formatter: DataverseWebhooks.messages)
    }

    public var driverProfile: DriverProfile { .dynamics(self) }

    public func isMetered(path: String) -> Bool { path.hasPrefix("/api/data") }

    public func errorResponse(status: Int, message: String) -> EmulatorResponse {
        DataverseError(status: status, code: status >= 500 ? "0x80040216" : "0x80040203", message: message).response
    }

    public func throttledResponse(exceeded: RateUsage?) -> EmulatorResponse {
        let retry = max(1, Int(((exceeded?.resetInMs ?? 5000) + 999) / 1000))
        var response = DataverseError(status: 429, code: "0x80072322",
            message: "Number of requests exceeded the limit of \(exceeded?.limit.limit ?? 6000) over time window of \((exceeded?.limit.windowMs ?? 300_000) / 1000) seconds.").response
        response.setHeader("Retry-After", String(retry))
        return response
    }

    public func decorate(_ response: inout EmulatorResponse, usage: [RateUsage]) {
        guard let usage = usage.first else { return }
        response.setHeader("x-ms-ratelimit-burst-remaining-xrm-requests", String(usage.remaining))
        response.setHeader("x-ms-ratelimit-time-remaining-xrm-requests", "1200000.00")
    }

    public func route(_ request: EmulatorRequest) async -> EmulatorResponse {
        let s = request.segments
        if s.count >= 3, s.suffix(3) == ["oauth2", "v2.0", "token"] { return token(request) }
        guard s.count >= 3, s[0] == "api", s[1] == "data", s[2].hasPrefix("v9") else {
            return DataverseError(status: 404, code: "0x80060888", message: "Resource not found for the segment '\(s.first ?? "")'.").response
        }
        guard control.isValidToken(request.bearerToken) else {
            return EmulatorResponse(status: 401, headers: [
                ("WWW-Authenticate", "Bearer authorization_uri=\(Self.origin(request))/common/oauth2/authorize, resource_id=\(Self.origin(request))"),
            ])
        }
        return handleAPI(request, rest: Array(s.dropFirst(3)))
    }

    /// Answers an authenticated API request (also used for the parts of a `$batch`).
    func handleAPI(_ request: EmulatorRequest, rest: [String]) -> EmulatorResponse {
        do {
            guard let first = rest.first else { return .json(200, ["value": .array(DataverseSchema.entities.map { ["name": .string($0.entitySet), "kind": "EntitySet", "url": .string($0.entitySet)] })]) }
            let (name, key) = Self.splitKey(first)
            switch name {
            case "$batch": return try batch(request)
            case "WhoAmI": return .json(200, ["BusinessUnitId": "00000000-0000-0000-0000-0000000000b1", "UserId": .string(Self.applicationUser), "OrganizationId": "00000000-0000-0000-0000-0000000000c1"])
            case "EntityDefinitions": return try metadata(request, key: key, rest: Array(rest.dropFirst()))
            case "RetrieveRecordChangeHistory": return try recordChangeHistory(request)
            default:
                guard let entity = DataverseSchema.entity(set: name) else {
                    throw DataverseError(status: 404, code: "0x80060888", message: "Resource not found for the segment '\(name)'.")
                }
                if let key { return try single(request, entity: entity, key: key) }
                if rest.count == 2, rest[1] == "$count" {
                    return .text(200, String(control.store.all(entity.logicalName).count), contentType: "text/plain")
                }
                switch request.method {
                case "GET": return try collection(request, entity: entity)
                case "POST": return try create(request, entity: entity)
                default: throw DataverseError(status: 405, code: "0x80060888", message: "The requested resource does not support http method '\(request.method)'.")
                }
            }
        } catch let error as DataverseError {
            return error.response
        } catch let error as ODataFilterError {
            return DataverseError.badRequest(error.message).response
        } catch {
            return DataverseError(status: 500, code: "0x80040216", message: "\(error)").response
        }
    }

    /// The emulator's application user (webhook `UserId`).
    /// The systemuser id of the API's application user (WhoAmI, InitiatingUserId of API writes).
    public static let applicationUser = "75c2bd34-0000-4000-8000-00000000a0a0"

    /// `contacts(guid)` -> ("contacts", "guid").
    static func splitKey(_ segment: String) -> (String, String?) {
        guard let open = segment.firstIndex(of: "("), segment.hasSuffix(")") else { return (segment, nil) }
        return (String(segment[..<open]), String(segment[segment.index(after: open)..<segment.index(before: segment.endIndex)]))
    }

    static func origin(_ request: EmulatorRequest) -> String { "http://\(request.header("host") ?? "127.0.0.1")" }

    /// A GUID derived from the emulator's seeded generator.
    func newGUID() -> String {
        let a = control.randomWord(), b = control.randomWord()
        let hex = String(format: "%016llx%016llx", a, b)
        let c = Array(hex)
        return "\(String(c[0..<8]))-\(String(c[8..<12]))-4\(String(c[13..<16]))-8\(String(c[17..<20]))-\(String(c[20..<32]))"
    }

    /// `Prefer` header values, split at commas outside quotes
    /// (`odata.include-annotations="a,b"` stays one value).
    static func preferences(_ request: EmulatorRequest) -> [String] {
        var out: [String] = [], current = "", quoted = false
        for c in request.header("prefer") ?? "" {
            if c == "\"" { quoted.toggle() }
            if c == ",", !quoted { out.append(current); current = ""; continue }
            current.append(c)
        }
        out.append(current)
        return out.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The annotations the request asked for.
    static func annotations(_ request: EmulatorRequest) -> DataverseAnnotations {
        DataverseAnnotations(preferences: preferences(request))
    }
}
