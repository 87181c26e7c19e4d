import ConcordConnectors
import ConcordCore
import ConcordDemo
import ConcordEngine
import CRMEmulators
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` of a `concord sync` process in the middle of its pushes, then a restart:
/// converged, no duplicate, nothing lost.
@Suite("Crash mid-push", .serialized)
struct KillNineTests {
    /// The `concord` executable built beside the test bundle.
    static var concordBinary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("concord").path
    }

    /// Slows every emulator down (150 ms a request) and starts `concord` with `arguments`
    /// on the stack's configuration and store, its output discarded.
    static func startSlowSync(_ binary: String, _ stack: Stack, _ arguments: [String]) throws -> Process {
        var slow = FaultSettings.Patch()
        slow.latencyMs = 150
        for crm in ["salesforce", "hubspot", "dynamics"] { stack.faults(crm, slow) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments + ["--config", stack.configPath, "--store", stack.storePath]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test("kill -9 during pushes, restart: converged, no duplicate created, no edit lost")
    func killNine() async throws {
        let binary = Self.concordBinary
        #expect(FileManager.default.isExecutableFile(atPath: binary), "build the concord executable first (swift build --build-tests): \(binary)")
        let stack = try await Stack.start(people: 60, seed: 9)
        defer { Task { await stack.stop() } }
        let seeded = ["salesforce": stack.ids("salesforce", "Contact"), "hubspot": stack.ids("hubspot", "contacts"),
                      "dynamics": stack.ids("dynamics", "contact")]
        // Edits people make before the sync starts; after the crash and restart each must be
        // everywhere (nothing lost).
        // (A second later than the seed: Salesforce stamps whole seconds, so an edit in the
        // seed's own second is stamped before values HubSpot wrote later in that second.)
        try await Task.sleep(nanoseconds: 1_100_000_000)
        let sfEdited = Array(seeded["salesforce"]!.sorted().prefix(3))
        let sfEmails = Set(sfEdited.compactMap { stack.emulator("salesforce").control.store.get("Contact", $0)?.fields["Email"]?.textForm?.lowercased() })
        // Other people in HubSpot, so no edit is overwritten by a later one of the same field.
        let hsEdited = Array(seeded["hubspot"]!.sorted().filter { id in
            !sfEmails.contains(stack.emulator("hubspot").control.store.get("contacts", id)?.fields["email"]?.textForm?.lowercased() ?? "")
        }.prefix(3))
        for (i, id) in sfEdited.enumerated() { try stack.userEdit("salesforce", "Contact", id, ["Title": .string("Edited in SF \(i)")]) }
        for (i, id) in hsEdited.enumerated() { try stack.userEdit("hubspot", "contacts", id, ["jobtitle": .string("Edited in HS \(i)")]) }
        let process = try Self.startSlowSync(binary, stack, ["sync"])
        // Wait until Concord has created some records in a CRM, then kill it without warning.
        var killed = false
        for _ in 0..<600 {
            try await Task.sleep(nanoseconds: 50_000_000)
            let grown = stack.ids("salesforce", "Contact").count > seeded["salesforce"]!.count
                || stack.ids("hubspot", "contacts").count > seeded["hubspot"]!.count
                || stack.ids("dynamics", "contact").count > seeded["dynamics"]!.count
            if grown || !process.isRunning {
                if process.isRunning { kill(process.processIdentifier, SIGKILL); killed = true }
                break
            }
        }
        process.waitUntilExit()
        #expect(killed, "the sync was killed mid-push (it must not have finished before its first create landed)")

        var fast = FaultSettings.Patch()
        fast.latencyMs = 0
        for crm in ["salesforce", "hubspot", "dynamics"] { stack.faults(crm, fast) }
        let (engine, connectors) = try stack.engine()
        _ = await engine.syncToConvergence(maxPasses: 10)
        let v = try await Verification.check(config: stack.config, connectors: connectors, engine: engine)
        #expect(v.converged, "\(v.divergences.prefix(5)) \(v.unlinked.prefix(5))")
        // No CRM holds two records with one email unless it did before the sync.
        let created = try await engine.withStore { s in
            try ["salesforce", "hubspot", "dynamics"].map { crm in Set(try s.links(replica: crm, objectType: "contact").keys).subtracting(seeded[crm]!) }
        }
        let createdIDs = Set(created.flatMap { $0 })
        let dupes = v.duplicateGroups.filter { g in createdIDs.contains { g.contains($0) } }
        #expect(dupes.isEmpty, "duplicates created: \(dupes.prefix(5))")
        // No lost update: every edit is in every CRM that holds the contact.
        let edits = sfEdited.enumerated().map { ("salesforce", $1, "Edited in SF \($0)") } + hsEdited.enumerated().map { ("hubspot", $1, "Edited in HS \($0)") }
        for (crm, id, title) in edits {
            let links = try await engine.withStore { s -> [String: String] in
                guard let gid = try s.linkedRecord(replica: crm, objectType: "contact", externalID: id) else { return [:] }
                return try s.links(of: gid)
            }
            #expect(links.count == 3, "\(crm) \(id) is linked in all three CRMs: \(links)")
            #expect(links["salesforce"].flatMap { stack.emulator("salesforce").control.store.get("Contact", $0)?.fields["Title"] } == .string(title))
            #expect(links["hubspot"].flatMap { stack.emulator("hubspot").control.store.get("contacts", $0)?.fields["jobtitle"] } == .string(title))
            #expect(links["dynamics"].flatMap { stack.emulator("dynamics").control.store.get("contact", $0)?.fields["jobtitle"] } == .string(title))
        }
    }

    @Test("SIGTERM during pushes: the sync stops after the batch in flight and exits 0; the next sync finishes the work")
    func sigterm() async throws {
        let binary = Self.concordBinary
        let stack = try await Stack.start(people: 60, seed: 10)
        defer { Task { await stack.stop() } }
        let seeded = stack.ids("hubspot", "contacts")
        let process = try Self.startSlowSync(binary, stack, ["sync", "--watch"])
        var signalled = false
        for _ in 0..<600 {
            try await Task.sleep(nanoseconds: 50_000_000)
            if stack.ids("hubspot", "contacts").count > seeded.count || !process.isRunning {
                if process.isRunning { process.terminate(); signalled = true }
                break
            }
        }
        #expect(signalled, "the sync was still pushing when signalled")
        // It stops after the batch in flight: seconds, not the rest of the pass.
        var waited = 0
        while process.isRunning && waited < 300 { try await Task.sleep(nanoseconds: 100_000_000); waited += 1 }
        #expect(!process.isRunning, "the sync exited after SIGTERM")
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "a clean exit (status \(process.terminationStatus))")

        var fast = FaultSettings.Patch()
        fast.latencyMs = 0
        for crm in ["salesforce", "hubspot", "dynamics"] { stack.faults(crm, fast) }
        let (engine, connectors) = try stack.engine()
        let left = try await engine.withStore { try $0.outboxDepth().values.reduce(0, +) }
        #expect(left > 0, "it stopped within the pass, leaving work in the outbox")
        _ = await engine.syncToConvergence(maxPasses: 10)
        let v = try await Verification.check(config: stack.config, connectors: connectors, engine: engine)
        #expect(v.converged, "\(v.divergences.prefix(5)) \(v.unlinked.prefix(5))")
    }
}
