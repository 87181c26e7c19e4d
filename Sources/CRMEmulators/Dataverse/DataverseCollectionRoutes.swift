import Foundation

extension DataverseEmulator {
    /// `GET /{set}` with $select/$filter/$orderby/$top/$count, maxpagesize paging and change tracking.
    func collection(_ request: EmulatorRequest, entity: DataverseEntity) throws -> EmulatorResponse {
        let select = try Self.selection(request, entity: entity)
        let annotations = Self.annotations(request)
        let prefs = Self.preferences(request)
        let tracking = prefs.contains("odata.track-changes")
        if let token = request.queryValue("$deltatoken") {
            return try delta(request, entity: entity, token: token, select: select, annotations: annotations)
        }
        if tracking {
            for option in ["$filter", "$orderby", "$expand", "$top"] where request.queryValue(option) != nil {
                throw DataverseError.badRequest("The \"\(option)\" query parameter isn't supported when Change Tracking is enabled.", code: "0x80060888")
            }
        }
        let cookie = Self.parseCookie(request.queryValue("$skiptoken"))
        let deltaBase = cookie["delta"].flatMap { Int64($0) } ?? control.store.currentSequence
        var rows = control.store.all(entity.logicalName).map { ($0, Self.render($0, entity: entity, select: nil, annotations: .none)) }
        if let filter = request.queryValue("$filter") {
            let expression = try ODataFilterParser.parse(filter)
            rows = rows.filter { ODataFilterEvaluator.matches(expression, $0.1) }
        }
        let orders = (request.queryValue("$orderby") ?? "").split(separator: ",").map { item -> (String, Bool) in
            let parts = item.split(separator: " ").map(String.init)
            return (parts.first ?? "", parts.count < 2 || parts[1].lowercased() != "desc")
        }
        let kinds = orders.map { order in entity.fields.field(order.0)?.kind }
        var keyed = rows.map { row in (row, orders.indices.map { SortKey.make(row.1[orders[$0].0], kind: kinds[$0]) }) }
        keyed.sort { a, b in
            for (index, order) in orders.enumerated() where a.1[index] != b.1[index] {
                let (x, y) = (a.1[index], b.1[index])
                if x == .null || y == .null { return (x == .null) == order.1 }
                return order.1 ? x < y : x > y
            }
            return a.0.0.id < b.0.0.id
        }
        rows = keyed.map(\.0)
        let maxPage = prefs.first { $0.hasPrefix("odata.maxpagesize=") }.flatMap { Int($0.dropFirst("odata.maxpagesize=".count)) }
        if let top = Int(request.queryValue("$top") ?? ""), maxPage == nil { rows = Array(rows.prefix(top)) }
        let pageSize = min(5000, max(1, maxPage ?? 5000))
        // Without $orderby, rows come in primary-key order and the paging cookie names the
        // last key sent, as Dataverse's does: a row created or deleted meanwhile shifts no
        // later row out of the next page (an offset would skip one). With $orderby, an offset.
        let byKey = orders.isEmpty
        let total = rows.count
        if byKey, let last = cookie["last"] { rows = rows.filter { $0.0.id > last } }
        let offset = byKey ? 0 : cookie["offset"].flatMap { Int($0) } ?? 0
        let page = rows.dropFirst(offset).prefix(pageSize)
        var body: [String: JSONValue] = [
            "@odata.context": .string(Self.context(request, entity: entity, select: select)),
            "value": .array(page.map { .object(Self.render($0.0, entity: entity, select: select, annotations: annotations)) }),
        ]
        if request.queryValue("$count") == "true" { body["@odata.count"] = .int(Int64(min(total, 5000))) }
        var headers: [(String, String)] = [("OData-Version", "4.0")]
        var applied: [String] = []
        if let maxPage { applied.append("odata.maxpagesize=\(maxPage)") }
        if !annotations.patterns.isEmpty { applied.append(annotations.applied) }
        let hasMore = offset + pageSize < rows.count
        if hasMore {
            let number = (cookie["pagenumber"].flatMap { Int($0) } ?? 1) + 1
            let position = byKey ? "last=\"\(page.last?.0.id ?? "")\"" : "offset=\"\(offset + pageSize)\""
            let next = "<cookie pagenumber=\"\(number)\" \(position)\(tracking ? " delta=\"\(deltaBase)\"" : "") />"
            body["@odata.nextLink"] = .string(Self.link(request, entity: entity, replacing: "$skiptoken", with: next))
        }
        if tracking {
            applied.append("odata.track-changes")
            if !hasMore {
                body["@odata.deltaLink"] = .string(Self.link(request, entity: entity, replacing: "$deltatoken", with: Self.deltaToken(deltaBase)))
            }
        }
        if !applied.isEmpty { headers.append(("Preference-Applied", applied.joined(separator: ","))) }
        return .json(200, .object(body), headers: headers)
    }

    /// Follow-up of a delta link: changed rows first, then `$deletedEntity` tombstones.
    private func delta(_ request: EmulatorRequest, entity: DataverseEntity, token: String, select: [String]?, annotations: DataverseAnnotations) throws -> EmulatorResponse {
        guard let base = Int64(token.split(separator: "!").first ?? "") else {
            throw DataverseError.badRequest("Invalid delta token '\(token)'.", code: "0x80044352")
        }
        let (events, purged, current) = control.store.events(of: entity.logicalName, after: base)
        guard base >= purged else {
            throw DataverseError.badRequest("Change tracking token expired. Perform a full synchronization.", code: "0x80044352")
        }
        var last: [String: ChangeEvent] = [:]
        for event in events { last[event.id] = event }
        let ordered = last.values.sorted { $0.sequence < $1.sequence }
        var values: [JSONValue] = []
        for event in ordered where event.kind != .deleted {
            if let record = control.store.get(entity.logicalName, event.id) {
                values.append(.object(Self.render(record, entity: entity, select: select, annotations: annotations)))
            }
        }
        for event in ordered where event.kind == .deleted {
            values.append(["@odata.context": .string("\(Self.origin(request))\(Self.apiRoot)/$metadata#\(entity.entitySet)/$deletedEntity"),
                           "id": .string(event.id), "reason": "deleted"])
        }
        let body: JSONValue = [
            "@odata.context": .string(Self.context(request, entity: entity, select: select, suffix: "/$delta")),
            "value": .array(values),
            "@odata.deltaLink": .string(Self.link(request, entity: entity, replacing: "$deltatoken", with: Self.deltaToken(current))),
        ]
        return .json(200, body, headers: [("OData-Version", "4.0"), ("Preference-Applied", "odata.track-changes")])
    }

    static func deltaToken(_ sequence: Int64) -> String { "\(sequence)!\(Timestamps.isoSeconds(EmulatorClock.systemMillis()))" }

    /// The request URL with one paging parameter replaced (others kept, $skiptoken/$deltatoken dropped).
    static func link(_ request: EmulatorRequest, entity: DataverseEntity, replacing name: String, with value: String) -> String {
        var items = request.query.filter { $0.name != "$skiptoken" && $0.name != "$deltatoken" }.map { ($0.name, $0.value) }
        items.append((name, value))
        let query = items.map { "\($0.0)=\(FormCoding.escape($0.1))" }.joined(separator: "&")
        return "\(origin(request))\(apiRoot)/\(entity.entitySet)?\(query)"
    }

    static func parseCookie(_ text: String?) -> [String: String] {
        guard let text else { return [:] }
        var result: [String: String] = [:]
        for part in text.split(separator: " ") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { result[String(kv[0])] = kv[1].replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: "/>", with: "") }
        }
        return result
    }

    /// `POST /{set}`: 204 + OData-EntityId, or 201 with the row for `return=representation`.
    func create(_ request: EmulatorRequest, entity: DataverseEntity) throws -> EmulatorResponse {
        let body: JSONValue
        do { body = try request.jsonBody() } catch { throw DataverseError.badRequest("Invalid JSON. A token was not recognized in the JSON content.", code: "0x0") }
        let record = try control.store.transaction { tx -> StoredRecord in
            let values = try validate(body, entity: entity, creating: true, tx: tx)
            let id = body[entity.primaryID]?.stringValue?.lowercased() ?? newGUID()
            guard tx.get(entity.logicalName, id, includeDeleted: false) == nil else {
                throw DataverseError(status: 412, code: "0x80040237", message: "Cannot insert duplicate key.")
            }
            try checkKeys(values, entity: entity, except: nil, tx: tx)
            return tx.create(entity.logicalName, id: id, fields: values)
        }
        return try written(request, entity: entity, record: record, created: true)
    }

    func checkKeys(_ values: [String: JSONValue], entity: DataverseEntity, except id: String?, tx: StoreTransaction) throws {
        for key in entity.alternateKeys {
            guard let value = values[key], !value.isNull else { continue }
            if tx.lookup(entity.logicalName, field: key, equals: value).contains(where: { $0.id != id && $0.fields[key] == value }) {
                throw DataverseError.alreadyExists
            }
        }
    }

    /// The answer to a successful write.
    func written(_ request: EmulatorRequest, entity: DataverseEntity, record: StoredRecord, created: Bool) throws -> EmulatorResponse {
        let url = Self.entityURL(request, entity: entity, id: record.id)
        let headers = [("OData-Version", "4.0"), ("OData-EntityId", url), ("ETag", Self.etag(record))]
        guard Self.preferences(request).contains("return=representation") else { return .empty(204, headers: headers) }
        let select = try Self.selection(request, entity: entity)
        var row = Self.render(record, entity: entity, select: select, annotations: Self.annotations(request))
        row["@odata.context"] = .string(Self.context(request, entity: entity, select: select, suffix: "/$entity"))
        return .json(created ? 201 : 200, .object(row), headers: headers + [("Preference-Applied", "return=representation")])
    }
}
