import Foundation

/// Remembers the signatures of requests whose events were committed, for the freshness
/// window: the same signed request again is a replay (answered 409, nothing stored). A
/// request refused or not committed is not remembered, so the sender's retry goes through.
public final class ReplayGuard: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [String: UInt64] = [:]
    private let windowMillis: UInt64

    /// A guard remembering for `windowMillis` (the signatures' freshness window).
    public init(windowMillis: UInt64 = 300_000) { self.windowMillis = windowMillis }

    /// Whether `key` was committed within the window before `now`.
    public func isReplay(_ key: String, crm: String, now: UInt64) -> Bool {
        lock.withLock {
            guard let at = seen["\(crm)\u{0}\(key)"] else { return false }
            return now &- at <= windowMillis
        }
    }

    /// Records a committed request; forgets entries older than the window.
    public func remember(_ key: String, crm: String, now: UInt64) {
        lock.withLock {
            if seen.count > 10_000 { seen = seen.filter { now &- $0.value <= windowMillis } }
            seen["\(crm)\u{0}\(key)"] = now
        }
    }
}
