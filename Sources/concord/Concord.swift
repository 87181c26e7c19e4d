import ArgumentParser
import Foundation

/// The `concord` command: the one place where concrete types are wired together.
///
/// Exit codes: 0 success; 1 the work failed (a CRM, the store); 2 bad input (arguments,
/// configuration, a missing file); 3 a sync ran but did not converge or parked work.
@main
struct Concord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concord",
        abstract: "Field-level CRDT sync between Salesforce, HubSpot and Dynamics 365.",
        discussion: "Exit codes: 0 success, 1 failure, 2 bad input, 3 synced but not converged or work parked.",
        subcommands: [DemoCommand.self, SyncCommand.self, ServeCommand.self, StatusCommand.self, InspectCommand.self, RestoreCommand.self, QuarantineCommand.self, DeletesCommand.self,
                      MappingsCommand.self, ConfigCommand.self, EmulateCommand.self, BenchCommand.self,
                      ReplicateCommand.self, HubCommand.self, GetCommand.self, PutCommand.self, DeleteCommand.self]
    )

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            FileHandle.standardError.write(Data(("Error: " + error.description + "\n").utf8))
            Foundation.exit(error.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}
