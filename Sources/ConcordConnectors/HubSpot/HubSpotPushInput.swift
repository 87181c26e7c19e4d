import ConcordMapping

/// One push item in HubSpot's terms: the batch endpoint it goes to, its wire input and the
/// associations to write after it.
struct HubSpotPushInput: Sendable {
    enum Endpoint: String, Sendable, CaseIterable { case create, upsert, update, archive }

    var key: Int64
    var endpoint: Endpoint
    /// `objectWriteTraceId`: the item key, so HubSpot's answers can be matched back.
    var traceID: String
    /// The record id (update, archive) or the upsert key value.
    var id: String?
    var idProperty: String?
    var properties: [String: String]
    /// Association target type -> associated id (`nil`: remove the association).
    var associations: [String: String?]

    init(_ item: PushItem) {
        key = item.key
        traceID = String(item.key)
        let fields: [String: WireValue]
        switch item.operation {
        case .create(let f, let upsertKey):
            fields = f
            endpoint = upsertKey == nil ? .create : .upsert
            id = upsertKey?.value
            idProperty = upsertKey?.field
        case .update(let recordID, let f, _):
            fields = f
            endpoint = .update
            id = recordID
        case .delete(let recordID):
            fields = [:]
            endpoint = .archive
            id = recordID
        }
        var properties: [String: String] = [:]
        var associations: [String: String?] = [:]
        for (name, value) in fields {
            if let target = HubSpotAssociationField.targetType(name) {
                associations[target] = value.isBlank ? String?.none : value.text
            } else {
                properties[name] = Self.propertyText(value)
            }
        }
        if let idProperty, let id, properties[idProperty] == nil { properties[idProperty] = id }
        self.properties = properties
        self.associations = associations
    }

    /// HubSpot property values are strings; `""` clears a property.
    static func propertyText(_ value: WireValue) -> String { value.text ?? "" }

    /// The input object for the batch endpoint.
    var json: ExactJSON {
        var members: [String: ExactJSON] = [:]
        if endpoint != .archive {
            members["properties"] = .object(properties.mapValues(ExactJSON.string))
            members["objectWriteTraceId"] = .string(traceID)
        }
        if endpoint == .create { members["associations"] = .array([]) }
        if let id, endpoint != .create { members["id"] = .string(id) }
        if let idProperty, endpoint == .upsert { members["idProperty"] = .string(idProperty) }
        return .object(members)
    }

    /// Whether HubSpot's answer `record` is this input's.
    func matches(_ record: HubSpotObject) -> Bool {
        if let trace = record.objectWriteTraceID { return trace == traceID }
        switch endpoint {
        case .update, .archive: return record.id == id
        case .upsert: return idProperty.flatMap { record.properties[$0]?.text } == id
        case .create: return false
        }
    }

    /// Whether HubSpot's per-input `error` names this input.
    func isNamed(by error: HubSpotErrorBody) -> Bool {
        if (error.context["objectWriteTraceId"] ?? []).contains(traceID) { return true }
        guard let id else { return false }
        return (error.context["ids"] ?? []).contains(id) || (error.context["id"] ?? []).contains(id)
    }
}
