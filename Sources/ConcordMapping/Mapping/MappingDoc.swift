import Foundation

/// Renders the active mapping as Markdown: per object, one row per canonical field with
/// its type, rule, validation, and each CRM's field and transform.
public enum MappingDoc {
    /// An object name that the configuration does not define.
    public struct UnknownObject: Error, Hashable, Sendable, CustomStringConvertible {
        /// The requested name.
        public var name: String
        /// The names that exist.
        public var known: [String]
        /// `unknown object X; expected one of: ...`.
        public var description: String { "unknown object \"\(name)\"; expected one of: \(known.joined(separator: ", "))" }
    }

    /// The document for every object, or only `object`.
    public static func render(_ config: ConcordConfig, object: String? = nil) throws(UnknownObject) -> String {
        var objects = config.objects
        if let object {
            guard let o = config.object(object) else { throw UnknownObject(name: object, known: config.objects.map(\.name)) }
            objects = [o]
        }
        var out = "# Concord field mappings\n"
        let crms = config.activeCRMs
        for o in objects {
            out += "\n## \(o.name)\n\n"
            if let label = o.label { out += label + ".\n\n" }
            let maps = crms.map { config.mapping(crm: $0, object: o.name) }
            let heads = zip(crms, maps).map { crm, m in "\(crm) (\(m.map { "`\($0.crmObject)`" } ?? "not mapped"))" }
            if let s = config.sync.objects[o.name] {
                out += "Deletes: \(s.deletePolicy.rawValue). Match keys: "
                    + (s.matchKeys.isEmpty ? "none" : s.matchKeys.joined(separator: ", ")) + ".\n\n"
            }
            for (crm, m) in zip(crms, maps) where !(m?.discriminator.isEmpty ?? true) {
                let d = (m?.discriminator ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }
                out += "\(crm) records where \(d.joined(separator: ", ")).\n\n"
            }
            for (crm, m) in zip(crms, maps) {
                for group in m?.groupMappings ?? [] {
                    out += "\(crm) `\(group[0].crmField)` holds one of " + group.map(\.canonical).joined(separator: ", ")
                        + " (a polymorphic group: the first non-blank, in this order, is written; the others read back blank).\n\n"
                }
            }
            out += "| Field | Type | Rule | Validation | " + heads.joined(separator: " | ") + " |\n"
            out += "|---|---|---|---|" + String(repeating: "---|", count: crms.count) + "\n"
            for f in o.fields {
                var cells = [f.name + (f.label.map { " (\($0))" } ?? ""), f.type.description, f.rule.description, validation(f)]
                for m in maps {
                    guard let fm = m?.field(f.name) else { cells.append("-"); continue }
                    var c = "`\(fm.crmField)`"
                    if fm.writeField != fm.crmField { c += " (writes `\(fm.writeField)`)" }
                    if !fm.copyTo.isEmpty { c += " (also writes " + fm.copyTo.map { "`\($0)`" }.joined(separator: ", ") + ")" }
                    c += ": " + summary(fm.transform)
                    var limits: [String] = []
                    if let max = fm.maxLength { limits.append("max \(max)") }
                    if fm.required { limits.append("required") }
                    if fm.readOnly { limits.append("read-only") }
                    if fm.createOnly { limits.append("create-only") }
                    if let d = fm.createDefault { limits.append("default \(d)") }
                    if let group = m?.group(of: f.name), let rank = group.firstIndex(of: f.name) {
                        limits.append("group priority \(rank + 1) of \(group.count)")
                    }
                    if !limits.isEmpty { c += " [" + limits.joined(separator: ", ") + "]" }
                    cells.append(c)
                }
                out += "| " + cells.map(escape).joined(separator: " | ") + " |\n"
            }
        }
        return out
    }

    static func validation(_ f: CanonicalField) -> String {
        var parts: [String] = []
        if f.required { parts.append("required") }
        if let m = f.maxLength { parts.append("max \(m)") }
        if let fmt = f.format { parts.append(fmt.rawValue) }
        if let s = f.scale { parts.append("scale \(s)") }
        if let v = f.values { parts.append("one of " + v.joined(separator: ", ")) }
        return parts.isEmpty ? "-" : parts.joined(separator: "; ")
    }

    /// A short readable description of a transform.
    public static func summary(_ t: Transform) -> String {
        switch t {
        case .plain: return "as is"
        case .text(let n):
            var p: [String] = []
            if n.collapse { p.append("collapse spaces") } else if n.trim { p.append("trim") }
            if n.letterCase != .keep { p.append(n.letterCase.rawValue + "case") }
            if n.nfc { p.append("NFC") }
            return p.joined(separator: ", ")
        case .email: return "email (trim, lowercase)"
        case .phone(let c): return "phone E.164" + (c.map { " (default country \($0))" } ?? "")
        case .date(let f, let z): return "date \(f.rawValue)" + (z.map { " in \($0)" } ?? "")
        case .dateTime(let f, let z): return "datetime \(f.rawValue)" + (z.map { " in \($0)" } ?? "")
        case .decimal(let s): return "exact decimal" + (s.map { ", \($0) places" } ?? "")
        case .picklist(let tb): return "picklist " + table(tb)
        case .optionSet(let tb): return "option set " + table(tb)
        case .multiSelect(let sep, let tb, _):
            return "multi-select joined by `\(sep)`" + (tb.map { " " + table($0) } ?? "")
        case .reference(let bind): return "reference" + (bind.map { " (bind `\($0)`)" } ?? "")
        }
    }

    static func table(_ tb: PicklistTable) -> String {
        let pairs = tb.outbound.map { "\($0.canonical)→\($0.crm)" }.joined(separator: ", ")
        return "{\(pairs)}; unmapped: \(tb.unmapped)"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
