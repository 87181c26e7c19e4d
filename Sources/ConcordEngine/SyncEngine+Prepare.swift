import ConcordConnectors
import ConcordCore
import ConcordMapping
import ConcordStore

extension SyncEngine {
    /// Turns outbox items into CRM writes from the record's *current* state (so several
    /// plans for one record coalesce into one write). Items with nothing left to write are
    /// completed here; a create left `sending` by a crash is reconciled first.
    func prepare(_ chunk: [OutboxItem], replica: String, object: String, mapping: ObjectMapping,
                 connector: any CRMConnector, report r: inout PassReport.Replica) async throws -> [PreparedPush] {
        let resolver = StoreResolver(store: store)
        let mapper = RecordMapper(config: config, resolver: resolver)
        var out: [PreparedPush] = []
        var twins: [Value: String]?  // read once per chunk, when a create needs it
        for item in chunk {
            guard let rec = try store.record(item.record) else {
                try store.completeOutbox([item.id])
                continue
            }
            if item.state == .sending, mapping.externalIDField == nil,
               try await reconcileCreate(item, rec: rec, replica: replica, object: object, mapping: mapping, connector: connector) {
                continue
            }
            try await confirmReferences(item, rec: rec, replica: replica, connector: connector, report: &r)
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
            if link == nil {
                if twins == nil { twins = try quarantinedTwins(replica: replica, object: object) }
                if let twin = quarantinedTwin(of: rec, object: object, in: twins ?? [:]) {
                    // The CRM holds this record already, quarantined: link it, write nothing over it.
                    try store.setLink(replica: replica, objectType: object, externalID: twin, record: item.record)
                    twins = twins?.filter { $0.value != twin }
                    r.matched += 1
                    try store.blockOutbox(item.id, reason: "\(replica) holds this \(object) as \(twin), whose change is quarantined: "
                                          + "fix it there or with the mapping, then `concord quarantine retry`")
                    continue
                }
            } else if let link, !goneThere, let reason = try quarantinedWhole(replica: replica, object: object, link: link) {
                try store.blockOutbox(item.id, reason: "\(replica) changed this \(object), and the change is quarantined: \(reason)")
                continue
            }
            let desired = desiredValues(rec.state, object: object, mapping: mapping)
            let isCreate = link == nil || goneThere
            var values = isCreate ? desired : changed(desired, shadow: shadow, replica: replica, object: object)
            if values.isEmpty { try store.completeOutbox([item.id]); continue }
            var deferred: [String] = [], impossible: [String] = [], cleared: [String] = []
            guard var wire = try mapOut(values, item: item, replica: replica, object: object, isCreate: isCreate,
                                        mapper: mapper, resolver: resolver, report: &r) else { continue }
            var why: [String] = []
            var settled = false  // the item was failed here already
            // References to records this CRM does not have. One on its way in (a create still
            // open) is deferred: the rest is written now and the reference later. One that
            // cannot come (deleted there, refused there) cannot be held: in a polymorphic
            // group the next member takes its turn; a stale single value there is cleared;
            // else nothing is written for it.
            for _ in 0..<8 {
                let unresolved = wire.failures.filter { $0.error.code == .unresolvedReference }
                guard !unresolved.isEmpty && unresolved.count == wire.failures.count else { break }
                why += unresolved.map { "\($0.field): \($0.error.message)" }
                for f in unresolved.map(\.field) {
                    if let members = mapping.group(of: f) {
                        if try referenceIsComing(values[f], replica: replica) {
                            deferred += members
                            for m in members { values[m] = nil }
                        } else {
                            values[f] = .null
                            impossible.append(f)
                        }
                    } else if try referenceIsComing(values[f], replica: replica) {
                        deferred.append(f)
                        values[f] = nil
                    } else if !isCreate, let old = shadow[f], !old.isBlank {
                        values[f] = .null
                        cleared.append(f)
                    } else {
                        impossible.append(f)
                        values[f] = nil
                    }
                }
                // A group that the CRM already holds as well as it can needs no write.
                let heldNow = held(values, replica: replica, object: object)
                for group in mapping.groups where group.contains(where: { values[$0] != nil })
                    && group.allSatisfy({ (shadow[$0] ?? .null) == (heldNow[$0] ?? .null) || (isCreate && (heldNow[$0] ?? .null).isBlank) }) {
                    for m in group { values[m] = nil }
                }
                let required = Set(mapping.fields.filter(\.required).map(\.canonical))
                if isCreate, let f = (deferred + impossible).first(where: { required.contains($0) && (values[$0]?.isBlank ?? true) }),
                   mapping.group(of: f).map({ g in g.allSatisfy { values[$0]?.isBlank ?? true } }) ?? true {
                    // The CRM will not take the record without it: wait for it, or give up.
                    let reason = why.joined(separator: "; ")
                    if deferred.contains(f) {
                        try store.failOutbox(item.id, error: "waiting for the record \(f) names to reach \(replica): \(reason)", permanent: false)
                    } else {
                        try store.failOutbox(item.id, error: "\(replica) requires \(f), and the record it names is not in \(replica): \(reason)",
                                             permanent: true)
                        r.failed += 1
                    }
                    settled = true
                    break
                }
                if values.isEmpty { break }
                guard let again = try mapOut(values, item: item, replica: replica, object: object, isCreate: isCreate,
                                             mapper: mapper, resolver: resolver, report: &r) else { settled = true; break }
                wire = again
            }
            if settled { continue }
            if values.isEmpty {
                // Nothing this CRM can take now: waiting (open), or blocked (not open work).
                let reason = why.joined(separator: "; ")
                if !deferred.isEmpty {
                    try store.failOutbox(item.id, error: "waiting for referenced records to reach \(replica): \(reason)", permanent: false)
                } else if !why.isEmpty {
                    try store.blockOutbox(item.id, reason: "\(replica) does not hold the referenced record: \(reason)")
                } else {
                    try store.completeOutbox([item.id])
                }
                continue
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
                op = .update(id: link!, fields: wire.fields, ifMatch: { if case .string(let v)? = shadow[Self.versionMarker] { return v } else { return nil } }())
            }
            out.append(PreparedPush(item: item, push: PushItem(key: item.id, operation: op), values: values,
                                    held: held(values, replica: replica, object: object),
                                    isCreate: isCreate, isDelete: false, deferred: deferred, unheld: impossible + cleared))
        }
        return out
    }

    /// Whether the record a reference names will exist in `replica`: it is alive (or was
    /// merged into one that is) and has a create there still open.
    func referenceIsComing(_ value: Value?, replica: String) throws(StoreError) -> Bool {
        guard case .reference(let id)? = value else { return false }
        let target = try store.survivor(of: id) ?? id
        guard let rec = try store.record(target), rec.state.isAlive else { return false }
        return try store.hasOpenOutbox(replica: replica, record: target)
    }

    /// An item's values as the CRM's fields; nil when the mapping refuses them (the item is
    /// then failed for good). A store read that fails inside the mapping is thrown: it aborts
    /// the batch, it is no "not linked".
    private func mapOut(_ values: [String: Value], item: OutboxItem, replica: String, object: String, isCreate: Bool,
                        mapper: RecordMapper, resolver: StoreResolver,
                        report r: inout PassReport.Replica) throws -> (fields: [String: WireValue], failures: [FieldConversionFailure])? {
        do {
            return try resolver.checked(try mapper.outbound(crm: replica, object: object, values: values, isCreate: isCreate))
        } catch let error as StoreError {
            throw error
        } catch {
            try store.failOutbox(item.id, error: "\(error)", permanent: true)
            r.failed += 1
            return nil
        }
    }
}
