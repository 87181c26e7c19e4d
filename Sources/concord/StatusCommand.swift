import ArgumentParser
import ConcordCore
import ConcordMapping
import ConcordStore
import Foundation

/// `concord status`: per CRM, where its pull stands and how far behind, what waits in the
/// outbox, what is quarantined, its last error, API calls today against the budget, and
/// its circuit state.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each CRM's cursor and lag, outbox depth, quarantine, last error, API budget and circuit state; and each replication peer's."
    )

    @OptionGroup var options: StoreOptions
    @Flag(help: "Print JSON.") var json = false

    struct CRMStatus: Codable {
        var crm: String
        var cursors: [String: String]
        var lagSeconds: Double?
        var outboxDepth: Int
        var failedPushes: Int
        /// Writes left with only references to records this CRM does not hold.
        var blockedPushes: Int
        var quarantined: Int
        /// Records synced without a reference to a record not linked yet.
        var heldReferences: Int
        /// Deletes the deletion guard holds until approved, by object.
        var deletionsHeld: [String: Int]
        var lastError: String?
        var lastPassAt: String?
        var apiCallsToday: Int
        var dailyBudget: Int?
        var circuit: String
    }

    func run() throws {
        let config = try options.loadConfig()
        let store = try options.openStore(readOnly: true)
        let rows = try Self.rows(config: config, store: store)
        let quarantine = try store.quarantined()
        if json {
            print(try Render.json(rows))
            return
        }
        print("Concord store \(options.store): \(try store.count()) records, \(try store.conflictCount()) conflicts resolved, \(quarantine.count) quarantined")
        for r in rows {
            print("")
            print("\(r.crm)")
            print("  last pass      \(r.lastPassAt ?? "never")")
            print("  lag            \(r.lagSeconds.map { String(format: "%.0f s since the oldest cursor moved", $0) } ?? "no pull yet")")
            print("  outbox         \(r.outboxDepth) waiting, \(r.failedPushes) refused (parked), \(r.blockedPushes) blocked (name records \(r.crm) does not hold)")
            print("  quarantined    \(r.quarantined)" + (r.heldReferences > 0 ? ", \(r.heldReferences) synced with a reference held back until its record is linked" : ""))
            for (object, count) in r.deletionsHeld.sorted(by: { $0.key < $1.key }) {
                print("  DELETES HELD   \(count) \(object) records \(r.crm) no longer shows wait for approval: "
                      + "concord deletes approve --crm \(r.crm) --object \(object)")
            }
            print("  API calls      \(r.apiCallsToday) today" + (r.dailyBudget.map { " of \($0) budget" } ?? ""))
            print("  circuit        \(r.circuit)")
            print("  last error     \(r.lastError ?? "none")")
        }
        let links = try store.peerLinks()
        if !links.isEmpty { print("") }
        for link in links {
            let toSend = try store.recordsChanged(after: link.sendFrom.after)
            let name = link.peer.hasPrefix("peer:") ? "replica \(link.peer.dropFirst(5)) (served)" : "hub \(link.peer)"
            print("\(name)")
            print("  last contact   \(link.lastContact.map(Render.millis) ?? "never")")
            if link.peer.hasPrefix("peer:") {
                print("  pending        \(toSend) records changed here after where it stood at its last request")
            } else {
                print("  pending        \(toSend) records to send, \(link.incomingPending) to receive (as of the last contact)")
            }
            if let e = link.lastError { print("  last error     \(e)") }
        }
    }

    /// The status of every configured CRM (also `GET /ops/status` of `concord serve`).
    static func rows(config: ConcordConfig, store: ConcordStore) throws -> [CRMStatus] {
        let now = WallClock.system.nowMillis()
        let depth = try store.outboxDepth()
        let quarantine = try store.quarantined()
        let states = Dictionary(uniqueKeysWithValues: try store.replicaStates().map { ($0.replica, $0) })
        let cursors = try store.cursors()
        let holds = try store.deletionHolds().filter { !$0.approved }
        var rows: [CRMStatus] = []
        for crm in config.activeCRMs {
            let mine = cursors.filter { $0.replica == crm }
            let oldest = mine.map(\.updatedAt).min()
            let state = states[crm]
            rows.append(CRMStatus(
                crm: crm,
                cursors: Dictionary(uniqueKeysWithValues: mine.map { ($0.objectType, $0.cursor) }),
                lagSeconds: oldest.map { Double(now &- $0) / 1000 },
                outboxDepth: depth[crm] ?? 0,
                failedPushes: try store.outbox(replica: crm, state: .failed).count,
                blockedPushes: try store.outbox(replica: crm, state: .blocked).count,
                quarantined: quarantine.filter { $0.replica == crm && !$0.rule.hasPrefix("held:") }.count,
                heldReferences: quarantine.filter { $0.replica == crm && $0.rule.hasPrefix("held:") }.count,
                deletionsHeld: Dictionary(uniqueKeysWithValues: holds.filter { $0.replica == crm }.map { ($0.objectType, $0.deletes) }),
                lastError: state?.lastError,
                lastPassAt: state.map { Render.millis($0.lastPassAt) },
                apiCallsToday: state?.callsToday ?? 0,
                dailyBudget: config.crms.first { $0.name == crm }?.rateLimit.dailyBudget,
                circuit: state?.circuit ?? "unknown"))
        }
        return rows
    }
}
