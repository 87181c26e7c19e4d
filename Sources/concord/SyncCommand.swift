import ArgumentParser
import ConcordConnectors
import ConcordEngine
import ConcordMapping
import ConcordStore
import Foundation
import Logging

/// `concord sync`: one pass, or a daemon that keeps polling.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync the configured CRMs field by field: one pass, or --watch to keep polling.",
        discussion: """
            One pass pulls every CRM since its cursor, merges field by field, and pushes what each CRM \
            lacks. --watch repeats at the configured poll interval until SIGINT or SIGTERM, which stop \
            the pass after the page or batch in flight (committed, or parked in the outbox) before it exits. --dry-run prints what would be created, \
            updated and deleted in each CRM and writes nothing to any CRM or to the store.
            Exit codes: 0 done (or stopped by a signal), 1 failure, 2 bad input, 3 work parked (a CRM throttled, failed or offline).
            """
    )

    @OptionGroup var options: StoreOptions
    @Flag(help: "Keep polling at the configured interval until interrupted.") var watch = false
    @Flag(name: .customLong("dry-run"), help: "Print the planned writes; write nothing.") var dryRun = false
    @Option(help: "Override the poll interval of --watch, in seconds.") var interval: Int?
    @Flag(help: "Print each pass's report as JSON.") var json = false

    func validate() throws {
        if watch && dryRun { throw ValidationError("--watch and --dry-run cannot be combined") }
        if let interval, interval < 1 { throw ValidationError("--interval must be at least 1 second") }
    }

    func run() async throws {
        LoggingSetup.bootstrap()
        let config = try options.loadConfig()
        // One syncing process per store (a clear error naming the other one's pid), taken
        // before anything opens the store.
        let lock: StoreLock
        do { lock = try StoreLock.acquire(storePath: options.store) } catch { throw CLIError(error.message, exitCode: 1) }
        defer { withExtendedLifetime(lock) {} }
        let connectors: [any CRMConnector]
        // Rotated OAuth refresh tokens are kept in the store, so a restart uses the current one.
        let vault = try StoreCredentialVault(storePath: options.store)
        do { connectors = try StandardConnectors.make(config: config, vault: vault) } catch { throw CLIError(error.message, exitCode: 2) }
        let engine = try SyncEngine(storePath: options.store, config: config, connectors: connectors, wallClock: .system)
        // The pass in flight, so a stop that outlasts its grace can cancel it.
        let inFlight = PassInFlight()
        let signals = SignalWatcher.install(onStop: { await engine.requestStop() }, onDeadline: { inFlight.cancel() })
        var parked = false
        var deletionsHeld = 0
        repeat {
            let pass = Task { [dryRun] in await engine.runPass(dryRun: dryRun) }
            inFlight.set(pass)
            let report = await pass.value
            inFlight.set(nil)
            print(json ? try Render.json(report) : PassPrinter.text(report, dryRun: dryRun))
            if let reason = report.aborted { throw CLIError(reason, exitCode: 1) }
            parked = report.replicas.values.contains { $0.parked }
            deletionsHeld = report.replicas.values.map(\.deletionsHeld).reduce(0, +)
            if !watch || signals.stopRequested { break }
            let seconds = interval ?? config.sync.pollIntervalSeconds
            await signals.sleep(seconds: seconds)
        } while !signals.stopRequested
        if signals.stopRequested {
            FileHandle.standardError.write(Data("concord: stopped; what was left waits in the outbox for the next sync\n".utf8))
            return
        }
        if deletionsHeld > 0 {
            throw CLIError("the deletion guard holds \(deletionsHeld) deletes: see `concord deletes list`", exitCode: 3)
        }
        if parked { throw CLIError("work is parked: a CRM throttled, failed or is offline (see `concord status`)", exitCode: 3) }
    }
}

/// Prints a pass report for people.
enum PassPrinter {
    static func text(_ r: PassReport, dryRun: Bool) -> String {
        var lines: [String] = []
        for name in r.replicas.keys.sorted() {
            let x = r.replicas[name]!
            var line = "\(name): pulled \(x.pulled), changed \(x.changed), matched \(x.matched), quarantined \(x.quarantined); "
            line += dryRun ? "would write \(x.planned.count)" : "created \(x.created), updated \(x.updated), deleted \(x.deleted), refused \(x.failed)"
            line += "; \(x.apiCalls.total) API calls"
            if x.parked { line += "; PARKED" }
            if let e = x.lastError { line += "; last error: \(e)" }
            lines.append(line)
            if dryRun { lines += x.planned.map { "  would " + $0 } }
        }
        lines.append("conflicts resolved: \(r.conflicts); registers merged: \(r.registersMerged)")
        return lines.joined(separator: "\n")
    }
}

/// The task running the current pass, cancellable from a signal handler.
final class PassInFlight: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<PassReport, Never>?
    private var cancelled = false

    func set(_ task: Task<PassReport, Never>?) {
        let cancelNow = lock.withLock { self.task = task; return cancelled }
        if cancelNow { task?.cancel() }
    }

    /// Cancels the pass in flight, and any started after (the process is stopping).
    func cancel() {
        let task = lock.withLock { cancelled = true; return self.task }
        task?.cancel()
    }
}
