import ArgumentParser
import CRMEmulators

/// `concord emulate`: runs local Salesforce, HubSpot and Dataverse emulators until interrupted.
struct EmulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulate",
        abstract: "Run local emulators of the Salesforce, HubSpot and Dataverse APIs on 127.0.0.1."
    )

    @Option(help: "salesforce, hubspot, dynamics or all.")
    var crm: String = "all"

    @Option(help: "First port (salesforce; hubspot +1, dynamics +2). 0 picks free ports.")
    var port: Int = 0

    @Option(help: "Seed of the synthetic data and fault generators.")
    var seed: UInt64 = 1

    @Option(help: "Synthetic people per CRM world.")
    var records: Int = 100

    @Option(help: "Faults, e.g. latency=200,error500=0.05,storm=30,drop=0.01,partial=0.1,skew=-5000,offline=10,stall=600,ratelimits=off")
    var faults: String?

    @Option(name: .customLong("write-config"), help: "Write a YAML `crms:` configuration pointing at the emulators.")
    var writeConfig: String?

    @Option(help: "JSON state file: loaded at start if present, written on exit.")
    var state: String?

    func run() async throws {
        do {
            try await EmulatorCLI.run(crm: crm, port: port, seed: seed, records: records, faults: faults, writeConfig: writeConfig, state: state)
        } catch let error as EmulatorCLIError {
            throw ValidationError(error.message)
        }
    }
}
