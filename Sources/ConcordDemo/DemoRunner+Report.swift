import ConcordConnectors
import ConcordCore
import ConcordEngine
import ConcordMapping
import ConcordStore
import Foundation

extension DemoRunner {
    static func report(_ o: DemoOptions, reports: [PassReport], calls: [String: Int], readBack: ReadBack, comparison: ReadBack.Comparison,
                       lost: [String], duplicates: [String], before: [String: Set<String>], driverChanges: Int, engine: SyncEngine,
                       config: ConcordConfig, connectors: [any CRMConnector], seconds: Double) async throws -> DemoReport {
        let (quarantinedBy, refusedBy, blockedBy) = try await engine.withStore { s -> ([String: Int], [String: Int], [String: Int]) in
            var q: [String: Int] = [:], f: [String: Int] = [:], b: [String: Int] = [:]
            for row in try s.quarantined() where !row.rule.hasPrefix("held:") { q[row.replica, default: 0] += 1 }
            for crm in config.activeCRMs {
                f[crm] = try s.outbox(replica: crm, state: .failed).count
                b[crm] = try s.outbox(replica: crm, state: .blocked).count
            }
            return (q, f, b)
        }
        var crms: [DemoReport.CRM] = []
        for c in connectors {
            let objects = config.objects.filter { config.mapping(crm: c.name, object: $0.name) != nil }.count
            let rs = reports.compactMap { $0.replicas[c.name] }
            let pulled = rs.map(\.pulled).reduce(0, +)
            let written = rs.map { $0.created + $0.updated + $0.deleted }.reduce(0, +)
            let floor = ceilDiv(pulled, c.pullPageSize) + ceilDiv(written, c.pushBatchSize)
            // Polling reads every object once per pass even when nothing changed.
            let pollFloor = floor + reports.count * objects
            crms.append(DemoReport.CRM(
                name: c.name, recordsBefore: before[c.name]?.count ?? 0, recordsAfter: readBack.counts[c.name] ?? 0,
                created: rs.map(\.created).reduce(0, +), updated: rs.map(\.updated).reduce(0, +), deleted: rs.map(\.deleted).reduce(0, +),
                fieldsWritten: rs.map(\.fieldsWritten).reduce(0, +), duplicatesMatched: rs.map(\.matched).reduce(0, +),
                quarantined: quarantinedBy[c.name] ?? 0, refused: refusedBy[c.name] ?? 0, blocked: blockedBy[c.name] ?? 0, apiCalls: calls[c.name] ?? 0,
                apiCallFloor: floor, apiCallFloorWithPolls: pollFloor,
                pulled: pulled, lastError: rs.last?.lastError))
        }
        let names = config.activeCRMs
        let (conflicts, examples, quarantine) = try await engine.withStore { s -> (Int, [DemoReport.ConflictExample], [QuarantineRow]) in
            let all = try s.conflicts(limit: 2_000)
            // Prefer examples from different fields with different CRMs on each side.
            var picked: [ConflictRecord] = []
            for c in all where c.winner.stamp.site != c.loser.stamp.site && !picked.contains(where: { $0.field == c.field }) {
                picked.append(c)
                if picked.count == 2 { break }
            }
            let examples = try picked.map { c -> DemoReport.ConflictExample in
                let object = try s.record(c.record)?.objectType ?? "?"
                let key = try s.links(of: c.record).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                let w = ReplicaSites.name(of: c.winner.stamp.site, among: names) ?? "concord"
                let l = ReplicaSites.name(of: c.loser.stamp.site, among: names) ?? "concord"
                return DemoReport.ConflictExample(
                    object: object, record: "\(c.record) (\(key))", field: c.field,
                    winner: c.winner.value.description, winnerCRM: w, winnerTime: time(c.winner.stamp.hlc),
                    loser: c.loser.value.description, loserCRM: l, loserTime: time(c.loser.stamp.hlc),
                    why: c.winner.stamp.hlc.millis == c.loser.stamp.hlc.millis
                        ? "same millisecond: the higher (hlc, site) wins, the same way in every replica"
                        : "\(w)'s edit was made \(Double(c.winner.stamp.hlc.millis - c.loser.stamp.hlc.millis) / 1000) s later: the later edit wins")
            }
            return (try s.conflictCount(), examples, try s.quarantined())
        }
        var byRule: [String: Int] = [:]
        var held = 0
        for q in quarantine {
            if q.rule.hasPrefix("held:") { held += 1 } else { byRule[q.rule, default: 0] += 1 }
        }
        var qExamples: [String] = []
        for rule in byRule.keys.sorted() {
            if let q = quarantine.first(where: { $0.rule == rule && !$0.rule.hasPrefix("held:") }) { qExamples.append("\(q.replica) \(q.objectType) \(q.recordKey): \(q.reason)") }
        }
        return DemoReport(seed: o.seed, recordsPerCRM: o.records, crms: crms, passes: reports.count, conflictsResolved: conflicts,
                          conflictExamples: examples, quarantinedByRule: byRule, heldReferences: held, quarantineExamples: qExamples,
                          driverChanges: driverChanges,
                          converged: comparison.divergences.isEmpty && readBack.unlinked.isEmpty && readBack.unreadable.isEmpty,
                          divergences: Array((readBack.unreadable.map { "could not read back: \($0)" } + comparison.divergences
                                              + readBack.unlinked.map { "never linked: \($0)" }).prefix(20)),
                          divergenceCount: readBack.unreadable.count + comparison.divergences.count + readBack.unlinked.count,
                          unheldReferences: comparison.unheld.count, unheldExamples: Array(comparison.unheld.prefix(5)),
                          ignoredDeletes: comparison.ignoredDeletes.count, refusedRecords: comparison.refused.count,
                          refusedExamples: Array(comparison.refused.prefix(5)), quarantinedRecords: readBack.quarantined.count,
                          quarantinedDifferences: comparison.quarantined.count,
                          lostUpdates: lost.count, lostUpdateExamples: Array(lost.prefix(10)), duplicatesCreated: duplicates.count, duplicateExamples: Array(duplicates.prefix(10)),
                          seconds: seconds)
    }

    static func ceilDiv(_ a: Int, _ b: Int) -> Int { b <= 0 ? 0 : (a + b - 1) / b }

    static func time(_ hlc: HLCTimestamp) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date(timeIntervalSince1970: Double(hlc.millis) / 1000)) + (hlc.counter > 0 ? "#\(hlc.counter)" : "")
    }

    /// The report for people.
    public static func text(_ r: DemoReport) -> String {
        var out: [String] = []
        out.append("")
        out.append("Concord demo: \(r.recordsPerCRM) seeded people per CRM (plus companies, deals, activities), seed \(r.seed)")
        out.append(String(format: "synced in %.1f s over %d passes, while a human-user driver made %d changes", r.seconds, r.passes, r.driverChanges))
        out.append("")
        out.append("CRM          before   after  created updated deleted  fields  matched  quarantined refused  API calls (floor, with polls)")
        for c in r.crms {
            out.append(String(format: "%-11@ %7d %7d %8d %7d %7d %7d %8d %12d %7d %10d (%d, %d)", c.name as NSString, c.recordsBefore,
                              c.recordsAfter, c.created, c.updated, c.deleted, c.fieldsWritten, c.duplicatesMatched, c.quarantined,
                              c.refused, c.apiCalls, c.apiCallFloor, c.apiCallFloorWithPolls))
        }
        out.append("  floor = ceil(records pulled / page) + ceil(records written / batch); with polls adds one read per object per pass")
        out.append("")
        out.append("Conflicts resolved field by field: \(r.conflictsResolved)")
        for e in r.conflictExamples {
            out.append("  \(e.object) \(e.record), field \(e.field):")
            out.append("    \(e.winner) from \(e.winnerCRM) at \(e.winnerTime)  beat  \(e.loser) from \(e.loserCRM) at \(e.loserTime)")
            out.append("    why: \(e.why)")
        }
        out.append("")
        out.append("Quarantined: \(r.quarantinedByRule.values.reduce(0, +))" + (r.quarantinedByRule.isEmpty ? "" : " (" + r.quarantinedByRule.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")"))
        for q in r.quarantineExamples { out.append("  e.g. \(q)") }
        if r.heldReferences > 0 { out.append("Synced with some fields held back (a reference to a record not linked yet, applied once it is; a value that failed validation, until it is fixed): \(r.heldReferences)") }
        out.append("")
        if let p = r.propagation {
            out.append(String(format: "Webhook propagation (concord serve): %d events, p50 %.2f s, p95 %.2f s, p99 %.2f s, max %.2f s",
                              p.events, p.p50Seconds, p.p95Seconds, p.p99Seconds, p.maxSeconds))
        }
        out.append("Checked by reading every CRM back: converged \(r.converged ? "yes" : "NO"), lost updates \(r.lostUpdates), duplicates created \(r.duplicatesCreated)")
        for d in r.divergences.prefix(5) { out.append("  differs: \(d)") }
        out.append("  records missing where they were deleted under the ignore policy: \(r.ignoredDeletes); refused by a CRM's own rule: "
                   + "\(r.refusedRecords); held in the quarantine: \(r.quarantinedRecords) records, \(r.quarantinedDifferences) fields")
        for e in r.refusedExamples.prefix(2) { out.append("    e.g. \(e)") }
        if r.unheldReferences > 0 {
            out.append("  \(r.unheldReferences) references are blank in a CRM that does not hold the record they name (deleted there, or refused)")
            for u in r.unheldExamples.prefix(2) { out.append("    e.g. \(u)") }
        }
        for l in r.lostUpdateExamples.prefix(5) { out.append("  lost: \(l)") }
        for d in r.duplicateExamples.prefix(5) { out.append("  duplicate: \(d)") }
        return out.joined(separator: "\n")
    }
}
