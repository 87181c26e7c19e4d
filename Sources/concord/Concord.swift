import ArgumentParser

/// The `concord` command: the one place where concrete types are wired together.
@main
struct Concord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concord",
        abstract: "Field-level CRDT sync between Salesforce, HubSpot and Dynamics 365.",
        subcommands: [ConfigCommand.self, MappingsCommand.self, QuarantineCommand.self, BenchCommand.self]
    )
}
