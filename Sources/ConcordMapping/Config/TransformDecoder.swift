import Foundation

/// Decodes a `transform:` value: a name (`email`) or a mapping with `kind:` and options.
struct TransformDecoder {
    let kind: CRMKind
    let field: CanonicalField

    static let names = ["plain", "trim", "collapse", "lowercase", "uppercase", "text", "email", "phone", "date",
                        "datetime", "decimal", "picklist", "optionset", "multiselect", "reference"]

    func decode(_ node: ConfigNode) throws(ConfigError) -> Transform {
        if case .scalar = node.kind {
            let s = try node.choice("transform", Self.names)
            switch s {
            case "picklist", "optionset":
                throw ConfigError(.invalidValue, at: node.location, "transform \(s) needs a value table; expected {kind: \(s), values: {...}}")
            default: return try build(s, node: nil, at: node.location)
            }
        }
        let k = try node.required("kind", in: "transform").choice("transform kind", Self.names)
        return try build(k, node: node, at: node.location)
    }

    private func build(_ name: String, node: ConfigNode?, at loc: SourcePosition) throws(ConfigError) -> Transform {
        func allow(_ keys: [String]) throws(ConfigError) {
            if let node { _ = try node.entries("\(name) transform", allowed: ["kind"] + keys) }
        }
        switch name {
        case "plain": try allow([]); return .plain
        case "trim": try allow([]); return .text(TextNormalization())
        case "collapse": try allow([]); return .text(TextNormalization(collapse: true))
        case "lowercase": try allow([]); return .text(TextNormalization(letterCase: .lower))
        case "uppercase": try allow([]); return .text(TextNormalization(letterCase: .upper))
        case "text":
            try allow(["trim", "collapse", "case", "nfc"])
            var t = TextNormalization()
            if let n = node?["trim"] { t.trim = try n.boolean("trim") }
            if let n = node?["collapse"] { t.collapse = try n.boolean("collapse") }
            if let n = node?["nfc"] { t.nfc = try n.boolean("nfc") }
            if let n = node?["case"] {
                t.letterCase = TextNormalization.Case(rawValue: try n.choice("case", ["keep", "lower", "upper"])) ?? .keep
            }
            return .text(t)
        case "email": try allow([]); return .email
        case "phone":
            try allow(["country"])
            guard let n = node?["country"] else { return .phone(country: nil) }
            let c = try n.text("country").uppercased()
            guard PhoneNumbers.countries[c] != nil else {
                throw ConfigError(.invalidValue, at: n.location, "unknown country \"\(c)\"; expected one of: "
                                  + PhoneNumbers.countries.keys.sorted().joined(separator: ", "))
            }
            return .phone(country: c)
        case "date":
            try allow(["format", "zone"])
            let f = try node?["format"].map { n throws(ConfigError) in
                DateWireFormat(rawValue: try n.choice("date format", DateWireFormat.allCases.map(\.rawValue)))
            } ?? .iso
            return .date(f ?? .iso, zone: try zone(node))
        case "datetime":
            try allow(["format", "zone"])
            let def = Transform.defaultTransform(for: .datetime, kind: kind)
            var f: DateTimeWireFormat = .iso
            if case .dateTime(let d, _) = def { f = d }
            if let n = node?["format"] {
                f = DateTimeWireFormat(rawValue: try n.choice("datetime format", DateTimeWireFormat.allCases.map(\.rawValue))) ?? f
            }
            let z = try zone(node)
            if (f == .local || f == .offset), z == nil {
                throw ConfigError(.missingKey, at: loc, "datetime format \(f.rawValue) needs a zone, e.g. zone: Europe/Berlin")
            }
            return .dateTime(f, zone: z)
        case "decimal":
            try allow(["scale"])
            return .decimal(scale: try node?["scale"].map { n throws(ConfigError) in try n.integer("scale", in: 0...18) })
        case "reference":
            try allow(["bind"])
            let b = try node?["bind"].map { n throws(ConfigError) in try n.text("bind") }
            if let b, !b.contains("{id}") {
                throw ConfigError(.invalidValue, at: loc, "bind template \"\(b)\" must contain {id}, e.g. /accounts({id})")
            }
            return .reference(bind: b)
        case "picklist", "optionset":
            try allow(["values", "inbound", "unmapped"])
            guard let node else { return .plain }
            let table = try decodeTable(node, integers: name == "optionset")
            return name == "optionset" ? .optionSet(table) : .picklist(table)
        case "multiselect":
            try allow(["separator", "values", "inbound", "unmapped", "integers"])
            let ints = try node?["integers"].map { n throws(ConfigError) in try n.boolean("integers") } ?? false
            let sep = try node?["separator"].map { n throws(ConfigError) in try n.text("separator") }
                ?? (kind == .dynamics ? "," : ";")
            let table = try node.flatMap { n throws(ConfigError) in
                n["values"] == nil ? nil : try decodeTable(n, integers: ints)
            }
            return .multiSelect(separator: sep, table: table, integers: ints)
        default:
            throw ConfigError(.invalidValue, at: loc, "unknown transform \"\(name)\"")
        }
    }

    private func zone(_ node: ConfigNode?) throws(ConfigError) -> String? {
        guard let n = node?["zone"] else { return nil }
        let z = try n.text("zone")
        guard TimeZone(identifier: z) != nil else {
            throw ConfigError(.invalidValue, at: n.location, "unknown time zone \"\(z)\"; expected an IANA name such as Europe/Berlin")
        }
        return z
    }

    /// `values: {canonical: crm}`, optional `inbound: {crm: canonical}`, `unmapped:`.
    private func decodeTable(_ node: ConfigNode, integers: Bool) throws(ConfigError) -> PicklistTable {
        let valuesNode = try node.required("values", in: "value table")
        var outbound: [(canonical: String, crm: String)] = []
        for e in try valuesNode.entries("value table") {
            let w = try e.value.text("CRM value of \(e.key)")
            if integers, Int(w) == nil {
                throw ConfigError(.invalidValue, at: e.value.location, "option-set value \"\(w)\" is not an integer")
            }
            outbound.append((e.key, w))
        }
        var inbound: [String: String] = [:]
        if let inNode = node["inbound"] {
            for e in try inNode.entries("inbound table") {
                let c = try e.value.text("canonical value of \(e.key)")
                guard outbound.contains(where: { $0.canonical == c && $0.crm == e.key }) else {
                    throw ConfigError(.conflict, at: e.keyLocation,
                                      "inbound entry \(e.key) -> \(c) is not in the values table; reading must write back the same value")
                }
                inbound[e.key] = c
            }
        }
        // Several canonical values on one CRM value need an explicit inbound choice.
        var byCRM: [String: [String]] = [:]
        for (c, w) in outbound { byCRM[w, default: []].append(c) }
        for (w, cs) in byCRM.sorted(by: { $0.key < $1.key }) where cs.count > 1 && inbound[w] == nil {
            throw ConfigError(.conflict, at: valuesNode.location,
                              "CRM value \"\(w)\" is the target of \(cs.joined(separator: ", ")); add inbound: {\(w): ONE_OF_THEM}")
        }
        var policy = UnmappedPolicy.reject
        if let u = node["unmapped"] {
            if case .mapping = u.kind {
                _ = try u.entries("unmapped policy", allowed: ["default"])
                let dn = try u.required("default", in: "unmapped policy")
                let d = try dn.text("default value")
                guard let w = outbound.first(where: { $0.canonical == d })?.crm else {
                    throw ConfigError(.unknownReference, at: dn.location, "default \"\(d)\" is not a canonical value in the table")
                }
                policy = .useDefault(canonical: d, crm: w)
            } else {
                policy = try u.choice("unmapped policy", ["reject", "pass-through"]) == "reject" ? .reject : .passThrough
            }
        }
        return PicklistTable(outbound: outbound, inbound: inbound, unmapped: policy)
    }
}
