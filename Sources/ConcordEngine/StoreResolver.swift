import ConcordCore
import ConcordMapping
import ConcordStore

/// Translates references through the store's links table.
///
/// Used only synchronously by the engine, on the engine's executor, while the engine holds
/// the store; it never escapes a mapping call, which is why `@unchecked Sendable` is sound.
///
/// The mapping asks through a non-throwing protocol; a store read that fails is kept in
/// ``failure`` (and answers "unknown"), and the engine throws it once the mapping call
/// returns (``checked(_:)``), so a failed read never passes for "not linked".
final class StoreResolver: ReferenceResolver, @unchecked Sendable {
    unowned let store: ConcordStore
    /// The first store read that failed, if any.
    private(set) var failure: StoreError?
    init(store: ConcordStore) { self.store = store }

    /// Returns `value`, or throws the store error a lookup made while computing it met.
    func checked<T>(_ value: T) throws(StoreError) -> T {
        if let failure { throw failure }
        return value
    }

    private func read<T>(_ body: () throws(StoreError) -> T?) -> T? {
        do { return try body() } catch {
            if failure == nil { failure = error }
            return nil
        }
    }

    /// The record a CRM id is linked to. Not redirected when merged away: the shadow must
    /// say what the CRM holds, so a CRM still pointing at a merged-away record is planned a
    /// write to the survivor.
    func recordID(crm: String, object: String, externalID: String) -> RecordID? {
        read { () throws(StoreError) in try store.linkedRecord(replica: crm, objectType: object, externalID: externalID) }
    }

    /// The CRM's id of a record that exists there and in Concord; for a merged-away record,
    /// its survivor's. A record deleted in Concord has none: its delete is on its way to
    /// every CRM, so a reference to it cannot be held (a polymorphic group gives the next
    /// member its turn; a single reference is cleared).
    func externalID(crm: String, object: String, recordID: RecordID) -> String? {
        if let id = live(crm, recordID) { return id }
        guard let survivor = read({ () throws(StoreError) in try store.survivor(of: recordID) }) else { return nil }
        return live(crm, survivor)
    }

    private func live(_ crm: String, _ record: RecordID) -> String? {
        read { () throws(StoreError) -> String? in
            guard let id = try store.externalID(replica: crm, record: record),
                  try store.shadow(replica: crm, record: record)[SyncEngine.deletedMarker] != .bool(true),
                  try store.isAlive(record) ?? true else { return nil }
            return id
        }
    }
}
