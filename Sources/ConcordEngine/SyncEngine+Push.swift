import ConcordConnectors
import ConcordCore
import ConcordMapping
import ConcordStore

/// One outbox item turned into a CRM write.
struct PreparedPush {
    var item: OutboxItem
    var push: PushItem
    var values: [String: Value]
    var isCreate: Bool
    var isDelete: Bool
    /// References left out because the target record is not in this CRM yet.
    var deferred: [String] = []
    /// References left out (or cleared) because the record they name cannot be in this
    /// CRM: kept as a blocked item, re-armed each push in case it appears.
    var unheld: [String] = []
}

extension SyncEngine {
    /// Pushes a replica's outbox in batches, referenced objects first. Stops (parks the rest)
    /// when the CRM throttles, runs out of quota or fails; refused items are parked as failed.
    func push(replica: String, into r: inout PassReport.Replica) async {
        guard let connector = connectors[replica] else { return }
        // Items planned while this push runs (a deferred reference re-planned) wait for the next pass.
        guard (try? store.rearmBlocked(replica: replica)) != nil, let newest = try? store.lastOutboxID() else {
            r.lastError = "reading the outbox failed"
            return
        }
        for object in order {
            guard let mapping = config.mapping(crm: replica, object: object) else { continue }
            var after: Int64 = 0
            var pushedForObject = 0
            while true {
                if stopRequested(&r) { return }
                let chunk: [OutboxItem]
                do {
                    chunk = try store.openOutbox(replica: replica, objectType: object, after: after, through: newest,
                                                 limit: connector.pushBatchSize)
                } catch {
                    r.lastError = "reading the outbox failed: \(error)"
                    return
                }
                guard let last = chunk.last else { break }
                after = last.id
                let prepared: [PreparedPush]
                do {
                    prepared = try await prepare(chunk, replica: replica, object: object, mapping: mapping, connector: connector, report: &r)
                } catch {
                    r.lastError = "preparing pushes to \(replica) failed: \(error)"
                    r.parked = true
                    return
                }
                if prepared.isEmpty { continue }
                let results: [PushResult]
                do {
                    try store.markSending(prepared.filter(\.isCreate).map(\.item.id))
                    results = try await connector.push(object: mapping.crmObject, items: prepared.map(\.push))
                } catch let error as ConnectorError {
                    r.lastError = "\(object): \(error.description)"
                    for p in prepared { try? store.failOutbox(p.item.id, error: error.description, permanent: !error.parksReplica) }
                    if error.parksReplica {
                        r.parked = true
                        return
                    }
                    r.failed += prepared.count
                    continue
                } catch {
                    r.lastError = "\(error)"
                    r.parked = true
                    return
                }
                var stop = false
                var adopted: [String] = []
                do {
                    try store.transaction { _ throws(StoreError) in
                        stop = try apply(results, prepared, replica: replica, object: object, adopted: &adopted, report: &r)
                    }
                    if !adopted.isEmpty {
                        try await readAdopted(adopted, replica: replica, object: object, mapping: mapping, connector: connector, report: &r)
                    }
                } catch {
                    r.lastError = "recording results from \(replica) failed: \(error)"
                    return
                }
                pushedForObject += prepared.count
                progress(.push, replica, object, pushedForObject)
                if stop {
                    r.parked = true
                    return
                }
            }
            if pushedForObject > 0 { progress(.push, replica, object, pushedForObject, finished: true) }
        }
    }

    /// Turns outbox items into CRM writes from the record's *current* state (so several
    /// plans for one record coalesce into one write). Items with nothing left to write are
    /// completed here; a create left `sending` by a crash is reconciled first.
    func prepare(_ chunk: [OutboxItem], replica: String, object: String, mapping: ObjectMapping,
                 connector: any CRMConnector, report r: inout PassReport.Replica) async throws -> [PreparedPush] {
        let mapper = RecordMapper(config: config, resolver: StoreResolver(store: store))
        var out: [PreparedPush] = []
        for item in chunk {
            guard let rec = try store.record(item.record) else {
                try store.completeOutbox([item.id])
                continue
            }
            if item.state == .sending, mapping.externalIDField == nil,
               try await reconcileCreate(item, rec: rec, replica: replica, object: object, mapping: mapping, connector: connector) {
                continue
            }
            let link = try store.externalID(replica: replica, record: item.record)
            let shadow = try store.shadow(replica: replica, record: item.record)
            let goneThere = shadow[Self.deletedMarker] == .bool(true)
            if !rec.state.isAlive {
                guard let link, !goneThere else { try store.completeOutbox([item.id]); continue }
                out.append(PreparedPush(item: item, push: PushItem(key: item.id, operation: .delete(id: link)),
                                        values: [:], isCreate: false, isDelete: true))
                continue
            }
            if goneThere && config.sync.objects[object]?.deletePolicy == .ignore {
                // Deleted there, and this object's deletes are respected where they happen.
                try store.completeOutbox([item.id])
                continue
            }
            let desired = desiredValues(rec.state, object: object, mapping: mapping)
            let isCreate = link == nil || goneThere
            var values = isCreate ? desired : changed(desired, shadow: shadow, replica: replica, object: object)
            if values.isEmpty { try store.completeOutbox([item.id]); continue }
            var wire: (fields: [String: WireValue], failures: [FieldConversionFailure])
            var deferred: [String] = [], impossible: [String] = [], cleared: [String] = []
            do {
                wire = try mapper.outbound(crm: replica, object: object, values: values, isCreate: isCreate)
            } catch {
                try store.failOutbox(item.id, error: error.description, permanent: true)
                r.failed += 1
                continue
            }
            let unresolved = wire.failures.filter { $0.error.code == .unresolvedReference }
            if !unresolved.isEmpty && unresolved.count == wire.failures.count {
                // References to records this CRM does not have. One on its way in (a create
                // still open) is deferred: the rest is written now and the reference later. One
                // that cannot come (deleted there, refused there) cannot be held: a stale value
                // there is cleared, else nothing is written for it.
                for f in unresolved.map(\.field) {
                    // A polymorphic group goes as one: its next member must not win instead.
                    let members = mapping.group(of: f) ?? [f]
                    if try referenceIsComing(values[f], replica: replica) {
                        deferred += members
                        for m in members { values[m] = nil }
                    } else if !isCreate, members.contains(where: { !(shadow[$0]?.isBlank ?? true) }) {
                        for m in members { values[m] = .null }
                        cleared += members
                    } else {
                        impossible += members
                        for m in members { values[m] = nil }
                    }
                }
                let why = unresolved.map { "\($0.field): \($0.error.message)" }.joined(separator: "; ")
                let required = Set(mapping.fields.filter(\.required).map(\.canonical))
                if isCreate, let f = (deferred + impossible).first(where: required.contains) {
                    // The CRM will not take the record without it: wait for it, or give up.
                    if deferred.contains(f) {
                        try store.failOutbox(item.id, error: "waiting for the record \(f) names to reach \(replica): \(why)", permanent: false)
                    } else {
                        try store.failOutbox(item.id, error: "\(replica) requires \(f), and the record it names is not in \(replica): \(why)",
                                             permanent: true)
                        r.failed += 1
                    }
                    continue
                }
                if values.isEmpty {
                    if deferred.isEmpty {
                        try store.blockOutbox(item.id, reason: "\(replica) does not hold the referenced record: \(why)")
                    } else {
                        try store.failOutbox(item.id, error: "waiting for referenced records to reach \(replica): \(why)", permanent: false)
                    }
                    continue
                }
                do { wire = try mapper.outbound(crm: replica, object: object, values: values, isCreate: isCreate) } catch {
                    try store.failOutbox(item.id, error: error.description, permanent: true)
                    r.failed += 1
                    continue
                }
            }
            if !wire.failures.isEmpty {
                let why = wire.failures.map { "\($0.field): \($0.error.message)" }.joined(separator: "; ")
                try store.failOutbox(item.id, error: why, permanent: false)
                r.lastError = "\(object) \(item.record): \(why)"
                continue
            }
            if isCreate {
                // Rows of a shared CRM object are told apart by fixed values (`where:`): a new
                // row must carry them, or it would not be read back as this object.
                for (field, value) in mapping.discriminator where wire.fields[field] == nil { wire.fields[field] = .string(value) }
            }
            let op: PushItem.Operation
            if isCreate {
                op = .create(fields: wire.fields, upsertKey: mapping.externalIDField.map {
                    PushItem.UpsertKey(field: $0, value: item.record.description)
                })
            } else {
                op = .update(id: link!, fields: wire.fields, ifMatch: nil)
            }
            out.append(PreparedPush(item: item, push: PushItem(key: item.id, operation: op), values: values,
                                    isCreate: isCreate, isDelete: false, deferred: deferred, unheld: impossible + cleared))
        }
        return out
    }

    /// Reads records a CRM turned out to hold already (a create refused as a duplicate and
    /// linked instead) and takes them in like pulled records, so their own values merge by
    /// time and what they lack is planned.
    func readAdopted(_ ids: [String], replica: String, object: String, mapping: ObjectMapping, connector: any CRMConnector,
                     report r: inout PassReport.Replica) async throws {
        var fields = Set(mapping.fields.map(\.crmField))
        if let ext = mapping.externalIDField { fields.insert(ext) }
        let records = try await connector.fetch(object: mapping.crmObject, ids: ids, fields: fields.sorted())
        var report = PassReport()
        try store.transaction { _ throws(StoreError) in
            for record in records { try ingest(record, replica: replica, object: object, mapping: mapping, report: &report, replicaReport: &r) }
        }
    }

    /// Whether the record a reference names will exist in `replica`: it is alive (or was
    /// merged into one that is) and has a create there still open.
    func referenceIsComing(_ value: Value?, replica: String) throws(StoreError) -> Bool {
        guard case .reference(let id)? = value else { return false }
        let target = try store.survivor(of: id) ?? id
        guard let rec = try store.record(target), rec.state.isAlive else { return false }
        return try store.hasOpenOutbox(replica: replica, record: target)
    }

    /// A create that was handed to a CRM without an upsert key when Concord stopped: look the
    /// record up by its natural keys; if it landed, link it instead of creating it again.
    func reconcileCreate(_ item: OutboxItem, rec: StoredRecord, replica: String, object: String, mapping: ObjectMapping,
                         connector: any CRMConnector) async throws -> Bool {
        for key in matchKeys(object) {
            guard let fm = mapping.field(key), let def = config.object(object)?.field(key),
                  let value = RuleFilter.effective(field: key, rule: def.rule, in: rec.state)?.value, !value.isBlank,
                  let wire = try? RecordMapper(config: config).outbound(crm: replica, object: object, values: [key: value]).fields[fm.crmField],
                  let text = wire.text else { continue }
            let found = try await connector.find(object: mapping.crmObject, field: fm.crmField, values: [text], fields: [fm.crmField])
            if found.count == 1 {
                try store.transaction { s throws(StoreError) in
                    try s.setLink(replica: replica, objectType: object, externalID: found[0].id, record: item.record)
                    try s.completeOutbox([item.id])
                    try plan(item.record, objectType: object)
                }
                return true
            }
        }
        return false
    }

    /// Records what the CRM accepted: links for creates, shadows for every write, the outbox
    /// item done; failures parked or kept. Returns whether pushing to this CRM should stop.
    func apply(_ results: [PushResult], _ prepared: [PreparedPush], replica: String, object: String,
               adopted: inout [String], report r: inout PassReport.Replica) throws(StoreError) -> Bool {
        let byKey = Dictionary(prepared.map { ($0.item.id, $0) }, uniquingKeysWith: { a, _ in a })
        var stop = false
        var answered = Set<Int64>()
        for result in results {
            guard let p = byKey[result.key] else { continue }
            answered.insert(result.key)
            switch result.outcome {
            case .success(let externalID):
                if p.isDelete {
                    try store.updateShadow(replica: replica, record: p.item.record, fields: [Self.deletedMarker: .bool(true)])
                    r.deleted += 1
                } else {
                    if p.isCreate {
                        try store.setLink(replica: replica, objectType: object, externalID: externalID, record: p.item.record)
                        r.created += 1
                    } else {
                        r.updated += 1
                    }
                    r.fieldsWritten += p.values.count
                    var seen = held(p.values, replica: replica, object: object)
                    seen[Self.deletedMarker] = .bool(false)
                    // A deferred reference is blank in the CRM now; the shadow says so, so the
                    // blank read back is no edit, and the reference still differs: it is pushed later.
                    for f in p.deferred { seen[f] = .null }
                    try store.updateShadow(replica: replica, record: p.item.record, fields: seen)
                }
                try store.completeOutbox([p.item.id])
                if !p.deferred.isEmpty || !p.unheld.isEmpty {
                    let id = try store.enqueue(replica: replica, objectType: object, record: p.item.record, operation: .update,
                                               payload: (p.deferred + p.unheld).sorted().joined(separator: ","))
                    if p.deferred.isEmpty {
                        try store.blockOutbox(id, reason: "\(replica) does not hold the records \(p.unheld.sorted().joined(separator: ", ")) name")
                    }
                }
            case .failure(let error):
                if p.isCreate, let existing = error.existingID {
                    // The CRM already holds this record (same unique email): link it, and read
                    // it, rather than create a duplicate or fail forever.
                    if let other = try store.linkedRecord(replica: replica, objectType: object, externalID: existing), other != p.item.record {
                        try store.failOutbox(p.item.id, error: "\(replica) already holds this \(object) as \(existing), which is linked to "
                                             + "Concord record \(other): the two Concord records share a unique value (\(error.message)); "
                                             + "merge them", permanent: true)
                        r.failed += 1
                    } else {
                        try store.setLink(replica: replica, objectType: object, externalID: existing, record: p.item.record)
                        try store.completeOutbox([p.item.id])
                        adopted.append(existing)
                        r.matched += 1
                    }
                    continue
                }
                r.lastError = error.description
                switch error.code {
                case .notFound:
                    try store.updateShadow(replica: replica, record: p.item.record, fields: [Self.deletedMarker: .bool(true)])
                    try store.completeOutbox([p.item.id])
                case .validation, .permanent, .authentication:
                    try store.failOutbox(p.item.id, error: error.description, permanent: true)
                    r.failed += 1
                case .conflict:
                    try store.failOutbox(p.item.id, error: error.description, permanent: false)
                case .rateLimited, .quotaExhausted, .transient:
                    try store.failOutbox(p.item.id, error: error.description, permanent: false)
                    stop = true
                }
            }
        }
        for p in prepared where !answered.contains(p.item.id) {
            try store.failOutbox(p.item.id, error: "\(replica) returned no result for this item", permanent: false)
            r.lastError = "\(replica) returned no result for \(prepared.count - answered.count) item(s)"
        }
        return stop
    }
}
