import ConcordConnectors
import ConcordCore
import ConcordMapping
import ConcordStore

extension SyncEngine {
    /// Takes in edits a write overwrote unseen. A CRM without conditional writes (HubSpot)
    /// reports, per field Concord wrote, the value the field held just before the write
    /// (``PushResult/preceding``). Where that differs from what Concord last saw there, a
    /// person (or another integration) set it after Concord's read: it is merged at its own
    /// time, so the later of it and the value Concord wrote wins everywhere, and the next
    /// push repairs this CRM if the overwritten edit was the later one. Runs in the batch's
    /// transaction, before the shadow takes the written values; returns whether anything was
    /// merged (the record is then planned again once the shadow holds the write).
    func takeInOverwritten(_ preceding: [String: PrecedingValue], record id: RecordID, replica: String, object: String,
                           report r: inout PassReport.Replica) throws(StoreError) -> Bool {
        guard !preceding.isEmpty, let mapping = config.mapping(crm: replica, object: object),
              let def = config.object(object) else { return false }
        let shadow = try store.shadow(replica: replica, record: id)
        let mapper = RecordMapper(config: config, resolver: StoreResolver(store: store))
        guard let mapped = try? mapper.inbound(crm: replica, object: object, raw: preceding.mapValues(\.value)) else { return false }
        let now = wallClock.nowMillis()
        let site = ReplicaSites.site(replica)
        let current = try store.record(id)?.state
        var registers: [String: FieldRegister] = [:]
        for (field, value) in mapped.values {
            let seen = shadow[field].flatMap { $0.isBlank ? nil : $0 }
            guard seen != (value.isBlank ? nil : value), let crmField = mapping.field(field)?.crmField,
                  let at = preceding[crmField]?.at, let fieldDef = def.field(field) else { continue }
            let incoming = FieldRegister(value: value, stamp: Stamp(hlc: HLCTimestamp(millis: min(at, now + maxOffsetMillis)), site: site))
            if let eff = current.flatMap({ RuleFilter.effective(field: field, rule: fieldDef.rule, in: $0) }), eff.value != value {
                try store.logConflict(record: id, field: field, winner: eff.stamp > incoming.stamp ? eff : incoming,
                                      loser: eff.stamp > incoming.stamp ? incoming : eff)
            }
            for (key, reg) in RuleFilter.admit(field: field, rule: fieldDef.rule, writer: replica, register: incoming) { registers[key] = reg }
            r.overwrittenEdits += 1
        }
        guard !registers.isEmpty else { return false }
        _ = try store.merge([RecordChange(id: id, objectType: object, state: RecordState(fields: registers, causalLength: 0))], origin: replica)
        return true
    }
}
