import ConcordCore
import ConcordStore

/// A hub that is only a store (no CRMs): it owns the store and answers exchanges one at a
/// time. `concord replicate serve` runs one; `concord serve` answers through its engine
/// instead, so the CRM sync and replication share one writer.
public actor StoreHub {
    let store: ConcordStore
    let hub: ReplicationHub

    /// A hub over `store` serving `grants`.
    public init(store: ConcordStore, grants: [PeerGrant], limits: ReplicationSource.Limits = .init()) {
        self.store = store
        self.hub = ReplicationHub(grants: grants, limits: limits)
    }

    /// Answers one exchange.
    public func exchange(authorization: String?, query: [String: String], body: [UInt8]) -> ReplicationHub.Answer {
        hub.exchange(authorization: authorization, query: query, body: body, store: store)
    }

    /// Runs `body` with the store (status, digests in tests).
    public func withStore<T: Sendable>(_ body: (ConcordStore) throws -> T) rethrows -> T { try body(store) }
}
