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

    init(json: HubSpotJSON) throws(HubSpotShapeError) {
        guard let id = json["id"]?.text else { throw HubSpotShapeError(reason: "object without an id") }
        self.id = id
        properties = (json["properties"]?.object ?? [:]).mapValues(Self.wire)
        var history: [String: [HubSpotHistoryEntry]] = [:]
        for (name, entries) in json["propertiesWithHistory"]?.object ?? [:] {
            history[name] = (entries.array ?? []).map {
                HubSpotHistoryEntry(value: $0["value"]?.text, timestamp: $0["timestamp"]?.text.flatMap(HubSpotTime.millis),
                                    sourceType: $0["sourceType"]?.string, sourceID: $0["sourceId"]?.text)
            }
        }
        self.history = history
        createdAt = json["createdAt"]?.text.flatMap(HubSpotTime.millis)
        updatedAt = json["updatedAt"]?.text.flatMap(HubSpotTime.millis)
        archived = json["archived"]?.bool ?? false
        archivedAt = json["archivedAt"]?.text.flatMap(HubSpotTime.millis)
        objectWriteTraceID = json["objectWriteTraceId"]?.text
        isNew = json["new"]?.bool
        var associations: [String: [String]] = [:]
        for (type, collection) in json["associations"]?.object ?? [:] {
            associations[type] = (collection["results"]?.array ?? []).compactMap { $0["id"]?.text ?? $0["toObjectId"]?.text }
        }
        self.associations = associations
    }

    static func wire(_ json: HubSpotJSON) -> WireValue {
        switch json {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n): return .number(n)
        case .string(let s): return .string(s)
        case .array, .object: return .string(json.serialized)
        }
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

    init(json: HubSpotJSON) {
        status = json["status"]?.text
        message = json["message"]?.text ?? "no message"
        category = json["category"]?.text
        subCategory = json["subCategory"]?.text
        correlationID = json["correlationId"]?.text
        policyName = json["policyName"]?.text
        errorType = json["errorType"]?.text
        var context: [String: [String]] = [:]
        for (key, values) in json["context"]?.object ?? [:] {
            context[key] = values.array?.compactMap(\.text) ?? values.text.map { [$0] } ?? []
        }
        self.context = context
        details = (json["errors"]?.array ?? []).map { ($0["in"]?.text, $0["code"]?.text, $0["message"]?.text) }
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
    var results: [HubSpotJSON]
    var errors: [HubSpotErrorBody]

    init(json: HubSpotJSON) throws(HubSpotShapeError) {
        guard let results = json["results"]?.array else { throw HubSpotShapeError(reason: "batch response without results") }
        self.results = results
        status = json["status"]?.text
        errors = (json["errors"]?.array ?? []).map(HubSpotErrorBody.init(json:))
    }
}

/// A search or list page: `{"total":…,"results":[…],"paging":{"next":{"after":"…"}}}`.
struct HubSpotPage: Sendable {
    var results: [HubSpotObject]
    var nextAfter: String?
    var total: Int?

    init(json: HubSpotJSON) throws(HubSpotShapeError) {
        guard let results = json["results"]?.array else { throw HubSpotShapeError(reason: "page without results") }
        self.results = try results.map { (item: HubSpotJSON) throws(HubSpotShapeError) -> HubSpotObject in try HubSpotObject(json: item) }
        nextAfter = json["paging"]?["next"]?["after"]?.text
        total = json["total"]?.text.flatMap { Int($0) }
    }
}

/// `POST /oauth/v1/token` answer.
struct HubSpotTokenResponse: Sendable {
    var accessToken: String
    var refreshToken: String?
    var expiresInSeconds: Int64?

    init(json: HubSpotJSON) throws(HubSpotShapeError) {
        guard let token = json["access_token"]?.string, !token.isEmpty else {
            throw HubSpotShapeError(reason: "token response without access_token")
        }
        accessToken = token
        refreshToken = json["refresh_token"]?.string
        expiresInSeconds = json["expires_in"]?.text.flatMap { Int64($0) }
    }
}
