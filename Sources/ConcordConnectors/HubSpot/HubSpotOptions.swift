import ConcordCore
import Foundation

/// Tunables of the HubSpot connector; the defaults follow HubSpot's published limits.
public struct HubSpotOptions: Sendable {
    /// Keeps a rotated OAuth refresh token across restarts (none: memory only).
    public var vault: (any CredentialVault)?
    /// Search calls per second (HubSpot allows 4-5 per second per token, apart from the
    /// general limit); the connector spaces its search calls to stay under it.
    public var searchRequestsPerSecond: Double
    /// How many times one call waits out a 429 (not the daily limit) before giving up.
    public var maxThrottleRetries: Int
    /// The longest single wait after a 429, in milliseconds.
    public var maxThrottleWaitMillis: UInt64
    /// An OAuth access token is refreshed this long before `expires_in` runs out.
    public var tokenRefreshMarginMillis: UInt64
    /// Records whose modification time is within this of now are left for the next pull, so
    /// a write landing in the same millisecond as the pull (or a small clock difference with
    /// HubSpot) cannot slip behind the cursor.
    public var settleMillis: UInt64
    /// Unix time (token expiry, the settle horizon).
    public var wallClock: WallClock
    /// Waits the given milliseconds (inject a fake in tests).
    public var sleep: @Sendable (UInt64) async -> Void
    /// A monotonic reading in milliseconds, for pacing search calls.
    public var monotonicMillis: @Sendable () -> UInt64

    /// Options with HubSpot's published defaults and real clocks.
    public init(searchRequestsPerSecond: Double = 4, maxThrottleRetries: Int = 6, maxThrottleWaitMillis: UInt64 = 60_000,
                tokenRefreshMarginMillis: UInt64 = 60_000, settleMillis: UInt64 = 1_000,
                wallClock: WallClock = HubSpotOptions.systemWallClock,
                sleep: @escaping @Sendable (UInt64) async -> Void = HubSpotOptions.realSleep,
                monotonicMillis: @escaping @Sendable () -> UInt64 = HubSpotOptions.monotonic) {
        self.searchRequestsPerSecond = searchRequestsPerSecond
        self.maxThrottleRetries = maxThrottleRetries
        self.maxThrottleWaitMillis = maxThrottleWaitMillis
        self.tokenRefreshMarginMillis = tokenRefreshMarginMillis
        self.settleMillis = settleMillis
        self.wallClock = wallClock
        self.sleep = sleep
        self.monotonicMillis = monotonicMillis
    }

    /// The system's Unix time.
    public static let systemWallClock = WallClock.system

    /// `Task.sleep` (returns early when the task is cancelled).
    public static let realSleep: @Sendable (UInt64) async -> Void = { millis in
        try? await Task.sleep(for: .milliseconds(Int64(clamping: millis)))
    }

    /// `ContinuousClock` milliseconds since first use.
    public static let monotonic: @Sendable () -> UInt64 = {
        let elapsed = processStart.duration(to: ContinuousClock.now).components
        return UInt64(max(0, elapsed.seconds)) * 1000 + UInt64(max(0, elapsed.attoseconds) / 1_000_000_000_000_000)
    }

    private static let processStart = ContinuousClock.now
}
