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
    /// HubSpot client secret, Dataverse WebhookKey; unused by Salesforce.
    public var secret: String?
    /// Salesforce only: `cdc` (change events, default) or `outbound` (SOAP outbound messages).
    public var format: String?

    public init(url: String, secret: String? = nil, format: String? = nil) {
        self.url = url
        self.secret = secret
        self.format = format
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

    /// Whether the next batch item should fail with a transient error.
    public func failBatchItem() -> Bool { roll(faults.partialBatchFailureRate) }

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

    /// Changes made by the current (or last) driver.
    public var driverLog: [DriverChange] { driver.withLock { $0.driver }?.log ?? [] }
}
