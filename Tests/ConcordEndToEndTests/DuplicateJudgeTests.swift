import ConcordCore
@testable import ConcordDemo
import Testing

/// What the read-back counts as a duplicate Concord created.
@Suite("Judge: duplicates created by Concord")
struct DuplicateJudgeTests {
    let a = RecordID(high: 1, low: 1)
    let b = RecordID(high: 2, low: 2)
    let email = Value.string("jonas@globex.example.com")

    /// Salesforce holds records `a` (seeded "sf-a") and `b` (created by Concord, "sf-b") with
    /// one email; Dataverse holds them as `dvA` and `dvB`.
    func readBack(dataverseGroup: [String]) -> ReadBack {
        var rb = ReadBack()
        rb.byKey["salesforce", default: [:]]["contact", default: [:]][email] = ["sf-a", "sf-b"]
        rb.linked["salesforce"] = ["sf-a": a, "sf-b": b]
        rb.byKey["dynamics", default: [:]]["contact", default: [:]][email] = dataverseGroup
        rb.linked["dynamics"] = ["dv-a": a, "dv-b": b]
        return rb
    }

    @Test("two records another CRM itself holds apart with one email are not a duplicate Concord made")
    func mirroredIsNotCounted() {
        let found = DemoRunner.duplicatesCreated(readBack: readBack(dataverseGroup: ["dv-a", "dv-b"]),
                                                 created: ["salesforce": ["sf-b"]])
        #expect(found.isEmpty, "\(found)")
    }

    @Test("a record created beside the one it should have matched is counted")
    func missedMatchIsCounted() {
        // Dataverse holds only `b` with that email (Concord created `a` there): no CRM of its
        // own holds the two apart.
        let found = DemoRunner.duplicatesCreated(readBack: readBack(dataverseGroup: ["dv-a", "dv-b"]),
                                                 created: ["salesforce": ["sf-b"], "dynamics": ["dv-a"]])
        #expect(found.count == 2, "the group in each CRM: \(found)")
        let alone = DemoRunner.duplicatesCreated(readBack: readBack(dataverseGroup: ["dv-b"]), created: ["salesforce": ["sf-b"]])
        #expect(alone.count == 1, "\(alone)")
    }

    @Test("a record Concord created without the key, that got it later from a person's merge, is not a duplicate it made")
    func keyAcquiredAfterCreationIsNotCounted() {
        // Salesforce: the user merged another person into `b`, filling b's blank email with
        // a's; Concord had created `b` there with no email.
        let rb = readBack(dataverseGroup: ["dv-b"])
        let acquired = DemoRunner.duplicatesCreated(readBack: rb, created: ["salesforce": ["sf-b"]],
                                                    creationKeys: ["salesforce": [:]])
        #expect(acquired.isEmpty, "\(acquired)")
        // Created with that email: counted as before.
        let carried = DemoRunner.duplicatesCreated(readBack: rb, created: ["salesforce": ["sf-b"]],
                                                   creationKeys: ["salesforce": ["sf-b": [email]]])
        #expect(carried.count == 1, "\(carried)")
        // Created with another email: not the record created beside this group's.
        let other = DemoRunner.duplicatesCreated(readBack: rb, created: ["salesforce": ["sf-b"]],
                                                 creationKeys: ["salesforce": ["sf-b": [.string("other@globex.example.com")]]])
        #expect(other.isEmpty, "\(other)")
    }
}
