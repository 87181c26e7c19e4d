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
        var rows = control.store.all(type).map { ($0, allProperties($0)) }
        if !groups.isEmpty {
            rows = try rows.filter { row in
                try groups.contains { group in try (group["filters"]?.arrayValue ?? []).allSatisfy { try HubSpotFilter.matches($0, row.1) } }
            }
        }
        if let query, !query.isEmpty {
            rows = rows.filter { row in row.1.values.contains { $0.textForm?.lowercased().contains(query) == true } }
        }
        let fields = schema(type)
        let kinds = sorts.map { sort in fields.first { $0.name == sort.0 }?.kind ?? .string }
        var keyed = rows.map { row in (row, sorts.indices.map { SortKey.make(row.1[sorts[$0].0], kind: kinds[$0]) }) }
        keyed.sort { a, b in
            for (index, sort) in sorts.enumerated() where a.1[index] != b.1[index] {
                return sort.1 ? a.1[index] < b.1[index] : a.1[index] > b.1[index]
            }
            return Self.idOrder(a.0.0.id, b.0.0.id)
        }
        rows = keyed.map(\.0)
        let total = rows.count
        let capped = Array(rows.prefix(Self.searchCap))
        let page = capped.dropFirst(after).prefix(limit)
        let properties = (body["properties"]?.arrayValue ?? []).compactMap(\.stringValue)
        var result: [String: JSONValue] = ["total": .int(Int64(total)), "results": .array(page.map { render($0.0, properties: properties) })]
        if after + limit < total { result["paging"] = ["next": ["after": .string(String(after + limit)), "link": .string("?after=\(after + limit)")]] }
        return .json(200, .object(result))
    }
}

/// HubSpot search filter semantics.
enum HubSpotFilter {
    static func matches(_ filter: JSONValue, _ values: [String: JSONValue]) throws -> Bool {
        guard let name = filter["propertyName"]?.stringValue, let op = filter["operator"]?.stringValue else {
            throw HubSpotError.validation("filter needs propertyName and operator")
        }
        let value = values[name]?.textForm
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
