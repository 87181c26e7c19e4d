import ConcordHTTP
import ConcordMapping
import Foundation

/// HubSpot CRM v3/v4 as a Concord replica.
///
/// Authenticates with a private-app token (`credentials.token`) or OAuth refresh
/// (`client_id`, `client_secret`, `refresh_token`, token endpoint `tokenURL` or
/// `{baseURL}/oauth/v1/token`), refreshing proactively from `expires_in` and once more on a 401.
/// Pulls with CRM search on the last-modified property, reads deletes from the archived
/// listing, pushes with the batch endpoints (100 per call), and stores references as
/// associations (see ``HubSpotAssociationField``).
///
/// Design notes:
/// - Every search uses one sort (HubSpot documents one sorting rule per search) and keyset
///   filters instead of `after` paging, so the 10,000-result cap is never reached and
///   records moving during a pull cannot shift a page boundary. Records sharing a timestamp
///   beyond a page are drained in `hs_object_id` order. Cost: one search per page, plus one
///   extra search per run of more than a page of records with one timestamp.
/// - Cursor watermarks come from HubSpot's own clock (record timestamps, the `Date` header),
///   never the local clock; records newer than the local clock less
///   ``HubSpotOptions/settleMillis`` wait for the next pull.
/// - Deletes come from the archived listing, scanned whole once per pull cycle (HubSpot cannot
///   filter it by time): one call per 100 archived records. The first cycle of a full pull
///   reports only records archived after it started.
/// - Own writes: HubSpot takes no per-request source marker; the connector sends
///   `User-Agent: concord-hubspot-connector`, and HubSpot itself records the app (its
///   `sourceId`) in `propertiesWithHistory`.
///
/// ```swift
/// let hubspot = try HubSpotConnector(config: config, http: ResilientHTTPClient(wrapping: CurlHTTPClient(), clock: ContinuousClock()))
/// let page = try await hubspot.pull(PullRequest(object: "contacts", fields: ["email", "firstname"], cursor: nil))
/// ```
public struct HubSpotConnector: CRMConnector {
    public let name: String
    public var kind: CRMKind { .hubspot }
    /// HubSpot's batch endpoints take 100 inputs.
    public let pushBatchSize = 100
    /// Search pages carry up to 199 records: HubSpot's search returns at most 200, and each
    /// page reads one record more than it returns, to know where a timestamp ends.
    public let pullPageSize = 199

    /// Changes younger than this wait for the next pull (HubSpot's search index settling).
    public nonisolated var settleMillis: UInt64 { options.settleMillis }
    /// HubSpot has no conditional writes and its search lags: read before updating (and check
    /// the history after: ``attachPreceding(object:inputs:results:)``).
    public nonisolated var readsBeforeUpdating: Bool { true }

    let baseURL: String
    let http: any HTTPClient
    let options: HubSpotOptions
    let session: HubSpotSession

    /// A connector for `config`, sending through `http`.
    /// - Throws: ``ConnectorError`` (`authentication`) when the credentials are missing or an
    ///   environment variable they name is unset.
    public init(config: CRMConfig, http: any HTTPClient, options: HubSpotOptions = HubSpotOptions(),
                environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConnectorError) {
        name = config.name
        var base = config.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        baseURL = base
        self.http = http
        self.options = options
        func secret(_ key: String) throws(ConnectorError) -> String? {
            switch config.credentials[key] {
            case nil: return nil
            case .literal(let value)?: return value
            case .environment(let variable)?:
                guard let value = environment[variable], !value.isEmpty else {
                    throw ConnectorError(.authentication, crm: config.name,
                                         message: "credential \(key) names environment variable \(variable), which is not set")
                }
                return value
            }
        }
        let mode: HubSpotAuthMode
        if let token = try secret("token") {
            mode = .privateApp(token)
        } else if let refresh = try secret("refresh_token"), let id = try secret("client_id"), let clientSecret = try secret("client_secret") {
            mode = .oauth(tokenURL: config.tokenURL ?? base + "/oauth/v1/token", clientID: id, clientSecret: clientSecret, refreshToken: refresh)
        } else {
            throw ConnectorError(.authentication, crm: config.name,
                                 message: "HubSpot needs credentials.token (private app) or client_id, client_secret and refresh_token (OAuth)")
        }
        session = HubSpotSession(mode: mode, http: http, options: options, crm: config.name)
    }

    public func apiCalls() async -> APICallCounts { await session.snapshot() }

    /// Sends one API call of `kind` and returns the status, the parsed body and HubSpot's
    /// clock from the `Date` header (Unix ms, floored to the second).
    ///
    /// Waits out 429s (up to ``HubSpotOptions/maxThrottleRetries``; a 429 means HubSpot did
    /// nothing, so even a create is safe to send again), refreshes an OAuth token once on a
    /// 401, and maps every failure to ``ConnectorError``.
    func call(_ kind: String, _ method: HTTPMethod, _ path: String, query: [(name: String, value: String)] = [],
              body: ExactJSON? = nil, readOnly: Bool = false) async throws(ConnectorError) -> (status: Int, json: ExactJSON?, serverMillis: Int64?) {
        var refreshed = false
        var throttled = 0
        while true {
            if path.hasSuffix("/search") { await session.paceSearch() }
            let token = try await session.token()
            var request = HTTPRequest(method: method, url: baseURL + path, query: query,
                                      headers: ["Authorization": "Bearer \(token)", "Accept": "application/json",
                                                "User-Agent": "concord-hubspot-connector"],
                                      body: body?.serialized, isSafeToRetry: readOnly)
            if body != nil { request.headers.add(name: "Content-Type", value: "application/json") }
            await session.count(kind)
            let failure: ConnectorError
            do {
                let response = try await http.send(request)
                let date = response.headers["Date"].flatMap(HTTPDate.unixMillis)
                if let date { await session.noteServerTime(date, localMillis: options.wallClock.nowMillis()) }
                if response.isSuccess {
                    guard !response.body.isEmpty else { return (response.status, nil, date) }
                    do { return (response.status, try ExactJSON.parse(response.body), date) } catch {
                        throw HubSpotErrors.malformed("\(error)", crm: name, status: response.status)
                    }
                }
                failure = HubSpotErrors.error(from: response, crm: name)
            } catch let error as HTTPClientError {
                failure = HubSpotErrors.error(from: error, crm: name)
            } catch let error as ConnectorError {
                throw error
            } catch {
                throw ConnectorError(.transient, crm: name, message: "\(error)")
            }
            if failure.code == .authentication, failure.status == 401, !refreshed, await session.canRefresh {
                refreshed = true
                await session.invalidate()
                continue
            }
            if failure.code == .rateLimited, throttled < options.maxThrottleRetries {
                throttled += 1
                await options.sleep(min(options.maxThrottleWaitMillis, failure.retryAfterMillis ?? 1000))
                continue
            }
            throw failure
        }
    }

    /// `/crm/v3/objects/{object}` with `suffix`.
    func objectPath(_ object: String, _ suffix: String = "") -> String {
        "/crm/v3/objects/" + object + suffix
    }
}
