import ConcordMapping
import Foundation

/// Where a Salesforce pull stands, encoded as JSON in the opaque cursor string.
struct SalesforceCursor: Codable, Hashable, Sendable {
    /// Keyset position: the last (`SystemModstamp`, `Id`) read; the next query starts after it.
    var ts: UInt64 = 0
    var id: String = ""
    /// With an empty ``id``: whether rows stamped exactly ``ts`` were all read already (a
    /// completed cycle whose last stamp is older than the overlap), so the next query starts
    /// strictly after ``ts``; otherwise it starts at ``ts`` inclusive.
    var strict: Bool = false
    /// `nextRecordsUrl` of the open query, if the current cycle is mid-result.
    var next: String?
    /// Records delivered at or after the rewind point, by id, with their stamp.
    var seen: [String: UInt64] = [:]
    /// A digest of each record's fields as delivered (same keys as ``seen``). Salesforce
    /// stamps have whole seconds, so a second edit in the same second keeps the stamp: a row
    /// is skipped as already delivered only when its stamp *and* its content are unchanged.
    /// Optional so cursors written before it existed still decode (their rows are re-read once).
    var digests: [String: UInt64]?
    /// Wall time when the current cycle began (`nil` between cycles).
    var started: UInt64?
    /// Wall time when the last completed cycle began: changes and deletes are known up to it.
    var synced: UInt64?
    /// The object the cursor belongs to (a cursor of another object is refused).
    var object: String = ""

    static func decode(_ text: String?, object: String, crm: String) throws(ConnectorError) -> SalesforceCursor {
        guard let text else { return SalesforceCursor(object: object) }
        guard let cursor = try? JSONDecoder().decode(SalesforceCursor.self, from: Data(text.utf8)), cursor.object == object else {
            throw ConnectorError(.permanent, crm: crm, message: "the cursor is not a Salesforce cursor for \(object)")
        }
        return cursor
    }

    var encoded: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// One page of a SOQL result.
struct SalesforceQueryPage: Sendable {
    var records: [ExactJSON]
    var done: Bool
    /// The path of the next page (`/services/data/v59.0/query/01g...-2000`).
    var nextRecordsURL: String?

    init(_ json: ExactJSON?, crm: String, status: Int) throws(ConnectorError) {
        guard let json, let records = json["records"]?.arrayValue else {
            throw ConnectorError.malformed("query response without records", crm: crm, status: status)
        }
        self.records = records
        self.done = json["done"]?.boolValue ?? true
        self.nextRecordsURL = json["nextRecordsUrl"]?.stringValue
    }
}

enum SalesforceWire {
    /// A query row as a ``CRMRecord``: every scalar field but `attributes`.
    static func record(_ row: ExactJSON) -> CRMRecord? {
        guard let members = row.objectValue, let id = members["Id"]?.stringValue else { return nil }
        var fields: [String: WireValue] = [:]
        for (key, value) in members where key != "attributes" {
            if let wire = value.wireValue { fields[key] = wire }
        }
        let deleted = members["IsDeleted"]?.boolValue ?? false
        return CRMRecord(id: id, fields: fields, modifiedAt: members["SystemModstamp"]?.stringValue.flatMap(WireTime.parse),
                         isDeleted: deleted, mergedInto: deleted ? members["MasterRecordId"]?.stringValue : nil,
                         version: members["LastModifiedDate"]?.stringValue.flatMap(WireTime.parse).map(String.init))
    }

    /// A SOQL string literal: quotes and backslashes escaped.
    static func literal(_ text: String) -> String {
        var out = "'"
        for ch in text {
            switch ch {
            case "'": out += "\\'"
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.append(ch)
            }
        }
        return out + "'"
    }

    /// Whether `name` is a plain SOQL identifier (letters, digits, `_`, `.`), so field and
    /// object names cannot inject SOQL.
    static func isIdentifier(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }
    }

    /// Objects Salesforce merges (their merged-away rows keep `MasterRecordId`).
    static let mergeable: Set<String> = ["Account", "Contact", "Lead"]

    /// `Id, SystemModstamp, LastModifiedDate, IsDeleted` (and `MasterRecordId` on mergeable
    /// objects) plus `fields`, without duplicates, in order. `LastModifiedDate` is what
    /// `If-Unmodified-Since` compares, so it is the record's version.
    static func selectList(_ fields: [String], object: String? = nil) -> [String] {
        var seen = Set<String>()
        let system = ["Id", "SystemModstamp", "LastModifiedDate", "IsDeleted"] + (object.map(mergeable.contains) == true ? ["MasterRecordId"] : [])
        return (system + fields).filter { seen.insert($0.lowercased()).inserted }
    }
}
