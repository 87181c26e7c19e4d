import Foundation

extension HubSpotEmulator {
    /// `POST /crm/v3/objects/{type}/search` with filter groups, sorts, query and the 10,000 cap.
    func search(_ request: EmulatorRequest, type: String) throws -> EmulatorResponse {
        let body = try json(request)
        let limit = Int(body["limit"]?.intValue ?? 10)
        guard (1...200).contains(limit) else { throw HubSpotError.validation("limit must be between 1 and 200") }
        let after = Int(body["after"]?.textForm ?? "0") ?? 0
        guard after < Self.searchCap else {
            throw HubSpotError.validation("Paging through search results is limited to \(Self.searchCap) results; after=\(after) is out of range.",
                                          context: ["after": [String(after)]])
        }
        let groups = body["filterGroups"]?.arrayValue ?? []
        let filterCount = groups.reduce(0) { $0 + ($1["filters"]?.arrayValue?.count ?? 0) }
        guard groups.count <= 5, filterCount <= 25, groups.allSatisfy({ ($0["filters"]?.arrayValue?.count ?? 0) <= 10 }) else {
            throw HubSpotError.validation("Too many filters: at most 5 filterGroups, 10 filters per group and 25 filters in total are allowed.")
        }
        let sorts = try (body["sorts"]?.arrayValue ?? []).map { sort -> (String, Bool) in
            if let name = sort.stringValue { return (name.hasPrefix("-") ? String(name.dropFirst()) : name, !name.hasPrefix("-")) }
            guard let name = sort["propertyName"]?.stringValue else { throw HubSpotError.validation("sort is missing propertyName") }
            return (name, sort["direction"]?.stringValue != "DESCENDING")
        }
        let query = body["query"]?.stringValue?.lowercased()
        // Filters and sorts read a few properties of every record: look those up one by one
        // (date-times as epoch ms, so each compares as a number) instead of rendering every
        // record's properties for every page.
        let fields = schema(type)
        let dateNames = Set(fields.filter { $0.kind == .dateTime || $0.kind == .date }.map(\.name))
        let filterGroups = groups.map { group in (group["filters"]?.arrayValue ?? []).map { Self.epochFilter($0, dateNames: dateNames) } }
        let candidates = control.store.all(type)
        var matched: [StoredRecord] = []
        matched.reserveCapacity(candidates.count)
        for record in candidates {
            let lookup = { (name: String) in self.filterProperty(record, name, dateNames: dateNames) }
            if !filterGroups.isEmpty, try !filterGroups.contains(where: { try $0.allSatisfy { try HubSpotFilter.matches($0, lookup) } }) { continue }
            if let query, !query.isEmpty, !allProperties(record).values.contains(where: { $0.textForm?.lowercased().contains(query) == true }) { continue }
            matched.append(record)
        }
        let kinds = sorts.map { sort in fields.first { $0.name == sort.0 }?.kind ?? .string }
        var keyed = matched.map { record in
            (record, sorts.indices.map { i -> SortKey in
                let value = filterProperty(record, sorts[i].0, dateNames: dateNames)
                if dateNames.contains(sorts[i].0) { return value?.textForm.flatMap(Double.init).map(SortKey.number) ?? .null }
                return SortKey.make(value, kind: kinds[i])
            })
        }
        keyed.sort { a, b in
            for (index, sort) in sorts.enumerated() where a.1[index] != b.1[index] {
                return sort.1 ? a.1[index] < b.1[index] : a.1[index] > b.1[index]
            }
            return Self.idOrder(a.0.id, b.0.id)
        }
        let rows = keyed.map(\.0)
        let total = rows.count
        let capped = Array(rows.prefix(Self.searchCap))
        let page = capped.dropFirst(after).prefix(limit)
        let properties = (body["properties"]?.arrayValue ?? []).compactMap(\.stringValue)
        var result: [String: JSONValue] = ["total": .int(Int64(total)), "results": .array(page.map { render($0, properties: properties) })]
        if after + limit < total { result["paging"] = ["next": ["after": .string(String(after + limit)), "link": .string("?after=\(after + limit)")]] }
        return .json(200, .object(result))
    }

    /// One property of a record as a search filter sees it: stored fields, the computed
    /// ones (`hs_object_id`, `createdate`, the last-modified date), date-times as epoch ms.
    func filterProperty(_ record: StoredRecord, _ name: String, dateNames: Set<String>) -> JSONValue? {
        switch name {
        case "hs_object_id": return .string(record.id)
        case "createdate": return .string(String(record.createdAt))
        case HubSpotSchema.modifiedProperty(record.type): return .string(String(record.modifiedAt))
        case "hs_merged_object_ids": return record.mergedIds.isEmpty ? nil : .string(record.mergedIds.joined(separator: ";"))
        default:
            let value = record.fields[name]
            if dateNames.contains(name), let text = value?.textForm, let ms = Timestamps.parse(text) { return .string(String(ms)) }
            return value
        }
    }

    /// A filter on a date-time property with its values as epoch ms.
    static func epochFilter(_ filter: JSONValue, dateNames: Set<String>) -> JSONValue {
        guard let name = filter["propertyName"]?.stringValue, dateNames.contains(name) || name == "createdate", case .object(var object) = filter
        else { return filter }
        func epoch(_ v: JSONValue?) -> JSONValue? { v?.textForm.flatMap(Timestamps.parse).map { .string(String($0)) } ?? v }
        if let v = epoch(object["value"]) { object["value"] = v }
        if let v = epoch(object["highValue"]) { object["highValue"] = v }
        if let list = object["values"]?.arrayValue { object["values"] = .array(list.map { epoch($0) ?? $0 }) }
        return .object(object)
    }
}

/// HubSpot search filter semantics.
enum HubSpotFilter {
    static func matches(_ filter: JSONValue, _ values: [String: JSONValue]) throws -> Bool {
        try matches(filter) { values[$0] }
    }

    /// `filter` against a record whose properties `property` looks up by name.
    static func matches(_ filter: JSONValue, _ property: (String) -> JSONValue?) throws -> Bool {
        guard let name = filter["propertyName"]?.stringValue, let op = filter["operator"]?.stringValue else {
            throw HubSpotError.validation("filter needs propertyName and operator")
        }
        let value = property(name)?.textForm
        let target = filter["value"]?.textForm
        switch op {
        case "HAS_PROPERTY": return value != nil
        case "NOT_HAS_PROPERTY": return value == nil
        case "EQ": return value != nil && compare(value, target) == 0
        case "NEQ": return value == nil || compare(value, target) != 0
        case "LT": return value != nil && compare(value, target) < 0
        case "LTE": return value != nil && compare(value, target) <= 0
        case "GT": return value != nil && compare(value, target) > 0
        case "GTE": return value != nil && compare(value, target) >= 0
        case "BETWEEN":
            return value != nil && compare(value, target) >= 0 && compare(value, filter["highValue"]?.textForm) <= 0
        case "IN", "NOT_IN":
            let list = (filter["values"]?.arrayValue ?? []).compactMap(\.textForm)
            let found = value.map { v in list.contains { compare(v, $0) == 0 } } ?? false
            return op == "IN" ? found : !found
        case "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN":
            let token = (target ?? "").lowercased().replacingOccurrences(of: "*", with: "")
            let found = value?.lowercased().contains(token) ?? false
            return op == "CONTAINS_TOKEN" ? found : !found
        default:
            throw HubSpotError.validation("Unsupported operator \(op)")
        }
    }

    /// Compares numbers numerically, date-times by instant (ISO or epoch ms), text case-insensitively.
    static func compare(_ a: String?, _ b: String?) -> Int {
        guard let a else { return b == nil ? 0 : -1 }
        guard let b else { return 1 }
        if let x = Double(a), let y = Double(b), a.count < 14 || b.count < 14 { return x < y ? -1 : (x > y ? 1 : 0) }
        if a.contains("-") || b.contains("-"), let x = Timestamps.parse(a), let y = Timestamps.parse(b) { return x < y ? -1 : (x > y ? 1 : 0) }
        if let x = Double(a), let y = Double(b) { return x < y ? -1 : (x > y ? 1 : 0) }
        let x = a.lowercased(), y = b.lowercased()
        return x < y ? -1 : (x > y ? 1 : 0)
    }
}
