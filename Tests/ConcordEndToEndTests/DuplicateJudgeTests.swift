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
}
