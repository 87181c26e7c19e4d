import ConcordHTTP

/// Per-field times from Dataverse audit history.
///
/// Dataverse stamps a row with one time (`modifiedon`), so a column edited before a later
/// change of the same row would carry the later time. Where auditing is on for the table and
/// column, `RetrieveRecordChangeHistory` lists each create and update with the columns it set
/// and its time (`AuditRecord.createdon`). A column without an audit entry (not audited) gets
/// no time here: the row's time stands for it, as before.
extension DynamicsConnector {
    /// Dataverse audits tables and columns where the org turned auditing on.
    public nonisolated var hasFieldTimes: Bool { true }

    /// When each column's current value was set: the newest create or update that set it, one
    /// `RetrieveRecordChangeHistory` call per row. A table the org does not let Concord read
    /// the audit of (auditing off, no `prvReadAuditSummary`) gives nothing, and is not asked again.
    public func fieldTimes(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> [String: [String: UInt64]] {
        guard !withoutAudit.contains(object) else { return [:] }
        try check([object] + fields)
        let wanted = Set(fields)
        var out: [String: [String: UInt64]] = [:]
        for id in ids where DynamicsWire.isGUID(id) {
            let details: [ExactJSON]
            do { details = try await auditDetails(object: object, id: id) } catch {
                if error.code == .notFound { continue }
                if error.code == .permanent || error.status == 403 || error.status == 400 {
                    withoutAudit.insert(object)
                    return [:]
                }
                throw error
            }
            var times: [String: UInt64] = [:]
            for (action, at, new, old) in Self.changes(details) where action != 3 {
                for name in Set(new.keys).union(old.keys) where wanted.contains(name) && times[name] == nil { times[name] = at }
            }
            if !times.isEmpty { out[id] = times }
        }
        return out
    }

    /// The audit details of a row (`RetrieveRecordChangeHistory`).
    func auditDetails(object: String, id: String) async throws(ConnectorError) -> [ExactJSON] {
        let url = URLText.appendingQuery([("@target", "{'@odata.id':'\(object)(\(id))'}")],
                                         to: apiBase + "/RetrieveRecordChangeHistory(Target=@target)")
        let json = try await get(url, pageSize: pullPageSize, tracking: false, kind: .history)
        guard let details = json["AuditDetailCollection"]?["AuditDetails"]?.arrayValue else {
            throw ConnectorError.malformed("RetrieveRecordChangeHistory without AuditDetailCollection.AuditDetails", crm: name)
        }
        return details
    }

    /// Each audit detail as (action, time, columns set, columns before), newest first; details
    /// without a time are left out. Actions: 1 create, 2 update, 3 delete.
    static func changes(_ details: [ExactJSON]) -> [(Int, UInt64, [String: ExactJSON], [String: ExactJSON])] {
        var out: [(Int, UInt64, [String: ExactJSON], [String: ExactJSON])] = []
        for detail in details {
            guard let record = detail["AuditRecord"], let at = record["createdon"]?.stringValue.flatMap(WireTime.parse) else { continue }
            let action = record["action"]?.textValue.flatMap { Int($0) } ?? 0
            func columns(_ v: ExactJSON?) -> [String: ExactJSON] { (v?.objectValue ?? [:]).filter { !$0.key.hasPrefix("@") && !$0.key.contains("@") } }
            out.append((action, at, columns(detail["NewValue"]), columns(detail["OldValue"])))
        }
        return out.sorted { $0.1 > $1.1 }
    }
}
