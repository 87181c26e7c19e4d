import Foundation

/// Field history objects (`AccountHistory`, `ContactHistory`, `OpportunityFieldHistory`,
/// `X__History`) served from the per-field history the store keeps: one row per change of a
/// field after the record was created, and one `created` row. Every field counts as tracked.
extension SalesforceEmulator {
    /// The history object's canonical name, its parent object and the field naming the
    /// parent, for a history object name as a query spells it.
    static func historyParent(of name: String) -> (name: String, object: String, field: String)? {
        let lower = name.lowercased()
        if lower == "opportunityfieldhistory", SalesforceSchema.objects["Opportunity"] != nil {
            return ("OpportunityFieldHistory", "Opportunity", "OpportunityId")
        }
        if lower.hasSuffix("__history") {
            let custom = String(name.dropLast("__History".count)) + "__c"
            guard let canonical = SalesforceSchema.objectName(custom), SalesforceSchema.objects[canonical] != nil else { return nil }
            return (String(canonical.dropLast(3)) + "__History", canonical, "ParentId")
        }
        guard lower.hasSuffix("history"), let canonical = SalesforceSchema.objectName(String(name.dropLast("History".count))),
              ["Account", "Contact", "Lead", "Case"].contains(canonical), SalesforceSchema.objects[canonical] != nil else { return nil }
        return (canonical + "History", canonical, canonical + "Id")
    }

    /// `SELECT ... FROM ContactHistory WHERE ContactId IN (...) ORDER BY CreatedDate DESC`.
    func historyQuery(_ parsed: SOQLQuery, parent: (name: String, object: String, field: String), request: EmulatorRequest,
                      base: String, all: Bool) throws -> EmulatorResponse {
        let historyName = parent.name
        let columns = ["Id", parent.field, "Field", "OldValue", "NewValue", "DataType", "CreatedDate", "CreatedById", "IsDeleted"]
        func column(_ name: String) throws -> String {
            guard let c = columns.first(where: { $0.lowercased() == name.lowercased() }) else {
                throw SalesforceError(status: 400, code: "INVALID_FIELD", message: "No such column '\(name)' on entity '\(historyName)'.")
            }
            return c
        }
        let fields = try parsed.fields.map(column)
        let condition = try parsed.condition.map { try Self.renamed($0, column) }
        let orders = try parsed.orderBy.map { o -> SOQLOrder in var o = o; o.field = try column(o.field); return o }
        // Only the parents the query names, when it names them (the usual `ParentId IN (...)`).
        let parents: [StoredRecord]
        if let ids = condition.flatMap({ Self.namedIDs($0, field: parent.field) }) {
            parents = ids.compactMap { control.store.get(parent.object, $0, includeDeleted: all) }
        } else {
            parents = control.store.all(parent.object, includeDeleted: all)
        }
        var rows: [[String: JSONValue]] = []
        for record in parents {
            func row(_ n: Int, _ field: String, old: JSONValue, new: JSONValue, at: Int64) -> [String: JSONValue] {
                ["Id": .string("017" + String(record.id.suffix(9)) + String(format: "%06d", n)), parent.field: .string(record.id),
                 "Field": .string(field), "OldValue": old, "NewValue": new, "DataType": .string("Text"),
                 "CreatedDate": .string(Timestamps.salesforce(at)), "CreatedById": .string(Self.defaultUser),
                 "IsDeleted": .bool(record.isDeleted), "@at": .int(at)]
            }
            var n = 0
            rows.append(row(n, "created", old: .null, new: .null, at: record.createdAt))
            for (field, entries) in record.history.sorted(by: { $0.key < $1.key }) {
                // The oldest entry stamped at the record's creation is the value it was created with.
                for (i, entry) in entries.enumerated() where !(i == entries.count - 1 && entry.timestamp == record.createdAt) {
                    n += 1
                    let old = i + 1 < entries.count ? entries[i + 1].value : .null
                    rows.append(row(n, field, old: old, new: entry.value, at: entry.timestamp))
                }
            }
        }
        if let condition { rows = rows.filter { SOQLEvaluator.matches(condition, $0) } }
        rows.sort { a, b in
            for o in orders where a[o.field] != b[o.field] {
                let x = o.field == "CreatedDate" ? a["@at"]?.doubleValue ?? 0 : 0, y = o.field == "CreatedDate" ? b["@at"]?.doubleValue ?? 0 : 0
                if x != y { return o.ascending ? x < y : x > y }
                let s = a[o.field]?.textForm ?? "", t = b[o.field]?.textForm ?? ""
                if s != t { return o.ascending ? s < t : s > t }
            }
            return (a["Id"]?.textForm ?? "") < (b["Id"]?.textForm ?? "")
        }
        if let offset = parsed.offset { rows = Array(rows.dropFirst(offset)) }
        if let limit = parsed.limit { rows = Array(rows.prefix(limit)) }
        let records: [JSONValue] = rows.map { row in
            var out: [String: JSONValue] = ["attributes": ["type": .string(historyName), "url": .string("\(base)/sobjects/\(historyName)/\(row["Id"]?.textForm ?? "")")]]
            for f in fields { out[f] = row[f] ?? .null }
            return .object(out)
        }
        return page(QueryCursor(records: records, batchSize: Self.batchSize(request)), offset: 0, base: base, all: all, id: nil)
    }

    /// `condition` with every field name resolved by `column`.
    static func renamed(_ condition: SOQLCondition, _ column: (String) throws -> String) throws -> SOQLCondition {
        switch condition {
        case .and(let l, let r): return .and(try renamed(l, column), try renamed(r, column))
        case .or(let l, let r): return .or(try renamed(l, column), try renamed(r, column))
        case .not(let c): return .not(try renamed(c, column))
        case .compare(let f, let op, let v): return .compare(field: try column(f), op: op, value: v)
        case .inList(let f, let vs, let n): return .inList(field: try column(f), values: vs, negated: n)
        case .like(let f, let p): return .like(field: try column(f), pattern: p)
        }
    }

    /// The ids a condition requires `field` to be one of (through `AND`), if it does.
    static func namedIDs(_ condition: SOQLCondition, field: String) -> [String]? {
        switch condition {
        case .and(let l, let r): return namedIDs(l, field: field) ?? namedIDs(r, field: field)
        case .inList(let f, let values, false) where f == field:
            return values.compactMap { if case .string(let s) = $0 { s } else { nil } }
        case .compare(let f, "=", .string(let s)) where f == field: return [s]
        default: return nil
        }
    }
}
