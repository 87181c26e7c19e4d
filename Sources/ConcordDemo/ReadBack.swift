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
    /// crm -> live record count
    var counts: [String: Int] = [:]
    /// Objects a CRM could not be read back for, with the reason.
    var unreadable: [String] = []

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
                            if !quarantined.contains("\(connector.name):\(object):\(r.id)") {
                                out.unlinked.append("\(connector.name)/\(object)/\(r.id)")
                            }
                            continue
                        }
                        out.table[object, default: [:]][gid, default: [:]][connector.name] = values
                    }
                    cursor = page.cursor
                    if !page.hasMore { break }
                }
            }
        }
        return out
    }

    /// Differences between CRMs: fields mapped (and writable) in two CRMs with different
    /// values, and linked records missing from a CRM that maps their object.
    func divergences(config: ConcordConfig, crms: [String], alive: Set<RecordID>, refused: Set<String> = []) -> [String] {
        compare(config: config, crms: crms, alive: alive, refused: refused).divergences
    }

    /// The records each CRM holds (read back), by global id.
    var held: [String: Set<RecordID>] {
        var out: [String: Set<RecordID>] = [:]
        for (_, records) in table { for (gid, byCRM) in records { for crm in byCRM.keys { out[crm, default: []].insert(gid) } } }
        return out
    }

    /// ``divergences(config:crms:alive:refused:)``, and apart from them the references a CRM
    /// holds blank because it does not hold the record they name (deleted there under the
    /// `ignore` policy, refused there): not a divergence, but reported.
    func compare(config: ConcordConfig, crms: [String], alive: Set<RecordID>,
                 refused: Set<String> = []) -> (divergences: [String], unheld: [String]) {
        var out: [String] = []
        var unheld: [String] = []
        let held = self.held
        for (object, records) in table {
            let mapped = crms.filter { config.mapping(crm: $0, object: object) != nil }
            for (gid, byCRM) in records where alive.contains(gid) {
                for crm in mapped where byCRM[crm] == nil && config.sync.objects[object]?.deletePolicy != .ignore
                    && !refused.contains("\(crm):\(gid)") {
                    out.append("\(object) \(gid) missing in \(crm)")
                }
                let present = mapped.filter { byCRM[$0] != nil }
                guard present.count > 1 else { continue }
                for field in config.object(object)?.fields.map(\.name) ?? [] {
                    // A CRM that refused Concord's write of this record (its own rule, reported
                    // as refused) is not expected to agree.
                    let holders = present.filter { crm in
                        guard let fm = config.mapping(crm: crm, object: object)?.field(field) else { return false }
                        return !fm.readOnly && !fm.createOnly && !refused.contains("\(crm):\(gid)")
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
                    if !agree {
                        out.append("\(object) \(gid) \(field): " + zip(holders, values).map { "\($0)=\($1)" }.joined(separator: " "))
                    }
                }
            }
        }
        return (out.sorted(), unheld.sorted())
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
