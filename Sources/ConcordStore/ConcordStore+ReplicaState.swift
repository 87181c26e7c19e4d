/// What `concord status` shows of a replica between runs.
public struct ReplicaState: Hashable, Sendable, Codable {
    /// The replica name.
    public var replica: String
    /// The last error of the last pass, if any.
    public var lastError: String?
    /// When the last pass ended, Unix ms.
    public var lastPassAt: UInt64
    /// API calls made today (UTC day).
    public var callsToday: Int
    /// The circuit breaker's state as the connector reported it.
    public var circuit: String
}

extension ConcordStore {
    /// Records the end of a pass for a replica: its error, the calls it made (added to
    /// today's count, reset on a new UTC day) and its circuit state.
    public func recordPass(replica: String, lastError: String?, calls: Int, circuit: String) throws(StoreError) {
        let now = wallClock.nowMillis()
        let day = Int64(now / 86_400_000)
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare("""
                INSERT INTO replica_state(replica, last_error, last_pass_at, day, calls_today, circuit) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                ON CONFLICT(replica) DO UPDATE SET last_error = ?2, last_pass_at = ?3, circuit = ?6,
                    calls_today = CASE WHEN day = ?4 THEN calls_today + ?5 ELSE ?5 END, day = ?4
                """)
            s.bind(1, replica)
            if let lastError { s.bind(2, errorFilter(lastError)) } else { s.bindNull(2) }
            s.bind(3, now); s.bind(4, day); s.bind(5, Int64(calls)); s.bind(6, circuit)
            try s.run()
        }
    }

    /// Every replica's state.
    public func replicaStates() throws(StoreError) -> [ReplicaState] {
        let today = Int64(wallClock.nowMillis() / 86_400_000)
        let s = try db.prepare("SELECT replica, last_error, last_pass_at, day, calls_today, circuit FROM replica_state ORDER BY replica")
        var out: [ReplicaState] = []
        while try s.step() {
            out.append(ReplicaState(replica: s.text(0), lastError: s.isNull(1) ? nil : s.text(1), lastPassAt: s.uint64(2),
                                    callsToday: s.int64(3) == today ? Int(s.int64(4)) : 0, circuit: s.text(5)))
        }
        return out
    }
}
