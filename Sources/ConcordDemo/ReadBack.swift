import ConcordConnectors
import ConcordCore
import ConcordEngine
import ConcordMapping
import ConcordStore

/// Reads every CRM back through its connector (not from Concord's store) and compares the
/// canonical values of each linked record across CRMs.
struct ReadBack {
    /// object -> gid -> crm -> canonical values
    var table: [String: [RecordID: [String: [String: Value]]]] = [:]
    /// Records a CRM holds that Concord never linked: crm/object/id.
    var unlinked: [String] = []
    /// crm -> object -> canonical key value -> CRM ids (for duplicate checks)
    var byKey: [String: [String: [Value: [String]]]] = [:]
    /// crm -> CRM id -> the Concord record it is linked to (records read back only).
    var linked: [String: [String: RecordID]] = [:]
    /// crm -> live record count
    var counts: [String: Int] = [:]
    /// Objects a CRM could not be read back for, with the reason.
    var unreadable: [String] = []
    /// Records a CRM holds that Concord did not link because they are quarantined: crm/object/id.
    var quarantined: [String] = []

    static func read(config: ConcordConfig, connectors: [any CRMConnector], engine: SyncEngine) async throws -> ReadBack {
        var out = ReadBack()
        // Records held back by the quarantine are reported as such, not as unsynced.
        let quarantined = Set(try await engine.withStore { try $0.quarantined().map(\.key) })
        for connector in connectors {
            for object in config.objects.map(\.name) {
                guard let mapping = config.mapping(crm: connector.name, object: object) else { continue }
                let links = try await engine.withStore { try $0.links(replica: connector.name, objectType: object) }
                let resolver = LinksResolver(links: try await engine.withStore { s in
                    var all: [String: [String: RecordID]] = [:]
                    for o in config.objects.map(\.name) { all[o] = try s.links(replica: connector.name, objectType: o) }
                    return all
                })
                let mapper = RecordMapper(config: config, resolver: resolver)
                var cursor: String?
                for _ in 0..<10_000 {
                    let page: PullPage
                    do {
                        page = try await connector.pull(PullRequest(object: mapping.crmObject, fields: mapping.fields.map(\.crmField),
                                                                    cursor: cursor, pageSize: connector.pullPageSize,
                                                                    discriminator: mapping.discriminator))
                    } catch {
                        out.unreadable.append("\(connector.name) \(object): \(error.description)")
                        break
                    }
                    for r in page.records where !r.isDeleted {
                        out.counts[connector.name, default: 0] += 1
                        let values = (try? mapper.inbound(crm: connector.name, object: object, raw: r.fields).values) ?? [:]
                        for key in config.sync.objects[object]?.matchKeys ?? [] {
                            if let v = values[key], !v.isBlank { out.byKey[connector.name, default: [:]][object, default: [:]][v, default: []].append(r.id) }
                        }
                        guard let gid = links[r.id] else {
                            if quarantined.contains("\(connector.name):\(object):\(r.id)") {
                                out.quarantined.append("\(connector.name)/\(object)/\(r.id)")
                            } else {
                                out.unlinked.append("\(connector.name)/\(object)/\(r.id)")
                            }
                            continue
                        }
                        out.table[object, default: [:]][gid, default: [:]][connector.name] = values
                        out.linked[connector.name, default: [:]][r.id] = gid
                    }
                    cursor = page.cursor
                    if !page.hasMore { break }
                }
            }
        }
        return out
    }

    /// What the store says about the records, for judging the read-back.
    struct Facts: Sendable {
        /// Records alive in Concord.
        var alive: Set<RecordID>
        /// `crm:gid` -> the error of a write the CRM refused for good.
        var refused: [String: String]
        /// `crm:gid` of records Concord saw deleted in that CRM.
        var deletedIn: Set<String>
        /// `crm:gid` of records with a change from that CRM waiting in the quarantine (a
        /// value that failed validation, or a reference held until its record is linked).
        var quarantined: Set<String>

        /// Reads them from the engine's store.
        static func read(_ engine: SyncEngine, config: ConcordConfig) async throws -> Facts {
            try await engine.withStore { s in
                let records = try s.allRecords()
                var refused: [String: String] = [:]
                var deletedIn = Set<String>()
                for crm in config.activeCRMs {
                    for item in try s.outbox(replica: crm, state: .failed) { refused["\(crm):\(item.record)"] = item.lastError ?? "refused" }
                    for (gid, _) in records where try s.shadow(replica: crm, record: gid)[SyncEngine.deletedMarker] == .bool(true) {
                        deletedIn.insert("\(crm):\(gid)")
                    }
                }
                var quarantined = Set<String>()
                for row in try s.quarantined() {
                    if let gid = try s.linkedRecord(replica: row.replica, objectType: row.objectType, externalID: row.recordKey) {
                        quarantined.insert("\(row.replica):\(gid)")
                    }
                }
                return Facts(alive: Set(records.filter { $0.value.state.isAlive }.keys), refused: refused, deletedIn: deletedIn,
                             quarantined: quarantined)
            }
        }

        /// A refusal a CRM rule explains: the CRM's own validation of the values (a unique
        /// email another record holds there), or a field the CRM requires that names a record
        /// it cannot hold (a Salesforce note about a contact deleted there). Any other is not.
        func explainedRefusal(_ crm: String, _ gid: RecordID) -> Bool {
            guard let error = refused["\(crm):\(gid)"] else { return false }
            return error.hasPrefix("\(crm): validation") || error.hasPrefix("\(crm) requires ")
        }
    }

    /// The read-back judged: each kind of difference counted apart.
    struct Comparison {
        /// Differences no rule explains: fields mapped (and writable) in two CRMs with
        /// different values, and live records missing from a CRM that maps their object.
        var divergences: [String] = []
        /// References a CRM holds blank because it does not hold the record they name.
        var unheld: [String] = []
        /// Live records missing from a CRM because they were deleted there and the object's
        /// delete policy is `ignore`.
        var ignoredDeletes: [String] = []
        /// Records a CRM refused by its own validation rule (not compared there).
        var refused: [String] = []
        /// Fields that differ where a CRM's change of the record waits in the quarantine.
        var quarantined: [String] = []
    }

    /// Differences between CRMs (see ``Comparison/divergences``).
    func divergences(config: ConcordConfig, crms: [String], facts: Facts) -> [String] {
        compare(config: config, crms: crms, facts: facts).divergences
    }

    /// The records each CRM holds (read back), by global id.
    var held: [String: Set<RecordID>] {
        var out: [String: Set<RecordID>] = [:]
        for (_, records) in table { for (gid, byCRM) in records { for crm in byCRM.keys { out[crm, default: []].insert(gid) } } }
        return out
    }

    /// Compares every linked record across the CRMs that map its object.
    func compare(config: ConcordConfig, crms: [String], facts: Facts) -> Comparison {
        var result = Comparison()
        let alive = facts.alive
        var out: [String] = []
        var unheld: [String] = []
        let held = self.held
        for (object, records) in table {
            let mapped = crms.filter { config.mapping(crm: $0, object: object) != nil }
            for (gid, byCRM) in records where alive.contains(gid) {
                for crm in mapped where byCRM[crm] == nil {
                    if facts.explainedRefusal(crm, gid) {
                        result.refused.append("\(object) \(gid) in \(crm): \(facts.refused["\(crm):\(gid)"] ?? "")")
                    } else if config.sync.objects[object]?.deletePolicy == .ignore && facts.deletedIn.contains("\(crm):\(gid)") {
                        result.ignoredDeletes.append("\(object) \(gid) deleted in \(crm)")
                    } else {
                        out.append("\(object) \(gid) missing in \(crm)" + (facts.refused["\(crm):\(gid)"].map { " (refused: \($0))" } ?? ""))
                    }
                }
                let present = mapped.filter { byCRM[$0] != nil }
                guard present.count > 1 else { continue }
                for field in config.object(object)?.fields.map(\.name) ?? [] {
                    // A CRM that refused Concord's write of this record (its own rule, reported
                    // as refused) is not expected to agree.
                    let holders = present.filter { crm in
                        guard let fm = config.mapping(crm: crm, object: object)?.field(field) else { return false }
                        return !fm.readOnly && !fm.createOnly && !facts.explainedRefusal(crm, gid)
                    }
                    // A create-only field (Salesforce Note.ParentId) keeps what the record was
                    // created with: a later change elsewhere cannot reach it. Counted, not a divergence.
                    for crm in present where config.mapping(crm: crm, object: object)?.field(field)?.createOnly == true {
                        guard let other = holders.first, let mine = byCRM[crm], let theirs = byCRM[other],
                              let m = config.mapping(crm: crm, object: object) else { continue }
                        let expected = normalize(m.projectGroups(theirs)[field])
                        if normalize(mine[field]) != expected {
                            unheld.append("\(object) \(gid) \(field): \(crm)=\(normalize(mine[field])) (create-only there) \(other)=\(normalize(theirs[field]))")
                        }
                    }
                    guard holders.count > 1 else { continue }
                    let values = holders.map { normalize(byCRM[$0]?[field]) }
                    // A blank where the others name a record this CRM does not hold: it cannot say more.
                    let named = Set(values.compactMap { v -> RecordID? in if case .reference(let id) = v { return id } else { return nil } })
                    if named.count == 1, let target = named.first,
                       zip(holders, values).allSatisfy({ crm, v in v == .reference(target) || (v == .null && !(held[crm]?.contains(target) ?? false)) }) {
                        if values.contains(.null) {
                            unheld.append("\(object) \(gid) \(field): " + zip(holders, values).map { "\($0)=\($1)" }.joined(separator: " "))
                        }
                        continue
                    }
                    // Equal, or equal once one CRM's value is put into the other's value set
                    // (a many-to-one picklist table holds "negotiation" as HubSpot's "proposal").
                    var agree = true
                    // A CRM holding one reference of a polymorphic group agrees with what it can
                    // hold of another CRM's references.
                    func asHeld(by crm: String, from other: String) -> Value? {
                        guard let m = config.mapping(crm: crm, object: object), m.group(of: field) != nil, let v = byCRM[other] else { return nil }
                        return normalize(m.projectGroups(v)[field])
                    }
                    for i in holders.indices { for j in holders.indices where i < j {
                        let (a, b) = (values[i], values[j])
                        if a != b && a != project(b, holders[i], object, field, config) && b != project(a, holders[j], object, field, config)
                            && a != asHeld(by: holders[i], from: holders[j]) && b != asHeld(by: holders[j], from: holders[i]) {
                            agree = false
                        }
                    } }
                    if !agree && holders.contains(where: { facts.quarantined.contains("\($0):\(gid)") }) {
                        result.quarantined.append("\(object) \(gid) \(field): " + zip(holders, values).map { "\($0)=\($1)" }.joined(separator: " "))
                    } else if !agree {
                        out.append("\(object) \(gid) \(field): " + zip(holders, values).map { "\($0)=\($1)" }.joined(separator: " "))
                    }
                }
            }
        }
        result.divergences = out.sorted()
        result.unheld = unheld.sorted()
        result.refused += refusedPresent(config: config, facts: facts)
        return result
    }

    /// Records present in a CRM that refused a write of them by its own rule.
    private func refusedPresent(config: ConcordConfig, facts: Facts) -> [String] {
        var out: [String] = []
        for (object, records) in table {
            for (gid, byCRM) in records where facts.alive.contains(gid) {
                for crm in byCRM.keys where facts.explainedRefusal(crm, gid) {
                    out.append("\(object) \(gid) in \(crm): \(facts.refused["\(crm):\(gid)"] ?? "")")
                }
            }
        }
        return out.sorted()
    }

    func normalize(_ v: Value?) -> Value { guard let v, !v.isBlank else { return .null }; return v }

    /// `v` mapped out to `crm` and back in.
    func project(_ v: Value, _ crm: String, _ object: String, _ field: String, _ config: ConcordConfig) -> Value {
        if case .reference = v { return v }
        let mapper = RecordMapper(config: config)
        guard let out = try? mapper.outbound(crm: crm, object: object, values: [field: v]), out.failures.isEmpty,
              let back = try? mapper.inbound(crm: crm, object: object, raw: out.fields), back.failures.isEmpty,
              let p = back.values[field] else { return v }
        return normalize(p)
    }
}

/// A resolver over a snapshot of the links table.
struct LinksResolver: ReferenceResolver {
    /// object -> CRM id -> gid, for one CRM.
    var links: [String: [String: RecordID]]
    func recordID(crm: String, object: String, externalID: String) -> RecordID? { links[object]?[externalID] }
    func externalID(crm: String, object: String, recordID: RecordID) -> String? {
        links[object]?.first { $0.value == recordID }?.key
    }
}
