/// One sliding-window request limit (e.g. HubSpot's 100 per 10 s).
public struct RateLimit: Sendable, Codable, Equatable {
    /// Name reported to clients (`TEN_SECONDLY_ROLLING`, `DailyApiRequests`...).
    public var name: String
    public var limit: Int
    public var windowMs: Int64
    /// Only requests whose path contains this text count (empty: all).
    public var pathFilter: String

    public init(name: String, limit: Int, windowMs: Int64, pathFilter: String = "") {
        self.name = name
        self.limit = limit
        self.windowMs = windowMs
        self.pathFilter = pathFilter
    }
}

/// Usage of one limit after a request was counted.
public struct RateUsage: Sendable {
    public var limit: RateLimit
    public var used: Int
    public var remaining: Int { max(0, limit.limit - used) }
    /// Milliseconds until the oldest counted request leaves the window.
    public var resetInMs: Int64
}

/// Sliding-window counters for a set of limits.
public final class RateLimiter: Sendable {
    private struct Window: Sendable {
        var limit: RateLimit
        var hits: [Int64] = []
        var head = 0
    }

    private let state: Locked<(enabled: Bool, windows: [Window])>

    public init(limits: [RateLimit], enabled: Bool = true) {
        state = Locked((enabled, limits.map { Window(limit: $0) }))
    }

    public var enabled: Bool {
        get { state.withLock { $0.enabled } }
        set { state.withLock { $0.enabled = newValue } }
    }

    public var limits: [RateLimit] { state.withLock { $0.windows.map(\.limit) } }

    /// Changes the `limit` of the named windows.
    public func setLimits(_ values: [String: Int]) {
        state.withLock { s in
            for index in s.windows.indices { if let v = values[s.windows[index].limit.name] { s.windows[index].limit.limit = v } }
        }
    }

    /// Requests currently counted in the first window (read-only).
    public func used(now: Int64) -> Int {
        state.withLock { s in
            guard let w = s.windows.first else { return 0 }
            return w.hits[w.head...].filter { $0 > now - w.limit.windowMs }.count
        }
    }

    /// Counts a request at `now`. Returns the usage of every applicable window and the first
    /// exceeded one (the request is then not counted).
    public func admit(path: String, now: Int64) -> (usage: [RateUsage], exceeded: RateUsage?) {
        state.withLock { s in
            var usage: [RateUsage] = []
            for index in s.windows.indices where s.windows[index].limit.pathFilter.isEmpty || path.contains(s.windows[index].limit.pathFilter) {
                var w = s.windows[index]
                while w.head < w.hits.count, w.hits[w.head] <= now - w.limit.windowMs { w.head += 1 }
                if w.head > 4096 { w.hits.removeFirst(w.head); w.head = 0 }
                let used = w.hits.count - w.head
                let reset = w.head < w.hits.count ? w.hits[w.head] + w.limit.windowMs - now : w.limit.windowMs
                s.windows[index] = w
                if s.enabled, used >= w.limit.limit {
                    return (usage, RateUsage(limit: w.limit, used: used, resetInMs: reset))
                }
                usage.append(RateUsage(limit: w.limit, used: used + 1, resetInMs: reset))
            }
            for index in s.windows.indices where s.windows[index].limit.pathFilter.isEmpty || path.contains(s.windows[index].limit.pathFilter) {
                s.windows[index].hits.append(now)
            }
            return (usage, nil)
        }
    }
}
