import ConcordConnectors
import ConcordCore
import ConcordEngine
import ConcordMapping
import ConcordStore
import ConcordTesting
import Testing

/// Faults that must stop the engine rather than let it do something else than asked.
@Suite("Safety rails")
struct EngineSafetyTests {
    @Test("a dry run that cannot open its transaction (another process holds the write lock) does nothing and says so")
    func dryRunWithoutItsTransaction() async throws {
        let w = try World()
        defer { w.remove() }
        await w.sf.userCreate("Contact", ["FirstName": .string("Ada"), "LastName": .string("Lovelace"), "Email": .string("ada@x.io")])
        // Another process holds the write lock longer than the busy timeout.
        let holder = try ConcordStore.open(path: w.path, wallClock: .constant(1_000))
        try holder.beginDryRun()
        let report = await w.engine.runPass(dryRun: true)
        try holder.rollbackDryRun()
        #expect(report.aborted?.contains("dry run") == true, "the pass says it did not run: \(String(describing: report.aborted))")
        let links = try await w.engine.withStore { try $0.links(replica: "salesforce", objectType: "contact") }
        #expect(links.isEmpty, "nothing was pulled into the store for real")
        #expect(await w.hs.records("contacts").isEmpty)
    }
}
