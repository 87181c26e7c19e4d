@testable import ConcordStore
import ConcordCore
import Testing

@Suite("Store: the webhook inbox")
struct StoreInboxTests {
    func event(_ id: String, record: String = "501", kind: InboxEvent.Kind = .change) -> InboxEvent {
        InboxEvent(replica: "hubspot", crmObject: "contacts", crmID: record, eventID: id, kind: kind, occurredAt: 42)
    }

    @Test("an event id is taken once: redeliveries (pending or done) add nothing")
    func deduplicates() throws {
        let clock = ManualClock(10_000)
        let store = try ConcordStore.open(path: ":memory:", wallClock: clock.wallClock)
        #expect(try store.enqueueInbox([event("1"), event("2"), event("1")]) == 2)
        #expect(try store.enqueueInbox([event("2"), event("3")]) == 1)
        // The same event id from another CRM is another event.
        var other = event("1")
        other.replica = "salesforce"
        #expect(try store.enqueueInbox([other]) == 1)
        let pending = try store.pendingInbox(limit: 10)
        #expect(pending.map(\.event.eventID) == ["1", "2", "3", "1"])
        #expect(pending[0].receivedAt == 10_000 && pending[0].event.occurredAt == 42)
        try store.markInboxDone([pending[0].seq, pending[1].seq])
        #expect(try store.pendingInbox(limit: 10).map(\.event.eventID) == ["3", "1"])
        #expect(try store.inboxDepth().pending == 2)
        // A redelivery of a done event is still known...
        #expect(try store.enqueueInbox([event("1")]) == 0)
        // ...until the done rows are pruned after the retention.
        clock.now = 10_000 + 3_600_000
        #expect(try store.pruneInbox(olderThan: 3_600_001) == 0)
        #expect(try store.pruneInbox(olderThan: 3_599_999) == 2)
        #expect(try store.enqueueInbox([event("1")]) == 1)
        #expect(try store.inboxDepth().pending == 3)
    }

    @Test("events survive closing the store (committed before the CRM is answered)")
    func durable() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.file("inbox.sqlite")
        do {
            let store = try ConcordStore.open(path: path, wallClock: .constant(1))
            try store.enqueueInbox([event("9", kind: .delete)])
        }
        let again = try ConcordStore.open(path: path, wallClock: .constant(2))
        let rows = try again.pendingInbox(limit: 5)
        #expect(rows.map(\.event) == [event("9", kind: .delete)])
        #expect(try again.inboxDepth().oldestReceivedAt == 1)
    }

    @Test("marking done inside a transaction that fails leaves the events pending")
    func doneWithTheMerge() throws {
        let store = try ConcordStore.open(path: ":memory:", wallClock: .constant(1))
        try store.enqueueInbox([event("1")])
        let seq = try store.pendingInbox(limit: 1)[0].seq
        #expect(throws: StoreError.self) {
            try store.transaction { s throws(StoreError) in
                try s.markInboxDone([seq])
                throw StoreError(.integrity, "the merge failed", path: ":memory:")
            }
        }
        #expect(try store.pendingInbox(limit: 1).count == 1)
    }
}
