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

    /// Concord records (of any object) none of whose CRM records was there before the sync:
    /// records Concord created itself and then took for new ones, i.e. duplicates.
    static func recordsWithoutOrigin(_ stack: Stack, _ engine: SyncEngine, seeded: [String: Set<String>]) async throws -> [String] {
        let objects = stack.config.objects.map(\.name)
        return try await engine.withStore { s in
            var orphans: [String] = []
            for object in objects {
                for (gid, record) in try s.allRecords(objectType: object) where record.state.isAlive {
                    let links = try s.links(of: gid)
                    if !links.contains(where: { seeded[$0.key]?.contains($0.value) == true }) {
                        orphans.append("\(object) \(gid): \(links.sorted { $0.key < $1.key })")
                    }
                }
            }
            return orphans.sorted()
        }
    }

    @Test("kill -9 after a CRM committed a create without an external id and before it answered, restart: converged, no duplicate of any object, no edit lost")
    func killNine() async throws {
        let binary = Self.concordBinary
        #expect(FileManager.default.isExecutableFile(atPath: binary), "build the concord executable first (swift build --build-tests): \(binary)")
        let stack = try await Stack.start(people: 60, seed: 9)
        defer { Task { await stack.stop() } }
        let seeded = Self.allIDs(stack)
        let seededContacts = ["salesforce": stack.ids("salesforce", "Contact"), "hubspot": stack.ids("hubspot", "contacts")]
        // Edits people make before the sync starts; after the crash and restart each must be
        // everywhere (nothing lost).
        // (A second later than the seed: Salesforce stamps whole seconds, so an edit in the
        // seed's own second is stamped before values HubSpot wrote later in that second.)
        try await Task.sleep(nanoseconds: 1_100_000_000)
        let sfEdited = Array(seededContacts["salesforce"]!.sorted().prefix(3))
        let sfEmails = Set(sfEdited.compactMap { stack.emulator("salesforce").control.store.get("Contact", $0)?.fields["Email"]?.textForm?.lowercased() })
        // Other people in HubSpot, so no edit is overwritten by a later one of the same field.
        let hsEdited = Array(seededContacts["hubspot"]!.sorted().filter { id in
            !sfEmails.contains(stack.emulator("hubspot").control.store.get("contacts", id)?.fields["email"]?.textForm?.lowercased() ?? "")
        }.prefix(3))
        for (i, id) in sfEdited.enumerated() { try stack.userEdit("salesforce", "Contact", id, ["Title": .string("Edited in SF \(i)")]) }
        for (i, id) in hsEdited.enumerated() { try stack.userEdit("hubspot", "contacts", id, ["jobtitle": .string("Edited in HS \(i)")]) }
        // The creates that can duplicate are those without an external id to upsert by:
        // Salesforce notes and Dataverse annotations. Their answers are held once committed.
        let stalling = ["salesforce": "Note", "dynamics": "annotation"]
        for (crm, type) in stalling {
            var stall = FaultSettings.Patch()
            stall.stallAfterCommitSeconds = 600
            stall.stallAfterCommitTypes = [type]
            stall.stallAfterCommitKinds = ["created"]
            stack.faults(crm, stall)
        }
        let process = try Self.startSync(binary, stack, ["sync"])
        // Wait until a CRM has committed such a create and holds its answer, then kill the
        // sync without warning: it never learns that the create happened.
        let stalled = { stalling.keys.flatMap { crm in stack.emulator(crm).control.stalledCommits.map { (crm, $0) } } }
        let caught = try await Self.waitFor(process) { !stalled().isEmpty }
        let killed = process.isRunning
        if killed { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(caught && killed, "the sync was killed while a committed create waited for its answer")
        let inFlight = stalled().map { "\($0.0) \($0.1.type) \($0.1.id)" }.sorted()
        var release = FaultSettings.Patch()
        release.stallAfterCommitSeconds = 0
        for crm in stalling.keys { stack.faults(crm, release) }

        let (engine, connectors) = try stack.engine()
        _ = await engine.syncToConvergence(maxPasses: 10)
        let v = try await Verification.check(config: stack.config, connectors: connectors, engine: engine)
        #expect(v.converged, "\(v.divergences.prefix(5)) \(v.unlinked.prefix(5))")
        // No duplicate of any object: every Concord record has a record that was in some CRM
        // before the sync (every CRM record being linked, as `converged` checks, a record that
        // Concord created twice shows up as one with no such origin).
        let orphans = try await Self.recordsWithoutOrigin(stack, engine, seeded: seeded)
        // Evidence: the other records of the same content in the CRM that held the answer
        // (a create sent again after the restart).
        let content = ["Note": ["Title", "Body", "ParentId"], "annotation": ["subject", "notetext", "objectid"]]
        let copies = stalled().map { crm, event -> String in
            let store = stack.emulator(crm).control.store
            let fields = content[event.type] ?? []
            let original = store.get(event.type, event.id)
            let same = store.all(event.type).filter { other in other.id != event.id && fields.allSatisfy { other.fields[$0] == original?.fields[$0] } }
            return "\(crm) \(event.type) \(event.id) also as \(same.map(\.id).sorted())"
        }
        #expect(orphans.isEmpty, "duplicates created (seed 9; creates committed but unanswered at the kill: \(inFlight); \(copies)): \(orphans.count): \(orphans.prefix(5))")
        // And the records whose creates were in flight are each linked (Concord adopted them).
        for (crm, event) in stalled() {
            let linked = try await engine.withStore { s in try s.allRecords().keys.contains { gid in (try? s.links(of: gid)[crm]) == event.id } }
            #expect(linked, "\(crm) \(event.type) \(event.id), created before the kill, is linked")
        }
        // No CRM holds two records with one natural key (email, domain) unless it did before the sync.
        let created = try await engine.withStore { s in
            Set(try s.allRecords().keys.flatMap { gid in try s.links(of: gid).filter { seeded[$0.key]?.contains($0.value) != true }.map(\.value) })
        }
        #expect(!created.isEmpty, "the sync created records")
        let dupes = v.duplicateGroups.filter { g in created.contains { g.contains($0) } }
        #expect(dupes.isEmpty, "duplicates by natural key created: \(dupes.prefix(5))")
        // No lost update: every edit is in every CRM that holds the contact.
        let edits = sfEdited.enumerated().map { ("salesforce", $1, "Edited in SF \($0)") } + hsEdited.enumerated().map { ("hubspot", $1, "Edited in HS \($0)") }
        #expect(edits.count == 6)
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
        let stack = try await Stack.start(people: 60, seed: 10)
        defer { Task { await stack.stop() } }
        let crms = ["salesforce", "hubspot", "dynamics"]
        // HubSpot holds the answer to its first committed contact write: the signal comes
        // while that batch is in flight, in the middle of the pushes.
        let (process, said, stderr) = try await Self.syncStuckInABatch(stack)
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

    /// Starts `concord sync --watch` on the stack, collecting what it writes to standard error.
    static func startWatching(_ stack: Stack) throws -> (Process, StderrLog, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: concordBinary)
        process.arguments = ["sync", "--watch", "--config", stack.configPath, "--store", stack.storePath]
        process.standardOutput = FileHandle.nullDevice
        let stderr = Pipe()
        process.standardError = stderr
        let said = StderrLog()
        stderr.fileHandleForReading.readabilityHandler = { handle in said.append(handle.availableData) }
        try process.run()
        return (process, said, stderr)
    }

    /// Starts `concord sync --watch` on the stack with HubSpot holding the answer to its first
    /// committed contact write (never released), and returns once that batch is in flight.
    static func syncStuckInABatch(_ stack: Stack) async throws -> (Process, StderrLog, Pipe) {
        var stall = FaultSettings.Patch()
        stall.stallAfterCommitSeconds = 600
        stall.stallAfterCommitTypes = ["contacts"]
        stack.faults("hubspot", stall)
        let (process, said, stderr) = try startWatching(stack)
        let hubspot = stack.emulator("hubspot").control
        let caught = try await waitFor(process) { !hubspot.stalledCommits.isEmpty }
        #expect(caught && process.isRunning, "the sync is waiting for an answer that does not come")
        return (process, said, stderr)
    }

    @Test("SIGTERM while a batch never gets its answer: the batch is cancelled after the grace period and the sync exits; the next sync finishes the work")
    func sigtermWithAStuckBatch() async throws {
        let stack = try await Stack.start(people: 40, seed: 11)
        defer { Task { await stack.stop() } }
        let (process, said, stderr) = try await Self.syncStuckInABatch(stack)
        process.terminate()
        // 10 s of grace, then the cancel: 25 s is the goal (under Kubernetes' 30 s), and
        // waiting longer here only tells a slow exit from a hang.
        let exited = try await Self.waitFor(process, seconds: 120) { !process.isRunning }
        #expect(exited, "the sync exited: \(said.text)")
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        stderr.fileHandleForReading.readabilityHandler = nil
        #expect(said.text.contains("cancelling it"), "it cancelled the batch it waited for: \(said.text)")
        var release = FaultSettings.Patch()
        release.stallAfterCommitSeconds = 0
        stack.faults("hubspot", release)
        let (engine, connectors) = try stack.engine()
        _ = await engine.syncToConvergence(maxPasses: 10)
        let v = try await Verification.check(config: stack.config, connectors: connectors, engine: engine)
        #expect(v.converged, "\(v.divergences.prefix(5)) \(v.unlinked.prefix(5))")
        #expect(v.duplicateGroups.isEmpty, "the cancelled batch was not written twice: \(v.duplicateGroups.prefix(3))")
    }

    @Test("SIGTERM while Salesforce throttles every call (a 429 storm during the pull): the sync exits promptly, not after the storm")
    func sigtermDuringAThrottledPull() async throws {
        let stack = try await Stack.start(people: 20, seed: 13)
        defer { Task { await stack.stop() } }
        var storm = FaultSettings.Patch()
        storm.throttleStormSeconds = 600
        stack.faults("salesforce", storm)  // the first CRM pulled
        let salesforce = stack.emulator("salesforce").control
        let before = salesforce.throttledResponses
        let (process, said, stderr) = try Self.startWatching(stack)
        // The pull has been refused (the pass parks Salesforce, or waits to retry).
        let waiting = try await Self.waitFor(process) { salesforce.throttledResponses >= before + 1 }
        #expect(waiting && process.isRunning)
        process.terminate()
        let exited = try await Self.waitFor(process, seconds: 120) { !process.isRunning }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        stderr.fileHandleForReading.readabilityHandler = nil
        #expect(exited, "the sync exited although Salesforce kept throttling: \(said.text)")
        #expect(process.terminationReason == .exit, "it exited, was not killed: \(said.text)")
    }

    @Test("a second signal exits at once, without waiting for the batch in flight")
    func secondSignalExitsAtOnce() async throws {
        let stack = try await Stack.start(people: 40, seed: 12)
        defer { Task { await stack.stop() } }
        let (process, said, stderr) = try await Self.syncStuckInABatch(stack)
        process.terminate()
        _ = try await Self.waitFor(process, seconds: 60) { said.text.contains("stopping after the page or batch in flight") }
        kill(process.processIdentifier, SIGINT)
        // Well before the grace period ends, unless the second signal were ignored.
        let exited = try await Self.waitFor(process, seconds: 120) { !process.isRunning }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        stderr.fileHandleForReading.readabilityHandler = nil
        #expect(exited && process.terminationStatus == 128 + SIGINT, "exit status \(process.terminationStatus): \(said.text)")
        #expect(said.text.contains("second signal") && !said.text.contains("cancelling it"), "it did not wait for the grace period: \(said.text)")
    }
}

/// What a child process wrote to standard error, collected as it comes.
final class StderrLog: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ more: Data) { lock.withLock { data.append(more) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}
