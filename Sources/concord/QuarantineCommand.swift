import ArgumentParser
import ConcordEngine
import ConcordMapping
import ConcordStore
import Foundation

/// `concord quarantine list|show|retry|drop`: manage changes that failed validation.
///
/// Written against the ``QuarantineStore`` protocol; ``QuarantineWiring`` opens the store's
/// SQLite quarantine.
struct QuarantineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "List, inspect, retry or drop quarantined changes.",
        subcommands: [List.self, Show.self, Retry.self, Drop.self]
    )

    struct Options: ParsableArguments {
        @Option(name: .long, help: "The Concord store file.")
        var store: String = "concord.sqlite"

        @Option(name: .long, help: "The configuration file (retry maps with it); the shipped defaults when omitted.")
        var config: String?

        func openStore() throws -> any QuarantineStore { try QuarantineWiring.openStore(path: store) }

        func loadConfig() throws -> ConcordConfig {
            do {
                return try config.map { p throws(ConfigError) in try ConfigLoader.load(path: p) } ?? ConfigLoader.defaults()
            } catch let error as ConfigError {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                throw ExitCode(1)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List quarantined changes, oldest first.")
        @OptionGroup var options: Options
        @Option(name: .long, help: "Only this canonical object.") var object: String?

        mutating func run() async throws {
            let store = try options.openStore()
            print(QuarantineReport.list(try await store.list(object: object)), terminator: "")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one entry: raw input and every failure.")
        @OptionGroup var options: Options
        @Argument(help: "The entry id.") var id: String

        mutating func run() async throws {
            guard let entry = try await options.openStore().get(id: id) else {
                throw QuarantineCLIError(message: "no quarantine entry \(id)")
            }
            print(QuarantineReport.show(entry), terminator: "")
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-run mapping and validation of the stored raw input with the current configuration.")
        @OptionGroup var options: Options
        @Argument(help: "Entry ids; all entries when none is given.") var ids: [String] = []

        mutating func run() async throws {
            // The engine re-runs the stored input and, when it passes, merges and plans it
            // like a pulled record; the next `concord sync` pushes it.
            let config = try options.loadConfig()
            let engine = try SyncEngine(storePath: options.store, config: config, connectors: [], wallClock: .system)
            let outcomes = try await engine.retryQuarantined(keys: ids.isEmpty ? nil : ids)
            let store = try options.openStore()
            for id in (ids.isEmpty ? outcomes.keys.sorted() : ids) {
                switch outcomes[id] {
                case true?: print("\(id): released and merged; the next `concord sync` pushes it")
                case false?:
                    let reasons = try await store.get(id: id)?.failures.map(\.description) ?? []
                    print("\(id): still failing\n" + reasons.map { "  " + $0 }.joined(separator: "\n"))
                case nil: print("\(id): no such quarantine entry (or not CRM input)")
                }
            }
        }
    }

    struct Drop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Discard entries for good.")
        @OptionGroup var options: Options
        @Argument(help: "Entry ids.") var ids: [String]

        mutating func run() async throws {
            let store = try options.openStore()
            for id in ids {
                print(try await store.remove(id: id) ? "\(id): dropped" : "\(id): no such quarantine entry")
            }
        }
    }
}

/// The single place where the CLI gets its quarantine store: the store file's own table.
enum QuarantineWiring {
    static func openStore(path: String) throws -> any QuarantineStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw QuarantineCLIError(message: "no Concord store at \(path) (use --store to name it)")
        }
        return StoreQuarantine(handle: try StoreHandle(path: path, wallClock: .system))
    }
}

/// A quarantine command failure, printed as `Error: message` (exit code 1).
struct QuarantineCLIError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
