import ConcordConnectors
import ConcordCore
import ConcordMapping
import ConcordStore

/// Creates without an upsert key (Salesforce notes, Dataverse annotations: `external_id:
/// none`) whose outcome is unknown: the CRM may hold the record, or not. Sending such a
/// create again could make a duplicate, so the item stays `sending` and is reconciled first:
/// by the object's natural keys, else by what Concord sent. A record found is linked as if
/// the create had answered; one clearly not there is sent again.
extension SyncEngine {
    /// Reconciles a replica's creates left `sending` (by a crash, a timeout, an unanswered
    /// batch part) before the replica is pulled, so the pull never takes a record Concord
    /// created for a new one. A lookup that fails parks the replica: pulling it then could
    /// copy Concord's own record back as a new one.
    func reconcileSending(replica: String, into r: inout PassReport.Replica) async {
        guard let connector = connectors[replica] else { return }
        let items: [OutboxItem]
        do { items = try store.outbox(replica: replica, state: .sending) } catch {
            r.lastError = "reading the creates sent to \(replica) with an unknown outcome failed: \(error)"
            r.parked = true
            return
        }
        for item in items {
            guard let mapping = config.mapping(crm: replica, object: item.objectType), mapping.externalIDField == nil else { continue }
            do {
                guard let rec = try store.record(item.record) else { continue }  // the push completes it
                if try await reconcileCreate(item, rec: rec, replica: replica, object: item.objectType, mapping: mapping,
                                             connector: connector) {
                    r.matched += 1
                } else {
                    try store.failOutbox(item.id, error: "\(replica) holds no \(item.objectType) matching the create sent with an unknown "
                                         + "outcome (\(item.lastError ?? "Concord stopped while it was sent")): sending it again",
                                         permanent: false)
                }
            } catch {
                r.lastError = "looking up in \(replica) the \(item.objectType) \(item.record) whose create has an unknown outcome failed "
                    + "(it is not sent again until it is found or known absent): \(error)"
                r.parked = true
                return
            }
        }
    }

    /// A create handed to a CRM without an upsert key, with an unknown outcome: looks the
    /// record up (natural keys first, then the fields sent); if it landed, links it (shadow
    /// and plan as for an answered create) and completes the item. Returns whether it did.
    func reconcileCreate(_ item: OutboxItem, rec: StoredRecord, replica: String, object: String, mapping: ObjectMapping,
                         connector: any CRMConnector) async throws -> Bool {
        var found = try await findByNaturalKey(rec, replica: replica, object: object, mapping: mapping, connector: connector)
        if found == nil {
            found = try await findSentCreate(item, rec: rec, replica: replica, object: object, mapping: mapping, connector: connector)
        }
        guard let found else { return false }
        try store.transaction { s throws(StoreError) in
            try s.setLink(replica: replica, objectType: object, externalID: found, record: item.record)
            // The shadow holds what the create sent (written before it was sent); what changed
            // in Concord since is planned below.
            try s.updateShadow(replica: replica, record: item.record, fields: [Self.deletedMarker: .bool(false)])
            try s.completeOutbox([item.id])
            try plan(item.record, objectType: object)
        }
        return true
    }

    /// The one record of `replica` that carries the record's natural key (email, domain).
    func findByNaturalKey(_ rec: StoredRecord, replica: String, object: String, mapping: ObjectMapping,
                          connector: any CRMConnector) async throws -> String? {
        for key in matchKeys(object) {
            guard let fm = mapping.field(key), let value = matchKeyValue(key, object: object, in: rec.state),
                  let wire = try? RecordMapper(config: config).outbound(crm: replica, object: object, values: [key: value]).fields[fm.crmField],
                  let text = wire.text else { continue }
            let found = try await connector.find(object: mapping.crmObject, field: fm.crmField, values: [text], fields: [fm.crmField])
            if found.count == 1 { return found[0].id }
        }
        return nil
    }

    /// The record a create without natural keys made, if it is there: found by a searchable
    /// field it sent (short text first, then a reference), and taken only if every field
    /// sent that reads back under its own name has the value sent, no Concord record is
    /// linked to it, and it changed no earlier than the item was planned minus the allowed
    /// clock offset (`sync.max_clock_offset_seconds`). Of several, the oldest id is taken.
    /// `nil` when no field can be searched: the create is then sent again.
    func findSentCreate(_ item: OutboxItem, rec: StoredRecord, replica: String, object: String, mapping: ObjectMapping,
                        connector: any CRMConnector) async throws -> String? {
        let desired = desiredValues(rec.state, object: object, mapping: mapping)
        let mapper = RecordMapper(config: config, resolver: StoreResolver(store: store))
        guard var sent = try? mapper.outbound(crm: replica, object: object, values: desired, isCreate: true).fields else { return nil }
        for (field, value) in mapping.discriminator where sent[field] == nil { sent[field] = .string(value) }
        let readable = Set(mapping.fields.filter { $0.writeField == $0.crmField && $0.copyTo.isEmpty }.map(\.crmField))
            .union(mapping.discriminator.keys)
        var compared = sent.filter { readable.contains($0.key) }
        // A reference written through a bind (Dataverse `objectid_contact@odata.bind`) reads
        // back as the bare id under its read field (`_objectid_value`).
        for fm in mapping.fields where fm.writeField != fm.crmField && compared[fm.crmField] == nil {
            guard case .reference(let target)? = desired[fm.canonical],
                  (mapping.group(of: fm.canonical) ?? [fm.canonical]).first(where: { !(desired[$0]?.isBlank ?? true) }) == fm.canonical,
                  let id = try store.externalID(replica: replica, record: try store.survivor(of: target) ?? target) else { continue }
            compared[fm.crmField] = .string(id)
        }
        guard let (field, text) = searchField(compared, object: object, mapping: mapping) else { return nil }
        let candidates = try await connector.find(object: mapping.crmObject, field: field, values: [text], fields: compared.keys.sorted())
        let margin = UInt64(max(0, config.sync.maxClockOffsetSeconds)) * 1000
        for candidate in candidates.sorted(by: { $0.id < $1.id }) where !candidate.isDeleted {
            if let at = candidate.modifiedAt, at &+ margin < item.createdAt { continue }
            guard compared.allSatisfy({ Self.sameWire($0.value, candidate.fields[$0.key]) }) else { continue }
            if try store.linkedRecord(replica: replica, objectType: object, externalID: candidate.id) != nil { continue }
            return candidate.id
        }
        return nil
    }

    /// A field of `sent` to search by: a non-blank short text (255 characters at most, what
    /// CRMs let a query filter on) in mapping order, else a reference.
    func searchField(_ sent: [String: WireValue], object: String, mapping: ObjectMapping) -> (String, String)? {
        var reference: (String, String)?
        for fm in mapping.fields {
            guard let value = sent[fm.crmField], !value.isBlank, let text = value.text,
                  let def = config.object(object)?.field(fm.canonical) else { continue }
            switch def.type {
            case .string, .email, .phone, .picklist:
                if min(fm.maxLength ?? .max, def.maxLength ?? .max) <= 255 { return (fm.crmField, text) }
            case .reference:
                if reference == nil { reference = (fm.crmField, text) }
            default:
                continue
            }
        }
        return reference
    }

    /// Whether a value read back is the value sent (blank equals blank; otherwise the text,
    /// ignoring case only where both are GUIDs).
    static func sameWire(_ sent: WireValue, _ read: WireValue?) -> Bool {
        let read = read ?? .null
        if sent.isBlank || read.isBlank { return sent.isBlank && read.isBlank }
        guard let a = sent.text, let b = read.text else { return false }
        return a == b || (a.count == 36 && b.count == 36 && a.lowercased() == b.lowercased())
    }
}
