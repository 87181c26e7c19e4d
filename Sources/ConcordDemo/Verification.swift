import ConcordConnectors
import ConcordCore
import ConcordEngine
import ConcordMapping

/// A check of a finished sync by reading every CRM back through its connector.
public struct Verification: Sendable {
    /// Differences between CRMs (first few).
    public var divergences: [String]
    /// CRM records Concord never linked.
    public var unlinked: [String]
    /// Groups of records in one CRM sharing a natural key (email, domain).
    public var duplicateGroups: [String]
    /// Live records per CRM.
    public var counts: [String: Int]

    /// Whether every linked record agrees everywhere and every record is linked.
    public var converged: Bool { divergences.isEmpty && unlinked.isEmpty }

    /// Reads the CRMs back and compares them, using the engine's links to pair records.
    public static func check(config: ConcordConfig, connectors: [any CRMConnector], engine: SyncEngine) async throws -> Verification {
        let rb = try await ReadBack.read(config: config, connectors: connectors, engine: engine)
        let facts = try await ReadBack.Facts.read(engine, config: config)
        var groups: [String] = []
        for (crm, objects) in rb.byKey {
            for (object, byValue) in objects {
                for (value, ids) in byValue where ids.count > 1 { groups.append("\(crm) \(object) \(value): \(ids.sorted())") }
            }
        }
        return Verification(divergences: rb.unreadable.map { "could not read back: \($0)" }
                                + rb.divergences(config: config, crms: connectors.map(\.name), facts: facts),
                            unlinked: rb.unlinked, duplicateGroups: groups.sorted(), counts: rb.counts)
    }
}
