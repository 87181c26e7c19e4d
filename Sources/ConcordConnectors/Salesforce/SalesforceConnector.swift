import ConcordCore
import ConcordHTTP
import ConcordMapping
import Foundation

/// A Salesforce org as a Concord replica, over the REST API (`/services/data/vNN.N`).
///
/// Authenticates with the OAuth client-credentials flow (credentials `client_id`,
/// `client_secret`) or the JWT bearer flow (`client_id`, `username`, and `private_key` or
/// `private_key_file`), then talks to the returned `instance_url`. Pulls `queryAll` on
/// `SystemModstamp, Id`; pushes through sObject Collections; counts its calls by kind.
///
/// ```swift
/// let sf = SalesforceConnector(config: config, http: ResilientHTTPClient(wrapping: CurlHTTPClient(), clock: ContinuousClock()))
/// let page = try await sf.pull(PullRequest(object: "Contact", fields: ["LastName", "Email"], cursor: nil))
/// ```
public actor SalesforceConnector: CRMConnector {
    /// The replica name from the configuration.
    public nonisolated let name: String
    /// Always ``CRMKind/salesforce``.
    public nonisolated let kind: CRMKind = .salesforce
    /// sObject Collections take 200 records per call.
    public nonisolated let pushBatchSize = 200
    /// A query page holds up to 2,000 records.
    public nonisolated let pullPageSize = 2000
    /// Updates are conditional on the `LastModifiedDate` of the engine's last read; reading
    /// just before writing keeps that read recent, so a conflict is rare.
    public nonisolated var readsBeforeUpdating: Bool { true }

    let config: CRMConfig
    let http: any HTTPClient
    let wallClock: WallClock
    let options: SalesforceOptions
    let credentials: ConnectorCredentials
    let sleep: @Sendable (UInt64) async -> Void
    private var session: SalesforceSession?
    private var pendingAuth: Task<Result<SalesforceSession, ConnectorError>, Never>?
    private var calls: [String: Int] = [:]
    private var usage: (used: Int, max: Int)?
    /// What each record showed when last read, to tell when its whole-second
    /// `LastModifiedDate` can guard a write (``SalesforceObservation``).
    var observed: [String: SalesforceObservation] = [:]
    /// History objects the org refused (field history not enabled there): not asked again.
    var withoutHistory: Set<String> = []
    /// Elapsed time between reads (not wall time: the org's clock may differ from ours).
    let monotonic = ContinuousClock()

    /// Creates a connector; nothing is sent until the first call.
    /// - Parameters:
    ///   - http: the HTTP stack (normally a ``ResilientHTTPClient`` around ``CurlHTTPClient``).
    ///   - wallClock: Unix time, for token expiry, JWT `exp` and delete-log checks.
    ///   - sleep: waits the given milliseconds, to wait out a throttle the HTTP stack did
    ///     not retry itself (a throttled call did nothing, so it is safe to send again).
    ///   - environment: where `env:` credentials are read (the process environment by default).
    public init(config: CRMConfig, http: any HTTPClient, wallClock: WallClock = SalesforceConnector.systemClock,
                options: SalesforceOptions = SalesforceOptions(),
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

    /// The system's wall clock.
    public static let systemClock = WallClock.system

    /// API calls made so far, by kind (`auth`, `pull`, `fetch`, `find`, `push`).
    public func apiCalls() async -> APICallCounts { APICallCounts(byKind: calls) }

    /// The org's daily API usage as last reported in `Sforce-Limit-Info` (`used`, `max`).
    public func apiUsage() -> (used: Int, max: Int)? { usage }

    /// `{instance_url}/services/data/{version}`.
    func apiBase(_ session: SalesforceSession) -> String {
        session.instanceURL + "/services/data/" + options.apiVersion
    }

    /// Sends an authenticated API call, counting it as `kind`. On 401 the token is replaced
    /// once and the call sent again; a second 401 is an authentication error. Any other
    /// status is returned for the caller to interpret.
    func send(_ kind: APICallKind, _ build: (SalesforceSession) -> HTTPRequest) async throws(ConnectorError) -> HTTPResponse {
        var current = try await validSession(rejecting: nil)
        var response = try await transmit(kind, build(current), session: current)
        if response.status == 401 {
            current = try await validSession(rejecting: current.accessToken)
            response = try await transmit(kind, build(current), session: current)
            if response.status == 401 {
                var error = SalesforceErrors.responseError(response, crm: name)
                error.code = .authentication
                throw error
            }
        }
        return response
    }

    private func transmit(_ kind: APICallKind, _ request: HTTPRequest, session: SalesforceSession) async throws(ConnectorError) -> HTTPResponse {
        var request = request
        request.headers.replaceOrAdd(name: "Authorization", value: "Bearer " + session.accessToken)
        if !request.headers.contains(name: "Accept") { request.headers.add(name: "Accept", value: "application/json") }
        request.headers.replaceOrAdd(name: "Sforce-Call-Options", value: "client=" + options.callOptionsClient)
        var waited: UInt64 = 0
        for _ in 0..<20 {
            calls[kind.rawValue, default: 0] += 1
            let wait: UInt64
            do {
                let response = try await http.send(request)
                if let info = response.headers["Sforce-Limit-Info"], let parsed = RateLimitSignals.parseSalesforceUsage(info) {
                    usage = parsed
                }
                guard response.status == 403 || response.status == 429 else { return response }
                let error = SalesforceErrors.responseError(response, crm: name)
                guard error.code == .rateLimited else { return response }
                wait = error.retryAfterMillis ?? 1000
            } catch {
                let mapped = ConnectorError.transport(error, crm: name)
                guard mapped.code == .rateLimited else { throw mapped }
                wait = mapped.retryAfterMillis ?? 1000
            }
            guard waited + wait <= options.maxThrottleWaitMillis else {
                throw ConnectorError(.rateLimited, crm: name, message: "still throttled after waiting \(waited) ms", retryAfterMillis: wait)
            }
            waited += wait
            await sleep(wait)
        }
        throw ConnectorError(.rateLimited, crm: name, message: "still throttled after repeated waits", retryAfterMillis: 1000)
    }

    /// A token that is not about to expire and is not `rejecting` (the one a 401 refused).
    private func validSession(rejecting: String?) async throws(ConnectorError) -> SalesforceSession {
        let now = wallClock.nowMillis()
        if let session, session.accessToken != rejecting, now + options.refreshMarginMillis < session.expiresAt {
            return session
        }
        if rejecting != nil, session?.accessToken == rejecting { session = nil }
        if let pendingAuth { return try await pendingAuth.value.get() }
        let task = Task { await self.authenticate() }
        pendingAuth = task
        let result = await task.value
        pendingAuth = nil
        if case .success(let fresh) = result { session = fresh }
        return try result.get()
    }

    private func authenticate() async -> Result<SalesforceSession, ConnectorError> {
        do throws(ConnectorError) {
            let request = try SalesforceAuth.tokenRequest(config: config, credentials: credentials, options: options,
                                                          nowMillis: wallClock.nowMillis())
            calls[APICallKind.auth.rawValue, default: 0] += 1
            let response: HTTPResponse
            do { response = try await http.send(request) } catch { throw ConnectorError.transport(error, crm: name) }
            return .success(try SalesforceAuth.session(from: response, config: config, options: options,
                                                       nowMillis: wallClock.nowMillis()))
        } catch {
            return .failure(error)
        }
    }
}
