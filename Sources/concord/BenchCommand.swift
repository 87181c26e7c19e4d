import ArgumentParser

/// `concord bench`: user-facing benchmarks that measure on this machine, in one run.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Concord on this machine (figures are from this run only).",
        subcommands: [BenchMergeCommand.self, BenchHTTPCommand.self, BenchSyncCommand.self, BenchChaosCommand.self, BenchLatencyCommand.self, BenchReplicateCommand.self, BenchReplicateSoakCommand.self]
    )
}
