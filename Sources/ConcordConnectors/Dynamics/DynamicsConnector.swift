import ConcordCore
import ConcordHTTP
import ConcordMapping
import Foundation

/// A Dynamics 365 / Dataverse environment as a Concord replica, over the Web API
/// (`{baseURL}/api/data/v9.2`).
///
/// Authenticates with OAuth client credentials (`client_id`, `client_secret`) against the
/// configured token URL and scope `{baseURL}/.default`; pulls with change tracking
/// (`@odata.deltaLink`), falling back to `modifiedon` when a delta token expired; pushes
/// through `$batch` change sets and alternate-key upserts; counts its calls by kind.
///
/// ```swift
/// let dv = DynamicsConnector(config: config, http: ResilientHTTPClient(wrapping: CurlHTTPClient(), clock: ContinuousClock()))
/// let page = try await dv.pull(PullRequest(object: "contacts", fields: ["lastname", "_parentcustomerid_value"], cursor: nil))
/// ```
public actor DynamicsConnector: CRMConnector {
    /// The replica name from the configuration.
    public nonisolated let name: String
    /// Always ``CRMKind/dynamics``.
    public nonisolated let kind: CRMKind = .dynamics
    /// A `$batch` carries up to 1,000 requests.
    public nonisolated let pushBatchSize = 1000
    /// Pages go up to 5,000 rows.
    public nonisolated let pullPageSize = 5000

    let config: CRMConfig
    let http: any HTTPClient
    let wallClock: WallClock
    let options: DynamicsOptions
    let credentials: ConnectorCredentials
    let sleep: @Sendable (UInt64) async -> Void
    private var token: (value: String, expiresAt: UInt64)?
    private var pendingAuth: Task<Result<(value: String, expiresAt: UInt64), ConnectorError>, Never>?
    private var calls: [String: Int] = [:]
    /// Tables whose audit history the org refused (auditing off, or no privilege): not asked again.
    var withoutAudit: Set<String> = []

    /// Creates a connector; nothing is sent until the first call.
    /// - Parameters:
    ///   - http: the HTTP stack (normally a ``ResilientHTTPClient`` around ``CurlHTTPClient``).
    ///   - wallClock: Unix time, for token expiry and the `modifiedon` fallback.
    ///   - sleep: waits the given milliseconds; used to honour `Retry-After` on requests the
    ///     HTTP stack may not resend itself (a 429 means nothing was done).
    ///   - environment: where `env:` credentials are read (the process environment by default).
    public init(config: CRMConfig, http: any HTTPClient, wallClock: WallClock = SalesforceConnector.systemClock,
                options: DynamicsOptions = DynamicsOptions(),
                sleep: @escaping @Sendable (UInt64) async -> Void = { try? await Task.sleep(nanoseconds: $0 * 1_000_000) },
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.name = config.name
        self.config = config
        self.http = http
        self.wallClock = wallClock
        self.options = options
        self.sleep = sleep
        self.credentials = ConnectorCredentials(crm: config.name, sources: config.credentials, environment: environment)
    }

    /// API calls made so far, by kind (`auth`, `pull`, `fetch`, `find`, `push`).
    public func apiCalls() async -> APICallCounts { APICallCounts(byKind: calls) }

    /// `{baseURL}/api/data/{version}`.
    var apiBase: String { SalesforceAuth.trimmed(config.baseURL) + "/api/data/" + options.apiVersion }

    /// Sends an authenticated call counted as `kind`, with the OData headers. A 401 replaces
    /// the token once; a 429 (or a throttle the HTTP stack gave up on) is waited out per
    /// `Retry-After` up to ``DynamicsOptions/maxThrottleWaitMillis``. Other statuses are
    /// returned for the caller to interpret.
    func send(_ kind: APICallKind, _ request: HTTPRequest) async throws(ConnectorError) -> HTTPResponse {
        var request = request
        request.headers.replaceOrAdd(name: "Accept", value: "application/json")
        request.headers.replaceOrAdd(name: "OData-MaxVersion", value: "4.0")
        request.headers.replaceOrAdd(name: "OData-Version", value: "4.0")
        if let caller = options.callerID, request.method != .get { request.headers.replaceOrAdd(name: "MSCRMCallerID", value: caller) }
        var waited: UInt64 = 0
        var refreshed = false
        for _ in 0..<20 {
            let current = try await validToken(rejecting: nil)
            request.headers.replaceOrAdd(name: "Authorization", value: "Bearer " + current)
            calls[kind.rawValue, default: 0] += 1
            var throttle: UInt64?
            do {
                let response = try await http.send(request)
                if response.status == 401, !refreshed {
                    refreshed = true
                    _ = try await validToken(rejecting: current)
                    continue
                }
                if response.status != 429 { return response }
                let error = DynamicsErrors.error(status: 429, headers: response.headers, body: response.body, crm: name)
                throttle = error.retryAfterMillis
                if waited + (throttle ?? 0) > options.maxThrottleWaitMillis { throw error }
            } catch let error as HTTPClientError {
                let mapped = ConnectorError.transport(error, crm: name)
                guard mapped.code == .rateLimited, let wait = mapped.retryAfterMillis, waited + wait <= options.maxThrottleWaitMillis else {
                    throw mapped
                }
                throttle = wait
            } catch let error as ConnectorError {
                throw error
            } catch {
                throw ConnectorError(.permanent, crm: name, message: "\(error)")
            }
            let wait = throttle ?? 1000
            waited += wait
            await sleep(wait)
        }
        throw ConnectorError(.rateLimited, crm: name, message: "still throttled after repeated waits", retryAfterMillis: 5000)
    }

    /// A token that is not about to expire and is not `rejecting` (the one a 401 refused).
    private func validToken(rejecting: String?) async throws(ConnectorError) -> String {
        let now = wallClock.nowMillis()
        if let token, token.value != rejecting, now + options.refreshMarginMillis < token.expiresAt { return token.value }
        if rejecting != nil, token?.value == rejecting { token = nil }
        if let pendingAuth { return try await pendingAuth.value.get().value }
        let task = Task { await self.authenticate() }
        pendingAuth = task
        let result = await task.value
        pendingAuth = nil
        if case .success(let fresh) = result { token = fresh }
        return try result.get().value
    }

    /// When a token answered at `nowMillis` expires (Unix ms): its `expires_in` seconds
    /// later, or an hour when the answer gives none.
    static func tokenExpiry(_ json: ExactJSON?, nowMillis: UInt64) -> UInt64 {
        let lifetime = json?["expires_in"]?.textValue.flatMap { UInt64($0) } ?? 3600
        return nowMillis.addingSeconds(lifetime)
    }

    private func authenticate() async -> Result<(value: String, expiresAt: UInt64), ConnectorError> {
        do throws(ConnectorError) {
            guard let url = config.tokenURL else {
                throw ConnectorError(.authentication, crm: name, message: "no token URL is configured for Dataverse client credentials")
            }
            let form: [(name: String, value: String)] = [
                ("grant_type", "client_credentials"), ("client_id", try credentials.required("client_id")),
                ("client_secret", try credentials.required("client_secret")),
                ("scope", options.scope ?? SalesforceAuth.trimmed(config.baseURL) + "/.default"),
            ]
            var request = HTTPRequest(method: .post, url: url, body: Array(URLText.queryString(form).utf8), isSafeToRetry: true)
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            calls[APICallKind.auth.rawValue, default: 0] += 1
            let response: HTTPResponse
            do { response = try await http.send(request) } catch { throw ConnectorError.transport(error, crm: name) }
            let json = response.exactJSON
            guard response.isSuccess, let value = json?["access_token"]?.stringValue else {
                throw ConnectorError(response.status >= 500 ? .transient : .authentication, crm: name, status: response.status,
                                     crmCode: json?["error"]?.stringValue,
                                     message: json?["error_description"]?.stringValue ?? "the token endpoint refused the credentials")
            }
            return .success((value, Self.tokenExpiry(json, nowMillis: wallClock.nowMillis())))
        } catch {
            return .failure(error)
        }
    }
}
