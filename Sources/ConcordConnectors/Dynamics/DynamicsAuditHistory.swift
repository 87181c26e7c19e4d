import ConcordHTTP
import Foundation

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

    /// When each column's current value was set: the newest create or update that set it
    /// (`RetrieveRecordChangeHistory` per row, 100 rows per `$batch` call). A table the org does
    /// not let Concord read the audit of (auditing off, no `prvReadAuditSummary`) gives
    /// nothing, and is not asked again.
    public func fieldTimes(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> [String: [String: UInt64]] {
        try check([object] + fields)
        guard let history = try await auditChanges(object: object, ids: ids) else { return [:] }
        return history.mapValues { Self.times($0, fields: Set(fields)) }.filter { !$0.value.isEmpty }
    }

    /// The values deleted rows held, from their delete's audit entry (`OldValue`), with each
    /// column's time from the entries before it.
    public func lastValues(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> [CRMRecord] {
        try check([object] + fields)
        let key = options.primaryKey(object)
        let wanted = Set(fields)
        guard let history = try await auditChanges(object: object, ids: ids) else { return [] }
        var out: [CRMRecord] = []
        for (id, changes) in history.sorted(by: { $0.key < $1.key }) {
            if let record = Self.lastValues(id: id, changes: changes, primaryKey: key, fields: wanted) { out.append(record) }
        }
        return out
    }

    /// A deleted row as its delete's audit entry shows it (`nil` without one).
    static func lastValues(id: String, changes: [AuditChange], primaryKey key: String, fields wanted: Set<String>) -> CRMRecord? {
        guard let delete = changes.first(where: { $0.action == 3 }) else { return nil }
        var members = delete.old.filter { wanted.contains(String($0.key.split(separator: "@").first ?? "")) }
        members[key] = .string(id)
        members["modifiedon"] = .string(WireTime.iso(delete.at))
        guard var record = DynamicsWire.record(.object(members), primaryKey: key) else { return nil }
        record.isDeleted = true
        record.fieldModifiedAt = times(changes, fields: wanted)
        return record
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

    /// Rows' audit entries, newest first, by id (a row not there has none); `nil` when the
    /// table's audit cannot be read (remembered: not asked again). 100 rows per `$batch`.
    func auditChanges(object: String, ids: [String]) async throws(ConnectorError) -> [String: [AuditChange]]? {
        guard !withoutAudit.contains(object) else { return nil }
        var out: [String: [AuditChange]] = [:]
        for chunk in chunked(ids.filter(DynamicsWire.isGUID), size: 100) {
            let paths = chunk.map { id in
                URLText.appendingQuery([("@target", "{'@odata.id':'\(object)(\(id))'}")], to: "RetrieveRecordChangeHistory(Target=@target)")
            }
            let boundary = UUID().uuidString.lowercased()
            var request = HTTPRequest(method: .post, url: apiBase + "/$batch",
                                      body: DynamicsBatch.readBody(paths, apiPath: "/api/data/" + options.apiVersion, boundary: boundary))
            request.isSafeToRetry = true
            request.headers.add(name: "Content-Type", value: "multipart/mixed; boundary=batch_\(boundary)")
            request.headers.add(name: "Prefer", value: "odata.continue-on-error")
            let response = try await send(.history, request)
            guard response.isSuccess else {
                let error = DynamicsErrors.error(status: response.status, headers: response.headers, body: response.body, crm: name)
                if Self.refusesAudit(error.status) { withoutAudit.insert(object); return nil }
                throw error
            }
            for (i, answer) in DynamicsBatch.answers(response.body, contentType: response.headers["Content-Type"]).enumerated() {
                let index = answer.contentID.flatMap { Int($0) }.map { $0 - 1 } ?? i
                guard chunk.indices.contains(index) else { continue }
                switch answer.status {
                case 200..<300:
                    guard let details = (try? ExactJSON.parse(answer.body))?["AuditDetailCollection"]?["AuditDetails"]?.arrayValue else {
                        throw ConnectorError.malformed("RetrieveRecordChangeHistory without AuditDetailCollection.AuditDetails", crm: name)
                    }
                    out[chunk[index]] = Self.changes(details)
                case 404: out[chunk[index]] = []
                case let status where Self.refusesAudit(status):
                    withoutAudit.insert(object)
                    return nil
                default:
                    throw DynamicsErrors.error(status: answer.status, headers: answer.headers, body: answer.body, crm: name)
                }
            }
        }
        return out
    }

    /// Whether a status means the org does not let Concord read this table's audit.
    static func refusesAudit(_ status: Int?) -> Bool { status == 400 || status == 403 }

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
