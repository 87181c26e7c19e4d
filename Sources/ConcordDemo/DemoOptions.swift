import ConcordConnectors
import ConcordMapping

/// What `concord demo` runs.
public struct DemoOptions: Sendable {
    /// Synthetic people per CRM slice (companies, deals and activities scale from it).
    public var records = 2_500
    /// Seed of the data and of the human-user driver.
    public var seed: UInt64 = 7
    /// Driver changes per second while the sync runs (0 turns the driver off).
    public var driverRate = 40.0
    /// How many passes run while the driver is editing.
    public var passesWithDriver = 2
    /// Whether the sync runs as `concord serve` while the simulated user edits (webhooks in,
    /// a safety-net pass every `sync.poll_interval_seconds`) instead of polling passes.
    public var serve = false
    /// With ``serve``: how long the simulated user edits after the first pass, in seconds.
    public var serveSeconds = 60.0
    /// Whether the emulators enforce their CRMs' rate limits.
    public var rateLimits = true
    /// Where the store lives (a temp file by default).
    public var storePath: String?
    /// Builds connectors for a configuration: the CLI's wiring.
    public var makeConnectors: @Sendable (ConcordConfig) throws -> [any CRMConnector]
    /// Receives progress lines.
    public var progress: @Sendable (String) -> Void
    /// Receives progress within a pass after every page and batch, each line replacing the
    /// last (set when output is a terminal). When `nil`, that progress goes to ``progress``
    /// once per object and phase, line by line.
    public var status: (@Sendable (String) -> Void)?

    /// Creates options with the given wiring.
    public init(makeConnectors: @escaping @Sendable (ConcordConfig) throws -> [any CRMConnector],
                progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.makeConnectors = makeConnectors
        self.progress = progress
    }
}
