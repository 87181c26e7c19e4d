import ConcordConnectors
import ConcordCore
import ConcordEngine
import ConcordMapping
import ConcordTesting
import Foundation
import Logging

/// Three in-memory CRMs named like the shipped defaults, an engine over a temp store.
struct World {
    let sf: InMemoryCRM
    let hs: InMemoryCRM
    let dv: InMemoryCRM
    let engine: SyncEngine
    let path: String
    let config: ConcordConfig

    init(config: ConcordConfig? = nil, t0: UInt64 = 1_700_000_000_000) throws {
        let config = try config ?? ConfigLoader.defaults()
        self.config = config
        sf = InMemoryCRM(name: "salesforce", kind: .salesforce, now: t0, pushBatchSize: 200, pullPageSize: 50)
        hs = InMemoryCRM(name: "hubspot", kind: .hubspot, now: t0, pushBatchSize: 100, pullPageSize: 30)
        dv = InMemoryCRM(name: "dynamics", kind: .dynamics, now: t0, pushBatchSize: 100, pullPageSize: 40)
        path = NSTemporaryDirectory() + "concord-engine-" + UUID().uuidString + ".sqlite"
        let wall = WallClock { UInt64(Date().timeIntervalSince1970 * 1000) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        engine = try SyncEngine(storePath: path, config: config, connectors: [sf, hs, dv], wallClock: wall, logger: logger)
    }

    func remove() {
        for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) }
    }

    /// Every CRM's contacts as canonical email -> (first, last, title).
    func contacts() async -> [String: [String: [String: String]]] {
        var out: [String: [String: [String: String]]] = [:]
        let layouts: [(InMemoryCRM, String, String, String, String, String)] = [
            (sf, "Contact", "Email", "FirstName", "LastName", "Title"),
            (hs, "contacts", "email", "firstname", "lastname", "jobtitle"),
            (dv, "contacts", "emailaddress1", "firstname", "lastname", "jobtitle"),
        ]
        for (crm, object, email, first, last, title) in layouts {
            var byEmail: [String: [String: String]] = [:]
            for (_, f) in await crm.records(object) {
                let key = (f[email]?.text ?? "?").lowercased()
                byEmail[key] = ["first": f[first]?.text ?? "", "last": f[last]?.text ?? "", "title": f[title]?.text ?? ""]
            }
            out[crm.name] = byEmail
        }
        return out
    }
}
