import Foundation

/// Server-side state of a SOQL query whose results span several pages.
struct QueryCursor: Sendable {
    var records: [JSONValue]
    var batchSize: Int
}

extension SalesforceEmulator {
    /// `GET /query?q=` and `/queryAll?q=`.
    func query(_ request: EmulatorRequest, base: String, all: Bool) throws -> EmulatorResponse {
        guard let text = request.queryValue("q") else { throw SalesforceError.malformedQuery("A query string has to be specified") }
        let parsed: SOQLQuery
        do { parsed = try SOQLParser.parse(text) } catch let error as SOQLError {
            throw SalesforceError.malformedQuery(error.message)
        }
        if let parent = Self.historyParent(of: parsed.object) {
            return try historyQuery(parsed, parent: parent, request: request, base: base, all: all)
        }
        guard let canonical = SalesforceSchema.objectName(parsed.object), let object = SalesforceSchema.objects[canonical] else {
            throw SalesforceError(status: 400, code: "INVALID_TYPE", message: "sObject type '\(parsed.object)' is not supported.")
        }
        let fields = try Self.resolveFields(parsed.fields, object: object)
        let condition = try parsed.condition.map { try canonicalise($0, object: object) }
        let orders = try parsed.orderBy.map { order -> SOQLOrder in
            var order = order
            order.field = try Self.resolveFields([order.field], object: object)[0]
            return order
        }
        var rows = control.store.all(object.name, includeDeleted: all).map { ($0, Self.fullFields($0)) }
        if let condition { rows = rows.filter { SOQLEvaluator.matches(condition, $0.1) } }
        let kinds = orders.map { object.field($0.field)?.kind }
        var keyed = rows.map { row in (row, orders.indices.map { SortKey.make(row.1[orders[$0].field], kind: kinds[$0]) }) }
        keyed.sort { a, b in
            for (index, order) in orders.enumerated() {
                let x = a.1[index], y = b.1[index]
                if x == y { continue }
                if x == .null || y == .null { return (x == .null) == order.nullsFirst }
                return order.ascending ? x < y : x > y
            }
            return a.0.0.id < b.0.0.id
        }
        rows = keyed.map(\.0)
        if let offset = parsed.offset { rows = Array(rows.dropFirst(offset)) }
        if let limit = parsed.limit { rows = Array(rows.prefix(limit)) }
        let records = rows.map { Self.render($0.0, base: base, fields: fields) }
        let batchSize = Self.batchSize(request)
        return page(QueryCursor(records: records, batchSize: batchSize), offset: 0, base: base, all: all, id: nil)
    }

    /// Follows a `nextRecordsUrl` locator `01g...-OFFSET`.
    func nextPage(locator: String, base: String, all: Bool) throws -> EmulatorResponse {
        let parts = locator.split(separator: "-")
        guard parts.count == 2, let offset = Int(parts[1]), let cursor = cursors.withLock({ $0[String(parts[0])] }) else {
            throw SalesforceError(status: 400, code: "INVALID_QUERY_LOCATOR", message: "invalid query locator")
        }
        return page(cursor, offset: offset, base: base, all: all, id: String(parts[0]))
    }

    func page(_ cursor: QueryCursor, offset: Int, base: String, all: Bool, id: String?) -> EmulatorResponse {
        let end = min(cursor.records.count, offset + cursor.batchSize)
        var body: [String: JSONValue] = [
            "totalSize": .int(Int64(cursor.records.count)), "done": .bool(end >= cursor.records.count),
            "records": .array(Array(cursor.records[min(offset, end)..<end])),
        ]
        if end < cursor.records.count {
            let locator = id ?? "01g" + String(control.randomWord() % 1_000_000_000_000, radix: 36).uppercased()
            if id == nil { cursors.withLock { $0[locator] = cursor } }
            body["nextRecordsUrl"] = .string("\(base)/\(all ? "queryAll" : "query")/\(locator)-\(end)")
        } else if let id {
            cursors.withLock { _ = $0.removeValue(forKey: id) }
        }
        return .json(200, .object(body))
    }

    /// `Sforce-Query-Options: batchSize=N` (200...2000, default 2000).
    static func batchSize(_ request: EmulatorRequest) -> Int {
        guard let header = request.header("sforce-query-options"),
            let value = header.split(separator: ",").first(where: { $0.contains("batchSize") })?.split(separator: "=").last,
            let n = Int(value.trimmingCharacters(in: .whitespaces))
        else { return 2000 }
        return min(2000, max(200, n))
    }

    private func canonicalise(_ condition: SOQLCondition, object: ObjectSchema) throws -> SOQLCondition {
        switch condition {
        case .and(let l, let r): return .and(try canonicalise(l, object: object), try canonicalise(r, object: object))
        case .or(let l, let r): return .or(try canonicalise(l, object: object), try canonicalise(r, object: object))
        case .not(let c): return .not(try canonicalise(c, object: object))
        case .compare(let f, let op, let v): return .compare(field: try Self.resolveFields([f], object: object)[0], op: op, value: v)
        case .inList(let f, let vs, let n): return .inList(field: try Self.resolveFields([f], object: object)[0], values: vs, negated: n)
        case .like(let f, let p): return .like(field: try Self.resolveFields([f], object: object)[0], pattern: p)
        }
    }
}
