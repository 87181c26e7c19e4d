import ArgumentParser
import ConcordMapping
import Foundation

/// `concord mappings doc [--object NAME] [--config FILE]`: the active mapping as Markdown.
struct MappingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mappings",
        abstract: "Show how canonical fields map onto each CRM.",
        subcommands: [Doc.self]
    )

    /// Renders the mapping document.
    struct Doc: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render the active mapping as Markdown tables (field, type, rule, each CRM's field and transform)."
        )

        @Option(name: .long, help: "Only this canonical object (e.g. contact).")
        var object: String?

        @Option(name: .long, help: "The configuration file; the shipped defaults when omitted.")
        var config: String?

        mutating func run() async throws {
            do {
                let loaded = try config.map { path throws(ConfigError) in try ConfigLoader.load(path: path) }
                    ?? ConfigLoader.defaults()
                print(try MappingDoc.render(loaded, object: object), terminator: "")
            } catch let error as ConfigError {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                throw ExitCode(1)
            } catch let error as MappingDoc.UnknownObject {
                FileHandle.standardError.write(Data(("error: " + error.description + "\n").utf8))
                throw ExitCode(1)
            }
        }
    }
}
