import Foundation

/// Audit history, as `RetrieveRecordChangeHistory` returns it, built from the per-field history
/// the store keeps: one `AttributeAuditDetail` per write (a create, each update, the delete),
/// newest first, with the columns it set (`NewValue`) and what they held before (`OldValue`).
/// Every column counts as audited. A delete's `OldValue` holds the row's last values.
extension DataverseEmulator {
    /// `GET RetrieveRecordChangeHistory(Target=@target)?@target={'@odata.id':'accounts(<id>)'}`.
    func recordChangeHistory(_ request: EmulatorRequest) throws -> EmulatorResponse {
        guard let target = request.queryValue("@target"),
              let match = target.firstMatch(of: /'@odata\.id'\s*:\s*'([A-Za-z_]+)\(([0-9A-Fa-f-]+)\)'/),
              let entity = DataverseSchema.entity(set: String(match.1)) else {
            throw DataverseError.badRequest("The Target parameter must name a record as {'@odata.id':'<entityset>(<id>)'}.")
        }
        let id = String(match.2).lowercased()
        guard let record = control.store.get(entity.logicalName, id, includeDeleted: true) else {
            throw DataverseError(status: 404, code: "0x80040217", message: "\(entity.logicalName) With Id = \(id) Does Not Exist")
        }
        // The answer shows the row's values (a deleted row's last ones in its delete's entry).
        RequestWrites.serve(record)
        let details = Self.auditDetails(record, entity: entity)
        return .json(200, ["AuditDetailCollection": ["MoreRecords": false, "PagingCookie": .null,
                                                     "TotalRecordCount": .int(Int64(details.count)), "AuditDetails": .array(details)]])
    }

    /// The audit details of a record, newest first.
    static func auditDetails(_ record: StoredRecord, entity: DataverseEntity) -> [JSONValue] {
        // Writes by time: the fields each one set, with the value set and the one before.
        var writes: [Int64: [String: (new: JSONValue, old: JSONValue)]] = [:]
        for (field, entries) in record.history {
            for (i, entry) in entries.enumerated() {
                writes[entry.timestamp, default: [:]][field] = (entry.value, i + 1 < entries.count ? entries[i + 1].value : .null)
            }
        }
        // A lookup as the Web API shows it: `_name_value`, annotated with the target's table.
        func columns(_ name: String, _ value: JSONValue) -> [(String, JSONValue)] {
            if entity.lookups.contains(where: { $0.name == name }) {
                return [("_\(name)_value", value["id"] ?? .null),
                        ("_\(name)_value@\(DataverseAnnotations.lookupLogicalName)", value["type"] ?? .null)]
            }
            return entity.fields.field(name) != nil ? [(name, value)] : []
        }
        func detail(_ n: Int, action: Int64, at: Int64, new: [String: JSONValue], old: [String: JSONValue]) -> JSONValue {
            let type = JSONValue.string("#Microsoft.Dynamics.CRM.\(entity.logicalName)")
            var newValue: [String: JSONValue] = ["@odata.type": type], oldValue: [String: JSONValue] = ["@odata.type": type]
            for (k, v) in new where !v.isNull { for (name, value) in columns(k, v) { newValue[name] = value } }
            for (k, v) in old where !v.isNull { for (name, value) in columns(k, v) { oldValue[name] = value } }
            return ["@odata.type": "#Microsoft.Dynamics.CRM.AttributeAuditDetail",
                    "AuditRecord": ["@odata.type": "#Microsoft.Dynamics.CRM.audit",
                                    "auditid": .string(String(format: "%08x-0000-0000-0000-%012llx", n, record.version)),
                                    "action": .int(action), "operation": .int(action), "createdon": .string(Timestamps.isoSeconds(at)),
                                    "_objectid_value": .string(record.id), "objecttypecode": .string(entity.logicalName)],
                    "OldValue": .object(oldValue), "NewValue": .object(newValue)]
        }
        var out: [JSONValue] = []
        if let deleted = record.deletedAt {
            out.append(detail(0, action: 3, at: deleted, new: [:], old: record.fields))
        }
        for (n, at) in writes.keys.sorted(by: >).enumerated() {
            let set = writes[at] ?? [:]
            out.append(detail(n + 1, action: at == record.createdAt ? 1 : 2, at: at,
                              new: set.mapValues(\.new), old: at == record.createdAt ? [:] : set.mapValues(\.old)))
        }
        return out
    }
}
