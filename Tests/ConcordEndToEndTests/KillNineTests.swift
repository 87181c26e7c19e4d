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

    /// Starts `concord` with `arguments` on the stack's configuration and store, its output discarded.
    static func startSync(_ binary: String, _ stack: Stack, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments + ["--config", stack.configPath, "--store", stack.storePath]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits, polling every 20 ms, until `condition` holds or the process has exited; the
    /// bound only catches a hang. Returns whether the condition held.
    static func waitFor(_ process: Process, seconds: Double = 300, _ condition: () -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            if !process.isRunning { return condition() }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        return condition()
    }

    /// Every record id each emulator holds (any type, deleted ones too).
    static func allIDs(_ stack: Stack) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for crm in ["salesforce", "hubspot", "dynamics"] {
            out[crm] = stack.emulator(crm).control.store.read { state in Set(state.records.values.flatMap(\.keys)) }
        }
        return out
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

    @Test("SIGTERM while a batch is in flight: no write after that batch, exit 0; the next sync finishes the work")
    func sigterm() async throws {
        let binary = Self.concordBinary
        let stack = try await Stack.start(people: 60, seed: 10)
        defer { Task { await stack.stop() } }
        let crms = ["salesforce", "hubspot", "dynamics"]
        // HubSpot holds the answer to its first committed contact write: the signal comes
        // while that batch is in flight, in the middle of the pushes.
        var stall = FaultSettings.Patch()
        stall.stallAfterCommitSeconds = 600
        stall.stallAfterCommitTypes = ["contacts"]
        stack.faults("hubspot", stall)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["sync", "--watch", "--config", stack.configPath, "--store", stack.storePath]
        process.standardOutput = FileHandle.nullDevice
        let stderr = Pipe()
        process.standardError = stderr
        let said = StderrLog()
        stderr.fileHandleForReading.readabilityHandler = { handle in said.append(handle.availableData) }
        try process.run()
        let hubspot = stack.emulator("hubspot").control
        let caught = try await Self.waitFor(process) { !hubspot.stalledCommits.isEmpty }
        #expect(caught && process.isRunning, "the sync was signalled while a batch was in flight")
        let atSignal = crms.map { stack.emulator($0).control.store.currentSequence }
        process.terminate()
        // Once the sync says it is stopping, no new batch starts; then the batch in flight
        // gets its answer.
        let acknowledged = try await Self.waitFor(process) { said.text.contains("stopping after the page or batch in flight") }
        #expect(acknowledged, "the sync acknowledged the signal: \(said.text)")
        var release = FaultSettings.Patch()
        release.stallAfterCommitSeconds = 0
        stack.faults("hubspot", release)
        _ = try await Self.waitFor(process) { false }
        #expect(!process.isRunning, "the sync exited after SIGTERM")
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        stderr.fileHandleForReading.readabilityHandler = nil
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "a clean exit (status \(process.terminationStatus)): \(said.text)")
        // After the signal each CRM gets at most the rest of the batch in flight there: records
        // of one object, no more than a batch holds (the association links a HubSpot batch
        // sets go with it). Stopping only between passes would go on to other objects.
        let batchSize = ["salesforce": 200, "hubspot": 100, "dynamics": 1000]
        for (crm, sequence) in zip(crms, atSignal) {
            let changes = stack.emulator(crm).control.store.events(after: sequence).filter { !$0.type.hasPrefix("assoc:") }
            let types = Set(changes.map(\.type)), records = Set(changes.map { $0.type + " " + $0.id })
            #expect(types.count <= 1 && records.count <= batchSize[crm]!, "\(crm) wrote after the signal: \(records.count) records of \(types.sorted())")
            if crm == "hubspot" { #expect(types.isSubset(of: ["contacts"]), "HubSpot finished its contacts batch only: \(types.sorted())") }
        }
        let (engine, connectors) = try stack.engine()
        let left = try await engine.withStore { try $0.outboxDepth().values.reduce(0, +) }
        #expect(left > 0, "it stopped within the pass, leaving work in the outbox")
        _ = await engine.syncToConvergence(maxPasses: 10)
        let v = try await Verification.check(config: stack.config, connectors: connectors, engine: engine)
        #expect(v.converged, "\(v.divergences.prefix(5)) \(v.unlinked.prefix(5))")
    }
}

/// What a child process wrote to standard error, collected as it comes.
final class StderrLog: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ more: Data) { lock.withLock { data.append(more) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}
