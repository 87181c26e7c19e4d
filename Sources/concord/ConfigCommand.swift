import ArgumentParser
import ConcordMapping
import Foundation

/// `concord config check FILE`: validates a configuration without touching anything.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with concord.yaml configuration files.",
        subcommands: [Check.self]
    )

    /// Loads the file over the shipped defaults and reports the first error with its position.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a configuration file (defaults merged in); exit 1 with file:line:column on error.",
            discussion: "Nothing is written and nothing is contacted. Warnings (unset environment variables, "
                + "secrets written in the file, match keys a CRM does not map) go to standard error and do not fail the check."
        )

        @Argument(help: "The configuration file to check.")
        var file: String

        mutating func run() async throws {
            do {
                let config = try ConfigLoader.load(path: file)
                let mapped = config.mappings.filter { config.activeCRMs.contains($0.crm) }.count
                for w in ConfigLint.warnings(config, environment: ProcessInfo.processInfo.environment) {
                    FileHandle.standardError.write(Data("\(file): warning: \(w)\n".utf8))
                }
                print("\(file): OK (\(config.crms.count) CRM\(config.crms.count == 1 ? "" : "s"), "
                      + "\(config.objects.count) objects, \(mapped) active object mappings)")
            } catch {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                throw ExitCode(1)
            }
        }
    }
}
