import ConcordMapping
import ConcordStore
import Foundation

/// The production ``QuarantineStore``: entries live in the store's `quarantine` table, the
/// whole ``QuarantineEntry`` (exact raw input, failures, attempts) kept as JSON in `input`.
public struct StoreQuarantine: QuarantineStore {
    /// The store that holds the table.
    public let handle: StoreHandle

    /// Uses the quarantine table of `handle`'s store.
    public init(handle: StoreHandle) { self.handle = handle }

    public func add(_ entry: QuarantineEntry) async throws {
        let json = String(decoding: try JSONEncoder.sorted.encode(entry), as: UTF8.self)
        let rule = entry.failures.map(\.rule.rawValue).joined(separator: ",")
        let reason = entry.failures.map(\.reason).joined(separator: "; ")
        try await handle.access { (s: ConcordStore) throws(StoreError) in
            _ = try s.addQuarantine(key: entry.id, objectType: entry.object, replica: entry.crm, recordKey: entry.recordKey,
                                    input: json, rule: rule.isEmpty ? "validation" : rule, reason: reason)
        }
    }

    public func list(object: String?) async throws -> [QuarantineEntry] {
        let rows = try await handle.access { (s: ConcordStore) throws(StoreError) in try s.quarantined(objectType: object) }
        return rows.map(Self.entry)
    }

    public func get(id: String) async throws -> QuarantineEntry? {
        try await handle.access { (s: ConcordStore) throws(StoreError) in try s.quarantineEntry(key: id) }.map(Self.entry)
    }

    @discardableResult
    public func remove(id: String) async throws -> Bool {
        try await handle.access { (s: ConcordStore) throws(StoreError) in try s.removeQuarantine(key: id) }
    }

    /// A row as an entry. Rows the store wrote itself (a clock-skew rejection of a peer's
    /// change) are not mapping input; they are shown with their reason and the exact change.
    static func entry(_ row: QuarantineRow) -> QuarantineEntry {
        if let e = try? JSONDecoder().decode(QuarantineEntry.self, from: Data(row.input.utf8)) { return e }
        return QuarantineEntry(id: row.key, object: row.objectType, crm: row.replica, recordKey: row.recordKey,
                               raw: ["change": .string(row.input)], isCreate: false,
                               failures: [ValidationFailure(object: row.objectType, recordKey: row.recordKey, fields: [],
                                                            values: [:], rule: ValidationFailure.Rule(rawValue: row.rule) ?? .conversion, reason: row.reason)],
                               firstSeenMillis: Int64(row.createdAt))
    }
}

extension JSONEncoder {
    /// An encoder with sorted keys, so equal values give equal bytes.
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
