import ConcordConnectors
import ConcordCore
import ConcordEngine
import ConcordMapping
import ConcordStore
import ConcordTesting
import Foundation
import Testing

/// Creates with no upsert key (Salesforce notes) whose answer never came: the next pass
/// looks for the record before sending anything again.
@Suite("Creates without an upsert key and an unknown outcome")
struct EngineUnknownCreateTests {
    /// A world whose CRMs' clocks read the wall clock's time, with a Dataverse contact and an
    /// annotation on it that Concord copies to Salesforce as a note; returns the annotation's id.
    static func worldWithNote() async throws -> (World, String) {
        let w = try World(t0: UInt64(Date().timeIntervalSince1970 * 1000))
        let contact = await w.dv.userCreate("contacts", ["firstname": .string("Ada"), "lastname": .string("Lovelace"),
                                                         "emailaddress1": .string("ada@x.io")])
        let note = await w.dv.userCreate("annotations", ["subject": .string("Call notes"), "notetext": .string("Agreed on the Q3 renewal"),
                                                         "_objectid_value": .string(contact), "createdon": .string("2026-12-01T10:00:00Z")])
        return (w, note)
    }

    /// The Salesforce link of the Concord note linked to Dataverse annotation `note`.
    static func noteLink(_ w: World, note: String) async throws -> String? {
        try await w.engine.withStore { s in
            for id in try s.allRecords(objectType: "note").keys {
                let links = try s.links(of: id)
                if links["dynamics"] == note { return links["salesforce"] }
            }
            return nil
        }
    }

    @Test("a note create committed by Salesforce whose answer was lost is found and linked, not created again")
    func committedButUnanswered() async throws {
        let (w, note) = try await Self.worldWithNote()
        defer { w.remove() }
        await w.sf.leaveNextPushUnanswered("Note", afterCommit: true)
        _ = await w.engine.runPass()
        #expect(await w.sf.records("Note").count == 1, "Salesforce committed the note")
        let sending = try await w.engine.withStore { try $0.outbox(replica: "salesforce", state: .sending) }
        #expect(sending.count == 1, "the unanswered create is kept as sending, not returned to pending: \(sending)")

        _ = await w.engine.syncToConvergence()
        let notes = await w.sf.records("Note")
        #expect(notes.count == 1, "no second note: \(notes)")
        #expect(await w.sf.writes.filter { $0.0 == "create" && $0.1 == "Note" }.count == 1)
        #expect(try await Self.noteLink(w, note: note) == notes.keys.first, "the note Salesforce committed is linked")
        #expect(await w.dv.records("annotations").count == 1, "the note was not read back as a new one")
        #expect(await w.hs.records("notes").count == 1)
        let open = try await w.engine.withStore { try $0.outboxDepth()["salesforce"] ?? 0 }
        #expect(open == 0)
    }

    @Test("a note create that never reached Salesforce is sent again, and a lookalike a person made is not taken for it")
    func neverLanded() async throws {
        let (w, note) = try await Self.worldWithNote()
        defer { w.remove() }
        await w.sf.leaveNextPushUnanswered("Note", afterCommit: false)
        _ = await w.engine.runPass()
        #expect(await w.sf.records("Note").isEmpty, "nothing landed")
        // Someone writes a note with the same title (what the lookup searches by) but other
        // text on the same contact: it is a different note.
        let contact = try #require(await w.sf.records("Contact").keys.first)
        let lookalike = await w.sf.userCreate("Note", ["Title": .string("Call notes"), "Body": .string("Different text"),
                                                       "ParentId": .string(contact)])
        _ = await w.engine.syncToConvergence()
        let notes = await w.sf.records("Note")
        #expect(notes.count == 2, "the lookalike and the note sent again: \(notes)")
        let creates = await w.sf.writes.filter { $0.0 == "create" && $0.1 == "Note" }
        #expect(creates.count == 1, "the create was sent again once: \(creates)")
        let link = try await Self.noteLink(w, note: note)
        #expect(link != nil && link != lookalike, "Concord's note is linked to its own Salesforce note, not the lookalike")
        #expect(link.flatMap { notes[$0]?["Body"] } == .string("Agreed on the Q3 renewal"))
    }
}
