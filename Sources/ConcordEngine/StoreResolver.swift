import ConcordCore
import ConcordMapping
import ConcordStore

/// Translates references through the store's links table.
///
/// Used only synchronously by the engine, on the engine's executor, while the engine holds
/// the store; it never escapes a mapping call, which is why `@unchecked Sendable` is sound.
final class StoreResolver: ReferenceResolver, @unchecked Sendable {
    unowned let store: ConcordStore
    init(store: ConcordStore) { self.store = store }

    func recordID(crm: String, object: String, externalID: String) -> RecordID? {
        (try? store.linkedRecord(replica: crm, objectType: object, externalID: externalID)) ?? nil
    }

    func externalID(crm: String, object: String, recordID: RecordID) -> String? {
        guard let id = (try? store.externalID(replica: crm, record: recordID)) ?? nil,
              !((try? store.shadow(replica: crm, record: recordID)[SyncEngine.deletedMarker]) == .bool(true)) else { return nil }
        return id
    }
}
