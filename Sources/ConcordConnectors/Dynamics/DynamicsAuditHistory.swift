import ConcordHTTP

/// Per-field times, and the last values of deleted rows, from Dataverse audit history.
///
/// Dataverse stamps a row with one time (`modifiedon`), so a column edited before a later
/// change of the same row would carry the later time; and its change tracking reports a
/// deleted row without its values. Where auditing is on for the table and column,
/// `RetrieveRecordChangeHistory` lists each create and update with the columns it set and its
/// time (`AuditRecord.createdon`), and the delete with the values the row held (`OldValue`). A
/// column without an audit entry (not audited) gets no time here: the row's time stands for
/// it, as before.
extension DynamicsConnector {
    /// Dataverse audits tables and columns where the org turned auditing on.
    public nonisolated var hasFieldTimes: Bool { true }

    /// When each column's current value was set: the newest create or update that set it, one
    /// `RetrieveRecordChangeHistory` call per row. A table the org does not let Concord read
    /// the audit of (auditing off, no `prvReadAuditSummary`) gives nothing, and is not asked again.
    public func fieldTimes(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> [String: [String: UInt64]] {
        try check([object] + fields)
        var out: [String: [String: UInt64]] = [:]
        for id in ids where DynamicsWire.isGUID(id) {
            guard let changes = try await auditChanges(object: object, id: id) else { return [:] }
            let times = Self.times(changes, fields: Set(fields))
            if !times.isEmpty { out[id] = times }
        }
        return out
    }

    /// The values deleted rows held, from their delete's audit entry (`OldValue`), with each
    /// column's time from the entries before it.
    public func lastValues(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> [CRMRecord] {
        try check([object] + fields)
        let key = options.primaryKey(object)
        let wanted = Set(fields)
        var out: [CRMRecord] = []
        for id in ids where DynamicsWire.isGUID(id) {
            guard let changes = try await auditChanges(object: object, id: id) else { return [] }
            guard let delete = changes.first(where: { $0.action == 3 }) else { continue }
            var members = delete.old.filter { wanted.contains(String($0.key.split(separator: "@").first ?? "")) }
            members[key] = .string(id)
            members["modifiedon"] = .string(WireTime.iso(delete.at))
            guard var record = DynamicsWire.record(.object(members), primaryKey: key) else { continue }
            record.isDeleted = true
            record.fieldModifiedAt = Self.times(changes, fields: wanted)
            out.append(record)
        }
        return out
    }

    /// One audit entry: 1 create, 2 update, 3 delete; its time; the columns it set (with
    /// their annotations) and what they held before.
    struct AuditChange {
        var action: Int
        var at: UInt64
        var new: [String: ExactJSON]
        var old: [String: ExactJSON]
    }

    /// The newest create or update that set each of `fields`.
    static func times(_ changes: [AuditChange], fields: Set<String>) -> [String: UInt64] {
        var times: [String: UInt64] = [:]
        for change in changes where change.action != 3 {
            for name in Set(change.new.keys).union(change.old.keys) where !name.contains("@") && fields.contains(name) && times[name] == nil {
                times[name] = change.at
            }
        }
        return times
    }

    /// A row's audit entries, newest first: none when the row is not there; `nil` when the
    /// table's audit cannot be read (remembered: not asked again).
    func auditChanges(object: String, id: String) async throws(ConnectorError) -> [AuditChange]? {
        guard !withoutAudit.contains(object) else { return nil }
        let url = URLText.appendingQuery([("@target", "{'@odata.id':'\(object)(\(id))'}")],
                                         to: apiBase + "/RetrieveRecordChangeHistory(Target=@target)")
        let json: ExactJSON
        do { json = try await get(url, pageSize: pullPageSize, tracking: false, kind: .history) } catch {
            if error.code == .notFound { return [] }
            if error.code == .permanent || error.status == 403 || error.status == 400 {
                withoutAudit.insert(object)
                return nil
            }
            throw error
        }
        guard let details = json["AuditDetailCollection"]?["AuditDetails"]?.arrayValue else {
            throw ConnectorError.malformed("RetrieveRecordChangeHistory without AuditDetailCollection.AuditDetails", crm: name)
        }
        return Self.changes(details)
    }

    /// Each audit detail as an ``AuditChange``, newest first; details without a time are left out.
    static func changes(_ details: [ExactJSON]) -> [AuditChange] {
        var out: [AuditChange] = []
        for detail in details {
            guard let record = detail["AuditRecord"], let at = record["createdon"]?.stringValue.flatMap(WireTime.parse) else { continue }
            func columns(_ v: ExactJSON?) -> [String: ExactJSON] { (v?.objectValue ?? [:]).filter { !$0.key.hasPrefix("@") } }
            out.append(AuditChange(action: record["action"]?.textValue.flatMap { Int($0) } ?? 0, at: at,
                                   new: columns(detail["NewValue"]), old: columns(detail["OldValue"])))
        }
        return out.sorted { $0.at > $1.at }
    }
}
