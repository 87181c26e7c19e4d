import ConcordMapping

/// A HubSpot body that parsed as JSON but lacks what the spec requires.
struct HubSpotShapeError: Error, CustomStringConvertible {
    /// What was missing or wrong.
    var reason: String
    var description: String { reason }
}

/// One entry of `propertiesWithHistory` (`ValueWithTimestamp`).
struct HubSpotHistoryEntry: Hashable, Sendable {
    var value: String?
    var timestamp: Int64?
    var sourceType: String?
    var sourceID: String?
}

/// `SimplePublicObject` and its relatives (`…WithAssociations`, `SimplePublicUpsertObject`).
struct HubSpotObject: Hashable, Sendable {
    var id: String
    /// Property values exactly as sent: HubSpot sends strings (or `null`).
    var properties: [String: WireValue]
    var history: [String: [HubSpotHistoryEntry]]
    var createdAt: Int64?
    var updatedAt: Int64?
    var archived: Bool
    var archivedAt: Int64?
    var objectWriteTraceID: String?
    /// Upsert results only: whether the record was created by this call.
    var isNew: Bool?
    /// v3 `associations` (`{"companies":{"results":[{"id":"9","type":"contact_to_company"}]}}`), ids by type.
    var associations: [String: [String]]

    init(json: ExactJSON) throws(HubSpotShapeError) {
        guard let id = json["id"]?.textValue else { throw HubSpotShapeError(reason: "object without an id") }
        self.id = id
        properties = (json["properties"]?.objectValue ?? [:]).mapValues(Self.wire)
        var history: [String: [HubSpotHistoryEntry]] = [:]
        for (name, entries) in json["propertiesWithHistory"]?.objectValue ?? [:] {
            history[name] = (entries.arrayValue ?? []).map {
                HubSpotHistoryEntry(value: $0["value"]?.textValue, timestamp: $0["timestamp"]?.textValue.flatMap(WireTime.hubSpotMillis),
                                    sourceType: $0["sourceType"]?.stringValue, sourceID: $0["sourceId"]?.textValue)
            }
        }
        self.history = history
        createdAt = json["createdAt"]?.textValue.flatMap(WireTime.hubSpotMillis)
        updatedAt = json["updatedAt"]?.textValue.flatMap(WireTime.hubSpotMillis)
        archived = json["archived"]?.boolValue ?? false
        archivedAt = json["archivedAt"]?.textValue.flatMap(WireTime.hubSpotMillis)
        objectWriteTraceID = json["objectWriteTraceId"]?.textValue
        isNew = json["new"]?.boolValue
        var associations: [String: [String]] = [:]
        for (type, collection) in json["associations"]?.objectValue ?? [:] {
            associations[type] = (collection["results"]?.arrayValue ?? []).compactMap { $0["id"]?.textValue ?? $0["toObjectId"]?.textValue }
        }
        self.associations = associations
    }

    /// A property value as a wire value, numbers as their exact text; arrays and objects
    /// (which HubSpot properties do not hold) as their JSON text.
    static func wire(_ json: ExactJSON) -> WireValue {
        json.wireValue ?? .string(json.text)
    }
}

/// HubSpot's error body (`Error` / `StandardError`); every field is optional, as HubSpot's
/// own error-handling guide advises.
struct HubSpotErrorBody: Hashable, Sendable {
    var status: String?
    var message: String
    var category: String?
    var subCategory: String?
    var correlationID: String?
    var policyName: String?
    var errorType: String?
    var context: [String: [String]]
    /// `errors[].in` and `errors[].code` (the property and HubSpot's code per detail).
    var details: [(field: String?, code: String?, message: String?)]

    static func == (a: Self, b: Self) -> Bool { a.message == b.message && a.category == b.category && a.context == b.context }
    func hash(into h: inout Hasher) { h.combine(message); h.combine(category) }

    init(json: ExactJSON) {
        status = json["status"]?.textValue
        message = json["message"]?.textValue ?? "no message"
        category = json["category"]?.textValue
        subCategory = json["subCategory"]?.textValue
        correlationID = json["correlationId"]?.textValue
        policyName = json["policyName"]?.textValue
        errorType = json["errorType"]?.textValue
        var context: [String: [String]] = [:]
        for (key, values) in json["context"]?.objectValue ?? [:] {
            context[key] = values.arrayValue?.compactMap(\.textValue) ?? values.textValue.map { [$0] } ?? []
        }
        self.context = context
        details = (json["errors"]?.arrayValue ?? []).map { ($0["in"]?.textValue, $0["code"]?.textValue, $0["message"]?.textValue) }
    }

    /// The properties the error is about (`errors[].in`, `context.propertyName`).
    var fields: [String] {
        var names = details.compactMap(\.field)
        names += context["propertyName"] ?? []
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}

/// A batch answer (`BatchResponseSimplePublicObject[WithErrors]`, v4 association batches).
struct HubSpotBatchResponse: Sendable {
    var status: String?
    var results: [ExactJSON]
    var errors: [HubSpotErrorBody]

    init(json: ExactJSON) throws(HubSpotShapeError) {
        guard let results = json["results"]?.arrayValue else { throw HubSpotShapeError(reason: "batch response without results") }
        self.results = results
        status = json["status"]?.textValue
        errors = (json["errors"]?.arrayValue ?? []).map(HubSpotErrorBody.init(json:))
    }
}

/// A search or list page: `{"total":…,"results":[…],"paging":{"next":{"after":"…"}}}`.
struct HubSpotPage: Sendable {
    var results: [HubSpotObject]
    var nextAfter: String?
    var total: Int?

    init(json: ExactJSON) throws(HubSpotShapeError) {
        guard let results = json["results"]?.arrayValue else { throw HubSpotShapeError(reason: "page without results") }
        self.results = try results.map { (item: ExactJSON) throws(HubSpotShapeError) -> HubSpotObject in try HubSpotObject(json: item) }
        nextAfter = json["paging"]?["next"]?["after"]?.textValue
        total = json["total"]?.textValue.flatMap { Int($0) }
    }
}

/// `POST /oauth/v1/token` answer.
struct HubSpotTokenResponse: Sendable {
    var accessToken: String
    var refreshToken: String?
    var expiresInSeconds: Int64?

    init(json: ExactJSON) throws(HubSpotShapeError) {
        guard let token = json["access_token"]?.stringValue, !token.isEmpty else {
            throw HubSpotShapeError(reason: "token response without access_token")
        }
        accessToken = token
        refreshToken = json["refresh_token"]?.stringValue
        expiresInSeconds = json["expires_in"]?.textValue.flatMap { Int64($0) }
    }

    /// When the access token expires (Unix ms), for a token received at `nowMillis`;
    /// 30 minutes when the answer gives no lifetime.
    func expiresAt(nowMillis: UInt64) -> UInt64 {
        nowMillis.addingSeconds(UInt64(max(0, expiresInSeconds ?? 1800)))
    }
}
