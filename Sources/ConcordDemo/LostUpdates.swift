import ConcordCore
import ConcordEngine
import ConcordMapping
import CRMEmulators

/// The lost-update judge: for every record and field a person edited, the value every CRM
/// holds at the end must be the value of the *last* edit of that record and field.
///
/// Judged per record and field, against each edit's own time and value: an edit is excused
/// only by a later edit of the same field of the same record (in any CRM), never by an edit
/// of another record or by the stamp of the winning register (an echo that re-stamps a stale
/// value would satisfy that). Edits closer together than `concurrency` are concurrent (CRMs
/// stamp in whole seconds, and a skewed CRM clock shifts its stamps): either may win.
///
/// Salesforce and Dataverse report one modification time per record, not per field: an edit
/// followed by an edit of another field of the same record, before Concord read it, carries
/// the later edit's time (HubSpot's property history gives each field its own). So an edit
/// there may stand for any time up to the record's next edit, and contends until then.
///
/// A CRM's merge writes fields of the surviving record too (HubSpot fills its blanks from the
/// merged-away record) without saying which, and ends the merged-away one there (a Dataverse
/// delta reports it deleted, without its values): a record-field is not judged when its
/// record took part in a merge after the field's last edit.
enum LostUpdates {
    /// CRMs that report one modification time per record.
    static let recordLevelTimes: Set<String> = ["salesforce", "dynamics"]

    /// One edit, resolved to the Concord record and canonical field it changed.
    struct Edit {
        var change: DriverChange
        var object: String
        var field: String
        var value: Value
    }

    /// The values the user's editable fields held before the user started, as edits made
    /// when each record was last modified: a user's edit within the CRMs' clock resolution
    /// of them is concurrent with them (a CRM stamping whole seconds cannot order the two).
    static func initialValues(_ cluster: EmulatorCluster) -> [DriverChange] {
        var out: [DriverChange] = []
        for m in cluster.members {
            let profile = m.emulator.driverProfile
            for (type, fields) in profile.editableFields {
                for record in m.emulator.control.store.all(type) {
                    for field in fields {
                        out.append(DriverChange(crm: m.emulator.name, type: type, id: record.id, kind: .edit, field: field,
                                                value: record.fields[field] ?? .null, at: record.modifiedAt))
                    }
                }
            }
        }
        return out
    }

    /// Edits no API client could have read: the CRM deleted the record after the edit, and
    /// answered no request showing the record between the two (the emulators note when an
    /// answer last showed each record). Dataverse's delta and Salesforce's deleted-records
    /// list name a deleted record without its values, so such an edit is gone with its record
    /// in that CRM unless another answer showed it (a Dataverse delete's audit entry holds the
    /// row's last values; Salesforce's `queryAll` shows deleted rows); a company (whose
    /// deletes are ignored) lives on elsewhere without it.
    /// An answer in the same clock tick as the edit counts as showing it (strict).
    static func unobservable(_ log: [DriverChange], cluster: EmulatorCluster) -> (DriverChange) -> Bool {
        var deletedAt: [String: Int64] = [:]
        for c in log where c.kind == .delete { deletedAt["\(c.crm)|\(c.id)"] = max(deletedAt["\(c.crm)|\(c.id)"] ?? .min, c.at) }
        var stores: [String: RecordStore] = [:]
        for m in cluster.members { stores[m.emulator.name] = m.emulator.control.store }
        return { edit in
            // Untracked (``EmulatorCluster/trackServedRecords()`` not called): judged, strictly.
            guard edit.kind == .edit, let deleted = deletedAt["\(edit.crm)|\(edit.id)"], deleted >= edit.at,
                  let store = stores[edit.crm], store.tracksServed else { return false }
            guard let served = store.lastServed(edit.type, edit.id) else { return true }
            return served < edit.at
        }
    }

    /// Edits whose record-field ended with a value no contender set, one line per record-field.
    /// - Parameters:
    ///   - initial: the fields' values before the user started (``initialValues(_:)``): they
    ///     contend with the user's edits but are not judged themselves.
    ///   - concurrency: milliseconds within which two edits count as concurrent.
    ///   - realTime: maps an edit's CRM stamp to real time (removes a CRM's known skew).
    ///   - refusedBy: whether a CRM refused the record by its own rule (it is not expected to
    ///     hold the record's values; counted apart by the read-back).
    ///   - quarantinedIn: whether a CRM's change of the record waits in the quarantine (a
    ///     value that failed validation is held there with its reason, not lost).
    ///   - unobservable: whether an edit was never there to be read (``unobservable(_:cluster:)``):
    ///     it is neither judged nor a contender.
    static func judge(_ log: [DriverChange], initial: [DriverChange] = [], config: ConcordConfig, engine: SyncEngine, readBack: ReadBack,
                      concurrency: Int64 = 1000, realTime: (DriverChange) -> Int64 = { $0.at },
                      refusedBy: (String, RecordID) -> Bool = { _, _ in false },
                      quarantinedIn: (String, RecordID) -> Bool = { _, _ in false },
                      unobservable: (DriverChange) -> Bool = { _ in false }) async throws -> [String] {
        let mapper = RecordMapper(config: config)
        var edits: [RecordID: [String: [Edit]]] = [:]
        var judged = Set<String>()
        let userEdits = log.filter { $0.kind == .edit }
        for (index, change) in (userEdits + initial).enumerated() {
            if index < userEdits.count && unobservable(change) { continue }
            guard let field = change.field, let raw = change.value,
                  let crmObject = DemoRunner.objectNames[change.crm]?[change.type],
                  let object = config.objects.map(\.name).first(where: { config.mapping(crm: change.crm, object: $0)?.crmObject == crmObject }),
                  let fm = config.mapping(crm: change.crm, object: object)?.fields.first(where: { $0.crmField == field }) else { continue }
            // A value the mapping cannot convert is quarantined with its reason, not lost.
            guard let value = try? mapper.inbound(crm: change.crm, object: object, raw: [field: DemoRunner.wire(raw)]).values[fm.canonical] else {
                continue
            }
            let gid: RecordID? = try await engine.withStore { s in
                guard let gid = try s.linkedRecord(replica: change.crm, objectType: object, externalID: change.id),
                      let rec = try s.record(gid), rec.state.isAlive else { return nil }
                return gid
            }
            // An edit of a record deleted or merged away since: the record's fate, not a lost edit.
            guard let gid else { continue }
            edits[gid, default: [:]][fm.canonical, default: []].append(Edit(change: change, object: object, field: fm.canonical, value: value))
            if index < userEdits.count { judged.insert("\(gid)|\(fm.canonical)") }
        }
        // For record-level CRMs: the time of each record's next user edit after a given one.
        var editTimes: [String: [Int64]] = [:]
        for change in userEdits { editTimes["\(change.crm)|\(change.id)", default: []].append(realTime(change)) }
        for key in editTimes.keys { editTimes[key]?.sort() }
        func latest(_ e: Edit) -> Int64 {
            let own = realTime(e.change)
            guard recordLevelTimes.contains(e.change.crm) else { return own }
            return editTimes["\(e.change.crm)|\(e.change.id)"]?.first { $0 > own } ?? own
        }
        // Records that survived a merge, and when.
        var mergedAt: [RecordID: Int64] = [:]
        for change in log where change.kind == .merge {
            guard let crmObject = DemoRunner.objectNames[change.crm]?[change.type],
                  let object = config.objects.map(\.name).first(where: { config.mapping(crm: change.crm, object: $0)?.crmObject == crmObject })
            else { continue }
            for id in [change.id] + (change.mergedID.map { [$0] } ?? []) {
                let gid = try await engine.withStore { try $0.linkedRecord(replica: change.crm, objectType: object, externalID: id) }
                if let gid { mergedAt[gid] = max(mergedAt[gid] ?? .min, realTime(change)) }
            }
        }
        var lost: [String] = []
        for (gid, byField) in edits {
            for (field, list) in byField where judged.contains("\(gid)|\(field)") {
                guard let object = list.first?.object, let finals = readBack.table[object]?[gid] else { continue }
                let last = list.map { realTime($0.change) }.max() ?? 0
                if let merged = mergedAt[gid], merged + concurrency >= last { continue }
                let lastEdits = list.filter { realTime($0.change) == last }
                if lastEdits.contains(where: { quarantinedIn($0.change.crm, gid) }) { continue }
                let contenders = list.filter { latest($0) + concurrency >= last }
                var wrong: [String] = []
                for (crm, values) in finals.sorted(by: { $0.key < $1.key }) where !refusedBy(crm, gid) {
                    guard let fm = config.mapping(crm: crm, object: object)?.field(field), !fm.readOnly, !fm.createOnly else { continue }
                    let held = readBack.normalize(values[field])
                    if !contenders.contains(where: { held == $0.value || held == readBack.project($0.value, crm, object, field, config) }) {
                        wrong.append("\(crm)=\(held)")
                    }
                }
                guard !wrong.isEmpty, let newest = list.max(by: { realTime($0.change) < realTime($1.change) }) else { continue }
                let c = newest.change
                lost.append("\(object) \(gid) \(field): last edit \(newest.value) in \(c.crm) \(c.type) \(c.id) at \(c.at)"
                            + (contenders.count > 1 ? " (\(contenders.count) concurrent)" : "") + "; holds " + wrong.joined(separator: " "))
            }
        }
        return lost.sorted()
    }
}
