import ConcordMapping
import Foundation

/// Where a Dataverse pull stands, encoded as JSON in the opaque cursor string.
struct DynamicsCursor: Codable, Hashable, Sendable {
    enum Mode: String, Codable, Sendable {
        /// Change tracking: initial pages, then `@odata.deltaLink` follow-ups.
        case track
        /// The delta token expired: obtain a new one (rows discarded) before catching up.
        case rebase
        /// Catching up on `modifiedon` since the last good sync, then back to `track`.
        case modified
    }

    var object: String
    var mode: Mode = .track
    /// The next page to read (`@odata.nextLink`), mid-result.
    var next: String?
    /// The delta link for the next cycle.
    var delta: String?
    /// A fresh delta link obtained while rebasing, used once the catch-up is done.
    var pendingDelta: String?
    /// Wall time when the last delta cycle began: changes are known up to it.
    var synced: UInt64?
    /// Wall time when the current cycle began.
    var started: UInt64?
    /// Lower bound of the `modifiedon` catch-up.
    var since: UInt64 = 0

    static func decode(_ text: String?, object: String, crm: String) throws(ConnectorError) -> DynamicsCursor {
        guard let text else { return DynamicsCursor(object: object) }
        guard let cursor = try? JSONDecoder().decode(DynamicsCursor.self, from: Data(text.utf8)), cursor.object == object else {
            throw ConnectorError(.permanent, crm: crm, message: "the cursor is not a Dataverse cursor for \(object)")
        }
        return cursor
    }

    var encoded: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

enum DynamicsWire {
    static let formatted = "@OData.Community.Display.V1.FormattedValue"
    static let lookupLogicalName = "@Microsoft.Dynamics.CRM.lookuplogicalname"

    /// A row or tombstone as a ``CRMRecord``. Option sets stay integers (exact number text)
    /// with their label under `field@OData.Community.Display.V1.FormattedValue`; lookups
    /// are `_x_value` GUIDs with the target table under `_x_value@Microsoft.Dynamics.CRM.lookuplogicalname`;
    /// the row version is kept under `@odata.etag` (for `If-Match` on a later update).
    static func record(_ row: ExactJSON, primaryKey: String) -> CRMRecord? {
        guard let members = row.objectValue else { return nil }
        let context = members["@odata.context"]?.stringValue ?? ""
        if context.hasSuffix("$deletedEntity") || members["@removed"] != nil {
            let id = members["id"]?.stringValue ?? members[primaryKey]?.stringValue
                ?? members["@odata.id"]?.stringValue.flatMap(guid(inURL:))
            return id.map { CRMRecord(id: $0.lowercased(), isDeleted: true) }
        }
        guard let id = members[primaryKey]?.stringValue else { return nil }
        var fields: [String: WireValue] = [:]
        for (key, value) in members where !key.hasPrefix("@") || key == "@odata.etag" {
            guard let wire = value.wireValue else { continue }
            if key.contains("@"), key != "@odata.etag", !(key.hasSuffix(formatted) || key.hasSuffix(lookupLogicalName)) { continue }
            fields[key] = wire
        }
        // The subordinate of a Merge stays in the table, deactivated, with `merged` true and
        // `masterid` naming the record it went into: to Concord it is merged away.
        let merged = members["merged"]?.boolValue == true
        return CRMRecord(id: id.lowercased(), fields: fields,
                         modifiedAt: members["modifiedon"]?.stringValue.flatMap(WireTime.parse), isDeleted: merged,
                         mergedInto: merged ? members["_masterid_value"]?.stringValue?.lowercased() : nil)
    }

    /// The GUID in `.../contacts(00000000-...)`.
    static func guid(inURL url: String) -> String? {
        guard let open = url.lastIndex(of: "("), let close = url.lastIndex(of: ")"), open < close else { return nil }
        let inside = String(url[url.index(after: open)..<close])
        return inside.count == 36 && !inside.contains("=") ? inside.lowercased() : nil
    }

    /// Whether `name` is a plain OData identifier.
    static func isIdentifier(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    /// An OData string literal: single quotes doubled.
    static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    /// Whether `text` looks like a GUID (so it can be written unquoted).
    static func isGUID(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.map(\.count) == [8, 4, 4, 4, 12] && text.allSatisfy { $0.isHexDigit || $0 == "-" }
    }

    /// Tables whose rows the Merge action can retire (`merged`, `masterid`), by entity set.
    static let mergeable: Set<String> = ["accounts", "contacts", "leads"]

    /// `$select` for `fields` plus the key and `modifiedon` (and, on a table that merges,
    /// `merged` and `_masterid_value`).
    static func select(_ fields: [String], primaryKey: String, object: String) -> String {
        var seen = Set<String>()
        let system = [primaryKey, "modifiedon"] + (mergeable.contains(object) ? ["merged", "_masterid_value"] : [])
        return (system + fields).filter { seen.insert($0).inserted }.joined(separator: ",")
    }
}
