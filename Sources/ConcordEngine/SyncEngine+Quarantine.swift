import ConcordConnectors
import ConcordCore
import ConcordMapping
import ConcordStore
import Foundation

extension SyncEngine {
    func quarantineKey(_ replica: String, _ object: String, _ id: String) -> String { "\(replica):\(object):\(id)" }

    /// Reads again, in one batched read per CRM and object, the records whose references are
    /// held, so a hold is retried with what the CRM holds now (a HubSpot merge moves
    /// associations without touching the record: the held input would never resolve).
    /// Records the CRM no longer has drop their hold (not those it could not tell about).
    func refreshHolds(into report: inout PassReport) async {
        guard let rows = try? store.quarantined().filter({ $0.rule.hasPrefix("held:") }), !rows.isEmpty else { return }
        var groups: [String: [(key: String, entry: QuarantineEntry)]] = [:]
        for row in rows {
            guard let entry = try? JSONDecoder().decode(QuarantineEntry.self, from: Data(row.input.utf8)) else { continue }
            groups["\(entry.crm)\u{0}\(entry.object)", default: []].append((row.key, entry))
        }
        for (_, held) in groups.sorted(by: { $0.key < $1.key }) {
            guard let first = held.first?.entry, let connector = connectors[first.crm],
                  let mapping = config.mapping(crm: first.crm, object: first.object) else { continue }
            let fields = Set(held.flatMap { $0.entry.heldFields ?? [] }.compactMap { mapping.field($0)?.crmField })
            let fetched: LookupResult
            do { fetched = try await connector.lookup(object: mapping.crmObject, ids: held.map(\.entry.recordKey), fields: fields.sorted()) } catch {
                report.replicas[first.crm, default: PassReport.Replica()].lastError = "re-reading held \(first.object) records failed: \(error.description)"
                continue
            }
            let byID = Dictionary(fetched.records.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            for (key, var entry) in held {
                // A record the answer could not tell about keeps its hold.
                if fetched.unknown.contains(entry.recordKey) { continue }
                guard let record = byID[entry.recordKey], !record.isDeleted else {
                    _ = try? store.removeQuarantine(key: key)
                    continue
                }
                let crmFields = Set((entry.heldFields ?? []).compactMap { mapping.field($0)?.crmField })
                entry.raw = record.fields.filter { crmFields.contains($0.key) }
                entry.modifiedMillis = record.modifiedAt.map { Int64(clamping: $0) } ?? entry.modifiedMillis
                guard let json = try? JSONEncoder.sorted.encode(entry) else { continue }
                _ = try? store.addQuarantine(key: key, objectType: entry.object, replica: entry.crm, recordKey: entry.recordKey,
                                             input: String(decoding: json, as: UTF8.self), rule: rows.first { $0.key == key }?.rule ?? "held:",
                                             reason: entry.failures.map(\.reason).joined(separator: "; "))
            }
        }
    }

    /// A record that now passes leaves the quarantine; a hold only when the values include
    /// the references it holds (a read of some fields, before an update, says nothing of them).
    func releaseQuarantine(_ key: String, values: [String: Value]) throws(StoreError) {
        guard let row = try store.quarantineEntry(key: key) else { return }
        if row.rule.hasPrefix("held:"),
           let entry = try? JSONDecoder().decode(QuarantineEntry.self, from: Data(row.input.utf8)),
           let held = entry.heldFields, !held.allSatisfy({ values[$0] != nil }) {
            return
        }
        _ = try store.removeQuarantine(key: key)
    }

    /// Re-runs quarantined CRM records: the exact stored input goes through identity,
    /// mapping and validation again with the current configuration and links, and leaves the
    /// quarantine (merged and planned like any pulled record) when it now passes. Runs each
    /// pass for every entry, so a reference that arrived later or a fixed mapping releases
    /// records by itself; `concord quarantine retry` runs it at once.
    ///
    /// - Parameter keys: the entries to retry (all when `nil`).
    /// - Returns: for each entry tried, whether it was released.
    @discardableResult
    public func retryQuarantined(keys: [String]? = nil) throws(StoreError) -> [String: Bool] {
        var report = PassReport()
        return try retryQuarantined(keys: keys, report: &report)
    }

    func retryQuarantined(keys: [String]?, report: inout PassReport) throws(StoreError) -> [String: Bool] {
        let wanted = keys.map(Set.init)
        let rows = try store.quarantined().filter { wanted?.contains($0.key) ?? true }
        guard !rows.isEmpty else { return [:] }
        var outcome: [String: Bool] = [:]
        var firstError: StoreError?
        // Bounded transactions: the cost of one commit does not grow with the quarantine, and
        // a failure rolls back its own chunk only (reported; the other chunks still release).
        for start in stride(from: 0, to: rows.count, by: Self.quarantineRetryChunk) {
            let chunk = Array(rows[start..<min(start + Self.quarantineRetryChunk, rows.count)])
            var chunkReport = report
            do throws(StoreError) {
                let released = try store.transaction { _ throws(StoreError) in try retryChunk(chunk, report: &chunkReport) }
                outcome.merge(released) { _, new in new }
                report = chunkReport
            } catch {
                for row in chunk { outcome[row.key] = false }
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
        return outcome
    }

    /// Retries some quarantine rows inside the caller's transaction.
    private func retryChunk(_ rows: [QuarantineRow], report: inout PassReport) throws(StoreError) -> [String: Bool] {
        var outcome: [String: Bool] = [:]
        for row in rows {
            // Store-level entries (a peer's clock-skewed change) are not CRM input: skipped.
            guard let entry = try? JSONDecoder().decode(QuarantineEntry.self, from: Data(row.input.utf8)),
                  let mapping = config.mapping(crm: entry.crm, object: entry.object) else { continue }
            var r = report.replicas[entry.crm] ?? PassReport.Replica()
            let quarantinedBefore = r.quarantined
            var record = CRMRecord(id: entry.recordKey, fields: entry.raw,
                                   modifiedAt: UInt64(max(0, entry.modifiedMillis ?? entry.firstSeenMillis)))
            if let heldFields = entry.heldFields {
                // A hold: only the held references are retried, and only while nothing newer
                // reached that field of the CRM's record (else the hold is superseded).
                guard let gid = try store.linkedRecord(replica: entry.crm, objectType: entry.object, externalID: entry.recordKey)
                else { try store.removeQuarantine(key: row.key); outcome[row.key] = true; continue }
                let shadow = try store.shadow(replica: entry.crm, record: gid)
                if heldFields.contains(where: { (shadow[$0]?.description ?? "(absent)") != entry.heldShadow?[$0] }) {
                    try store.removeQuarantine(key: row.key)
                    outcome[row.key] = true
                    continue
                }
                let crmFields = Set(heldFields.compactMap { mapping.field($0)?.crmField })
                record.fields = entry.raw.filter { crmFields.contains($0.key) }
            }
            try ingest(record, replica: entry.crm, object: entry.object, mapping: mapping, report: &report, replicaReport: &r)
            r.quarantined = quarantinedBefore
            outcome[row.key] = try store.quarantineEntry(key: row.key) == nil
            report.replicas[entry.crm] = r
        }
        return outcome
    }

    /// Quarantine entries retried per transaction.
    static let quarantineRetryChunk = 200

    /// Keeps a CRM record's exact input in the quarantine with the reasons; with `held`, as
    /// a hold of those reference fields (the rest of the record was merged).
    func quarantine(_ record: CRMRecord, replica: String, object: String, isCreate: Bool,
                    failures: [ValidationFailure], held: (fields: [String], shadow: [String: String])? = nil) throws(StoreError) {
        let key = quarantineKey(replica, object, record.id)
        let previous = try store.quarantineEntry(key: key)
        var entry = QuarantineEntry(id: key, object: object, crm: replica, recordKey: record.id, raw: record.fields,
                                    isCreate: isCreate, failures: failures,
                                    firstSeenMillis: Int64(previous?.createdAt ?? wallClock.nowMillis()))
        entry.modifiedMillis = record.modifiedAt.map { Int64(clamping: $0) }
        entry.heldFields = held?.fields
        entry.heldShadow = held?.shadow
        let json = (try? JSONEncoder.sorted.encode(entry)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        try store.addQuarantine(key: key, objectType: object, replica: replica, recordKey: record.id, input: json,
                                rule: (held == nil ? "" : "held:") + failures.map(\.rule.rawValue).joined(separator: ","),
                                reason: failures.map(\.reason).joined(separator: "; "))
    }
}
