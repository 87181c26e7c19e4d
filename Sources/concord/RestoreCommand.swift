import ArgumentParser
import ConcordCore
import ConcordEngine
import ConcordMapping
import ConcordStore

/// `concord restore`: brings a deleted record back in every CRM (on the next sync).
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Bring a deleted record back everywhere; the next `concord sync` re-creates it in each CRM."
    )

    @OptionGroup var options: StoreOptions
    @Argument(help: "The canonical object.") var object: String
    @Argument(help: "The record: global id, email or domain, or a CRM id.") var key: String

    func run() async throws {
        let config = try options.loadConfig()
        let id: RecordID
        do {
            let store = try options.openStore()
            guard let found = try RecordLookup.find(key, object: object, store: store, config: config) else {
                throw CLIError("no \(object) matches \(key)", exitCode: 2)
            }
            id = found
        }
        let engine = try SyncEngine(storePath: options.store, config: config, connectors: [], wallClock: .system)
        if try await engine.restore(id) {
            let planned = try await engine.withStore { s in try config.activeCRMs.flatMap { try s.outbox(replica: $0).filter { $0.record == id } } }
            print("restored \(object) \(id); planned: " + planned.map { "\($0.operation.rawValue) in \($0.replica)" }.joined(separator: ", "))
        } else {
            print("\(object) \(id) is not deleted; nothing to restore")
        }
    }
}
