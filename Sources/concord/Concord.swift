import ArgumentParser

@main
struct Concord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concord",
        abstract: "Field-level CRDT sync between Salesforce, HubSpot and Dynamics 365.",
        subcommands: []
    )
}
