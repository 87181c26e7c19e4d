import ConcordHTTP
import ConcordMapping

/// How the connector authenticates.
enum HubSpotAuthMode: Sendable {
    /// A private-app (static) token: no refresh cycle.
    case privateApp(String)
    /// OAuth: refresh tokens at `tokenURL` with the client credentials.
    case oauth(tokenURL: String, clientID: String, clientSecret: String, refreshToken: String)
}

/// The mutable part of a connector: the access token, its expiry, the search pacing and the
/// API-call counts. Secrets live only here and in requests, never in descriptions or errors.
actor HubSpotSession {
    private let mode: HubSpotAuthMode
    private let http: any HTTPClient
    private let options: HubSpotOptions
    private let crm: String
    private var accessToken: String?
    private var expiresAt: UInt64 = 0
    private var refreshToken: String?
    private var counts: [String: Int] = [:]
    private var nextSearchAt: UInt64 = 0
    /// HubSpot's clock minus ours (ms), from the last answer's `Date`.
    private(set) var serverOffsetMillis: Int64 = 0

    init(mode: HubSpotAuthMode, http: any HTTPClient, options: HubSpotOptions, crm: String) {
        self.mode = mode
        self.http = http
        self.options = options
        self.crm = crm
        if case .oauth(_, _, _, let refresh) = mode {
            refreshToken = options.vault?.current(Self.vaultName(crm), configured: refresh) ?? refresh
        }
    }

    /// The vault's name for this CRM's refresh token.
    static func vaultName(_ crm: String) -> String { "\(crm).oauth.refresh_token" }

    /// Whether a 401 may be cured by fetching a new token.
    var canRefresh: Bool { if case .oauth = mode { return true } else { return false } }

    /// Counts one API call of `kind`.
    func count(_ kind: String) { counts[kind, default: 0] += 1 }

    /// Notes HubSpot's clock from an answer's `Date` (whole seconds: taken as mid-second).
    func noteServerTime(_ serverMillis: Int64, localMillis: UInt64) {
        serverOffsetMillis = serverMillis + 500 - Int64(clamping: localMillis)
    }

    /// The calls made so far.
    func snapshot() -> APICallCounts { APICallCounts(byKind: counts) }

    /// Waits until a search call may go out (at most `searchRequestsPerSecond`).
    func paceSearch() async {
        let spacing = UInt64(1000 / max(0.001, options.searchRequestsPerSecond))
        let now = options.monotonicMillis()
        let slot = max(now, nextSearchAt)
        nextSearchAt = slot + spacing
        if slot > now { await options.sleep(slot - now) }
    }

    /// A valid access token, refreshed first when it is about to expire or `force` is set.
    func token(force: Bool = false) async throws(ConnectorError) -> String {
        switch mode {
        case .privateApp(let token):
            return token
        case .oauth(let url, let clientID, let secret, _):
            let now = options.wallClock.nowMillis()
            if !force, let token = accessToken, now + options.tokenRefreshMarginMillis < expiresAt { return token }
            return try await refresh(url: url, clientID: clientID, secret: secret, now: now)
        }
    }

    private func refresh(url: String, clientID: String, secret: String, now: UInt64) async throws(ConnectorError) -> String {
        let form = [("grant_type", "refresh_token"), ("client_id", clientID), ("client_secret", secret),
                    ("refresh_token", refreshToken ?? "")]
            .map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")
        let request = HTTPRequest(method: .post, url: url,
                                  headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"],
                                  body: Array(form.utf8), isSafeToRetry: true)
        count("auth")
        let response: HTTPResponse
        do { response = try await http.send(request) } catch { throw HubSpotErrors.error(from: error, crm: crm) }
        guard response.isSuccess else {
            var failure = HubSpotErrors.error(from: response, crm: crm)
            if [400, 401, 403].contains(response.status) {
                failure.code = .authentication
                failure.message = "the OAuth refresh was refused: " + failure.message
            }
            throw failure
        }
        let token: HubSpotTokenResponse
        do { token = try HubSpotTokenResponse(json: try ExactJSON.parse(response.body)) } catch {
            throw HubSpotErrors.malformed("token response: \(error)", crm: crm, status: response.status)
        }
        accessToken = token.accessToken
        if let rotated = token.refreshToken, !rotated.isEmpty, rotated != refreshToken {
            refreshToken = rotated
            // Kept, so a restart does not offer HubSpot a token it no longer accepts.
            if case .oauth(_, _, _, let configured) = mode, let vault = options.vault {
                vault.saveCredential(Self.vaultName(crm), value: rotated, basis: type(of: vault).basis(of: configured))
            }
        }
        expiresAt = token.expiresAt(nowMillis: now)
        return token.accessToken
    }

    /// Forgets the access token so the next call refreshes it.
    func invalidate() { accessToken = nil }

    static func formEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
