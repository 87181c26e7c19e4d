import Foundation

/// Credentials an emulator accepts and hands out.
public struct EmulatorCredentials: Sendable, Codable, Equatable {
    public var clientID: String
    public var clientSecret: String
    /// A token accepted without a token call (HubSpot private-app token, Salesforce session id).
    public var staticToken: String

    public init(clientID: String, clientSecret: String, staticToken: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.staticToken = staticToken
    }
}

/// Where an emulator posts webhooks.
public struct WebhookTarget: Sendable, Codable, Equatable {
    public var url: String
    /// HubSpot client secret, Dataverse WebhookKey, the Salesforce change events' shared secret.
    public var secret: String?
    /// Salesforce only: `cdc` (change events, default) or `outbound` (SOAP outbound messages).
    public var format: String?
    /// Scale of the CRM's retry delays (default 0.01: HubSpot's first retry after a minute
    /// comes after 0.6 s), so tests and benchmarks see retries without waiting hours.
    public var retryTimeScale: Double?
    /// How long a delivery waits for its answer before it counts as failed (and is retried),
    /// seconds; the CRM's own timeout (HubSpot 5 s) when nil. Tests on a loaded machine set
    /// a long one, so a slow answer is not a retry they did not ask for.
    public var timeoutSeconds: Double?

    public init(url: String, secret: String? = nil, format: String? = nil, retryTimeScale: Double? = nil, timeoutSeconds: Double? = nil) {
        self.url = url
        self.secret = secret
        self.format = format
        self.retryTimeScale = retryTimeScale
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Mutable run-time controls shared by one emulator's handlers: store, faults, limits, tokens.
public final class EmulatorControl: Sendable {
    public let store: RecordStore
    public let rateLimiter: RateLimiter
    public let credentials: EmulatorCredentials
    private let faultState = Locked(FaultSettings())
    private let random: Locked<SeededRandom>
    private let issuedTokens = Locked<[String: Int64]>([:])
    private let webhook = Locked<WebhookTarget?>(nil)
    private let driver = Locked<(driver: HumanUserDriver?, task: Task<Void, Never>?)>((nil, nil))
    private let stalled = Locked<[ChangeEvent]>([])
    private let writeRequests = Locked<[String]>([])
    private let counters = Locked<(throttled: Int, failedItems: Int)>((0, 0))

    public init(store: RecordStore, rateLimiter: RateLimiter, credentials: EmulatorCredentials, seed: UInt64) {
        self.store = store
        self.rateLimiter = rateLimiter
        self.credentials = credentials
        self.random = Locked(SeededRandom(seed: seed ^ 0xFA17))
    }

    public var faults: FaultSettings { faultState.current }

    /// Applies a fault patch now (also the clock skew and rate-limit switches it carries).
    public func applyFaults(_ patch: FaultSettings.Patch) {
        let now = EmulatorClock.systemMillis()
        let updated = faultState.withLock { settings -> FaultSettings in
            settings.apply(patch, now: now)
            return settings
        }
        store.clock.skewMs = updated.clockSkewMs
        if let enabled = patch.rateLimitsEnabled { rateLimiter.enabled = enabled }
        if let limits = patch.rateLimits { rateLimiter.setLimits(limits) }
    }

    /// True with probability `p`, from the emulator's seeded fault generator.
    public func roll(_ p: Double) -> Bool { random.withLock { $0.chance(p) } }

    /// Whether the next batch item should fail with a transient error (counted when so).
    public func failBatchItem() -> Bool {
        let fail = roll(faults.partialBatchFailureRate)
        if fail { counters.withLock { $0.failedItems += 1 } }
        return fail
    }

    /// Batch items failed by `partialBatchFailureRate`, since the start.
    public var failedBatchItems: Int { counters.current.failedItems }

    /// Throttling answers given (storms, injected 429s and rate limits), since the start.
    public var throttledResponses: Int { counters.current.throttled }

    func countThrottled() { counters.withLock { $0.throttled += 1 } }

    /// Takes one request of a `throttleRequests` storm; false when none is left.
    func takeThrottledRequest() -> Bool {
        faultState.withLock { settings in
            guard settings.throttleRequests > 0 else { return false }
            settings.throttleRequests -= 1
            return true
        }
    }

    /// Draws from the emulator's generator (ids, tokens).
    public func randomWord() -> UInt64 { random.withLock { $0.next() } }

    /// Mints and remembers an access token valid for `lifetimeMs`.
    public func issueToken(prefix: String, lifetimeMs: Int64) -> String {
        let token = prefix + String(randomWord(), radix: 36) + String(randomWord(), radix: 36)
        let expiry = EmulatorClock.systemMillis() + lifetimeMs
        issuedTokens.withLock { $0[token] = expiry }
        return token
    }

    /// Accepts the static token and unexpired issued tokens.
    public func isValidToken(_ token: String?) -> Bool {
        guard let token else { return false }
        if token == credentials.staticToken { return true }
        let now = EmulatorClock.systemMillis()
        return issuedTokens.withLock { ($0[token] ?? 0) > now }
    }

    /// Forgets an issued token (refresh-token rotation).
    public func revokeToken(_ token: String) { _ = issuedTokens.withLock { $0.removeValue(forKey: token) } }

    public var webhookTarget: WebhookTarget? {
        get { webhook.current }
        set { webhook.withLock { $0 = newValue } }
    }

    /// Starts (replacing any running one) a human-user driver at `perSecond` operations.
    public func startDriver(_ newDriver: HumanUserDriver, perSecond: Double) {
        let task = newDriver.start(perSecond: perSecond)
        let old = driver.withLock { state -> Task<Void, Never>? in
            defer { state = (newDriver, task) }
            return state.task
        }
        old?.cancel()
    }

    /// Stops the driver; its log stays readable.
    public func stopDriver() {
        driver.withLock { $0.task }?.cancel()
    }

    /// API requests that committed at least one change, since the start.
    public var committedWriteRequests: Int { writeRequests.current.count }

    /// Those requests, in order, as `METHOD /path`.
    public var committedWriteLog: [String] { writeRequests.current }

    func countCommittedWriteRequest(_ request: EmulatorRequest) { writeRequests.withLock { $0.append(request.method + " " + request.path) } }

    /// Committed changes whose answers were held by `stallAfterCommitSeconds`, in the order
    /// the stalls began (each change once).
    public var stalledCommits: [ChangeEvent] { stalled.current }

    /// Holds the answer to a write request that committed `changes` while the stall fault is
    /// on and some change is of a stalled type and kind: records them, then waits until the
    /// stall is switched off, its time is up or the request's task is cancelled. Returns at
    /// once otherwise.
    func stallAfterCommit(_ changes: [ChangeEvent]) async {
        let settings = faults
        guard settings.stallAfterCommitSeconds > 0 else { return }
        let types = Set(settings.stallAfterCommitTypes), kinds = Set(settings.stallAfterCommitKinds)
        let held = changes.filter { (types.isEmpty || types.contains($0.type)) && (kinds.isEmpty || kinds.contains($0.kind.rawValue)) }
        guard !held.isEmpty else { return }
        stalled.withLock { log in
            let known = Set(log.map(\.sequence))
            log.append(contentsOf: held.filter { !known.contains($0.sequence) })
        }
        let deadline = EmulatorClock.systemMillis() + Int64(settings.stallAfterCommitSeconds * 1000)
        while faults.stallAfterCommitSeconds > 0, EmulatorClock.systemMillis() < deadline, !Task.isCancelled {
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
    }

    /// Changes made by the current (or last) driver.
    public var driverLog: [DriverChange] { driver.withLock { $0.driver }?.log ?? [] }
}
