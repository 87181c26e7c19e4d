import ArgumentParser
import ConcordCore
import ConcordEngine
import ConcordMapping
import ConcordStore

/// `concord inspect`: one record's fields with their provenance.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a record's fields: the winning value, which CRM wrote it, when (HLC), and what it beat."
    )

    @OptionGroup var options: StoreOptions
    @Argument(help: "The canonical object (contact, company, deal, ...).") var object: String
    @Argument(help: "The record: its global id, its email or domain, or its id in any CRM.") var key: String

    func run() throws {
        let config = try options.loadConfig()
        let store = try options.openStore(readOnly: true)
        guard let id = try RecordLookup.find(key, object: object, store: store, config: config),
              let rec = try store.record(id) else {
            throw CLIError("no \(object) matches \(key)", exitCode: 2)
        }
        print("\(rec.objectType) \(id)  \(rec.state.isAlive ? "alive" : "deleted") (causal length \(rec.state.causalLength))")
        let links = try store.links(of: id)
        for crm in links.keys.sorted() { print("  \(crm) id: \(links[crm]!)") }
        print("")
        let conflicts = try store.conflicts(of: id, limit: 1000)
        for entry in rec.state.entries {
            let reg = entry.register
            print("\(entry.name)")
            print("  value     \(reg.value)")
            print("  written   by \(Render.writer(reg.stamp.site, config: config, local: store.siteID)) at \(Render.time(reg.stamp.hlc))")
            if let beat = conflicts.first(where: { $0.field == entry.name && $0.winner == reg }) {
                print("  beat      \(beat.loser.value) by \(Render.writer(beat.loser.stamp.site, config: config, local: store.siteID)) at \(Render.time(beat.loser.stamp.hlc)) (the later edit wins)")
            } else if let lost = conflicts.first(where: { $0.field == entry.name }) {
                print("  earlier   \(lost.winner.value) beat \(lost.loser.value)")
            }
        }
    }
}
