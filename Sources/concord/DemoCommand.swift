import ArgumentParser
import ConcordConnectors
import ConcordDemo
import Foundation

/// `concord demo`: the main job on embedded defaults.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Sync three emulated CRMs with seeded, overlapping data while a simulated user edits them; report what happened.",
        discussion: """
            Starts Salesforce, HubSpot and Dataverse emulators on 127.0.0.1 with seeded people, companies, deals and \
            activities (overlapping between CRMs, with near-duplicates, blanks and conflicting edits), runs a human-user \
            driver during the sync, syncs to convergence, then reads every CRM back through its API to check that every \
            field of every linked record agrees, that no edit was lost and that no duplicate was created. No account, \
            server or configuration needed. Exit code 3 when the CRMs did not converge.
            """
    )

    @Option(help: "Seeded people per CRM (companies, deals and activities scale from it).") var records = 2_500
    @Option(help: "Seed of the data and of the simulated user.") var seed: UInt64 = 7
    @Option(name: .customLong("driver-rate"), help: "Simulated user changes per second during the sync (0: off).") var driverRate = 40.0
    @Flag(name: .customLong("no-rate-limits"), help: "Turn the emulators' rate limits off.") var noRateLimits = false
    @Option(help: "Keep the Concord store at this path (a temp file otherwise).") var store: String?
    @Flag(help: "Sync as concord serve does while the simulated user edits: webhooks in, a safety-net pass (instead of polling passes).")
    var serve = false
    @Option(name: .customLong("serve-seconds"), help: "With --serve: seconds of editing after the first pass.") var serveSeconds = 60.0
    @Flag(help: "Print the report as one JSON object.") var json = false

    func validate() throws {
        guard records > 0 else { throw ValidationError("--records must be positive") }
        guard driverRate >= 0 else { throw ValidationError("--driver-rate cannot be negative") }
    }

    func run() async throws {
        let live = !json && isatty(STDERR_FILENO) != 0
        var options = DemoOptions(makeConnectors: { try StandardConnectors.make(config: $0) }) { line in
            // On a terminal, a line replaces the live status line; otherwise lines just follow.
            FileHandle.standardError.write(Data(((live ? "\r\u{1B}[2K" : "") + line + "\n").utf8))
        }
        if live { options.status = { line in FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8)) } }
        options.records = records
        options.seed = seed
        options.driverRate = driverRate
        options.rateLimits = !noRateLimits
        options.storePath = store
        options.serve = serve
        options.serveSeconds = serveSeconds
        let report = try await DemoRunner.run(options)
        if live { FileHandle.standardError.write(Data("\n".utf8)) }
        print(json ? try Render.json(report) : DemoRunner.text(report))
        if !report.converged || report.lostUpdates > 0 || report.duplicatesCreated > 0 {
            throw CLIError("the demo did not converge cleanly (see the report)", exitCode: 3)
        }
    }
}
