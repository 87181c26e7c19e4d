import ConcordCore

/// Text renderings of quarantine entries for the CLI (`concord quarantine list|show`).
public enum QuarantineReport {
    /// One line per entry: id, object, CRM, record, rules, first reason.
    public static func list(_ entries: [QuarantineEntry]) -> String {
        guard !entries.isEmpty else { return "Quarantine is empty.\n" }
        var out = "\(entries.count) quarantined change\(entries.count == 1 ? "" : "s"):\n"
        for e in entries {
            let rules = Set(e.failures.map(\.rule.rawValue)).sorted().joined(separator: ",")
            out += "\(e.id)  \(e.object)  \(e.crm)  \(e.recordKey)  [\(rules)]  \(e.failures.first?.reason ?? "")\n"
        }
        return out
    }

    /// Every detail of one entry: the raw input exactly as received, and each failure.
    public static func show(_ e: QuarantineEntry) -> String {
        var out = "id: \(e.id)\nobject: \(e.object)\ncrm: \(e.crm)\nrecord: \(e.recordKey)\n"
        out += "change: \(e.isCreate ? "create" : "update")\nfirst seen (unix ms): \(e.firstSeenMillis)\nattempts: \(e.attempts)\n"
        out += "raw input:\n"
        for (k, v) in e.raw.sorted(by: { $0.key < $1.key }) { out += "  \(k): \(v)\n" }
        out += "failures:\n"
        for f in e.failures {
            out += "  - rule: \(f.rule.rawValue)\(f.crm.map { " (\($0))" } ?? "")\n"
            for field in f.fields { out += "    \(field) = \(f.values[field] ?? "(absent)")\n" }
            out += "    reason: \(f.reason)\n"
        }
        return out
    }

    /// The result of a retry as one line.
    public static func retry(id: String, _ outcome: RetryOutcome) -> String {
        switch outcome {
        case .notFound: return "\(id): no such quarantine entry\n"
        case .released(let values): return "\(id): released (\(values.count) field\(values.count == 1 ? "" : "s") ready to merge)\n"
        case .stillFailing(let f): return "\(id): still failing: " + f.map(\.reason).joined(separator: "; ") + "\n"
        }
    }
}
