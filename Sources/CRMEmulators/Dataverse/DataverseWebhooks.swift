import Foundation

/// Dataverse webhook: a `RemoteExecutionContext` with `x-ms-dynamics-*` headers and a WebhookKey (`?code=`).
enum DataverseWebhooks {
    static func msDate(_ ms: Int64) -> String { "/Date(\(ms))/" }

    static func messages(_ event: ChangeEvent, _ record: StoredRecord, _ target: WebhookTarget) -> [WebhookMessage] {
        guard let entity = DataverseSchema.entity(logicalName: record.type) else { return [] }
        let message: String
        switch event.kind {
        case .created: message = "Create"
        case .deleted: message = "Delete"
        case .updated, .merged, .undeleted: message = "Update"
        }
        let user = event.source == "API" ? DataverseEmulator.applicationUser : "11111111-2222-4333-8444-555555555555"
        let changed = event.kind == .created ? Array(record.fields.keys).sorted() : event.changedFields
        var attributes: [JSONValue] = changed.map { name in
            let value = record.fields[name] ?? .null
            if let lookup = value["type"]?.stringValue {
                return ["key": .string(name), "value": ["__type": "EntityReference:http://schemas.microsoft.com/xrm/2011/Contracts",
                                                       "Id": value["id"] ?? .null, "LogicalName": .string(lookup), "Name": .null]]
            }
            return ["key": .string(name), "value": value]
        }
        attributes.append(["key": "modifiedon", "value": .string(msDate(record.modifiedAt))])
        attributes.append(["key": .string(entity.primaryID), "value": .string(record.id)])
        let targetValue: JSONValue = event.kind == .deleted
            ? ["__type": "EntityReference:http://schemas.microsoft.com/xrm/2011/Contracts", "Id": .string(record.id), "LogicalName": .string(record.type), "Name": .null]
            : ["__type": "Entity:http://schemas.microsoft.com/xrm/2011/Contracts", "LogicalName": .string(record.type), "Id": .string(record.id),
               "Attributes": .array(attributes), "FormattedValues": [], "KeyAttributes": [], "RelatedEntities": [], "RowVersion": .string(String(record.version))]
        let correlation = UUID().uuidString.lowercased()
        let body: JSONValue = [
            "MessageName": .string(message), "PrimaryEntityName": .string(record.type), "PrimaryEntityId": .string(record.id),
            "Stage": 40, "Mode": 1, "Depth": 1, "CorrelationId": .string(correlation), "InitiatingUserId": .string(user), "UserId": .string(user),
            "OrganizationId": "00000000-0000-0000-0000-0000000000c1", "OrganizationName": "emulator",
            "BusinessUnitId": "00000000-0000-0000-0000-0000000000b1", "OperationCreatedOn": .string(msDate(event.at)),
            "InputParameters": [["key": "Target", "value": targetValue]], "OutputParameters": [],
            "PreEntityImages": [], "PostEntityImages": [], "SharedVariables": [], "ParentContext": .null,
        ]
        var url = target.url
        if let key = target.secret { url += (url.contains("?") ? "&" : "?") + "code=" + FormCoding.escape(key) }
        return [WebhookMessage(url: url, headers: [
            "Content-Type": "application/json", "x-ms-dynamics-organization": "emulator.crm.dynamics.com",
            "x-ms-dynamics-entity-name": record.type, "x-ms-dynamics-request-name": message, "x-ms-correlation-request-id": correlation,
        ], body: body.bytes)]
    }
}
