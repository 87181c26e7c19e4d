extension ConfigDecoder {
    static let fieldKeys = ["type", "rule", "required", "max_length", "format", "values", "scale", "label"]

    func decodeObjects(crmNames: Set<String>) throws(ConfigError) -> [CanonicalObject] {
        guard let node = root["objects"] else { return [] }
        var objects: [CanonicalObject] = []
        var typeLocations: [String: SourcePosition] = [:]
        for e in try node.entries("objects") {
            try checkName(e.key, at: e.keyLocation, what: "object name")
            _ = try e.value.entries("object \"\(e.key)\"", allowed: ["fields", "label"])
            var fields: [CanonicalField] = []
            let fieldsNode = try e.value.required("fields", in: "object \"\(e.key)\"")
            for f in try fieldsNode.entries("fields of \(e.key)") {
                try checkName(f.key, at: f.keyLocation, what: "field name")
                let (field, typeLoc) = try decodeField(f, object: e.key, crmNames: crmNames)
                fields.append(field)
                typeLocations["\(e.key).\(f.key)"] = typeLoc
            }
            let label = try e.value["label"].map { n throws(ConfigError) in try n.text("label") }
            objects.append(CanonicalObject(name: e.key, fields: fields, label: label))
        }
        // References must name a defined object.
        let names = Set(objects.map(\.name))
        for o in objects {
            for f in o.fields {
                if case .reference(let target) = f.type, !names.contains(target) {
                    throw ConfigError(.unknownReference, at: typeLocations["\(o.name).\(f.name)"] ?? node.location,
                                      "reference to unknown object \"\(target)\"; expected one of: "
                                      + names.sorted().joined(separator: ", "))
                }
            }
        }
        return objects
    }

    func decodeField(_ e: ConfigNode.Entry, object: String, crmNames: Set<String>)
        throws(ConfigError) -> (CanonicalField, SourcePosition) {
        let what = "field \"\(object).\(e.key)\""
        let v = e.value
        // Shorthand: `email: email` gives the type only.
        if case .scalar = v.kind {
            let t = try parseType(v, what: what)
            return (CanonicalField(name: e.key, type: t), v.location)
        }
        _ = try v.entries(what, allowed: Self.fieldKeys)
        let typeNode = try v.required("type", in: what)
        var field = CanonicalField(name: e.key, type: try parseType(typeNode, what: what))
        if let r = v["rule"] { field.rule = try parseRule(r, crmNames: crmNames) }
        if let r = v["required"] { field.required = try r.boolean("required") }
        if let n = v["max_length"] { field.maxLength = try n.integer("max_length", in: 1...1_000_000) }
        if let n = v["format"] {
            field.format = FieldFormat(rawValue: try n.choice("format", FieldFormat.allCases.map(\.rawValue)))
        }
        if let n = v["values"] {
            guard field.type == .picklist || field.type == .multipicklist else {
                throw ConfigError(.invalidValue, at: n.location, "values are allowed only on picklist and multipicklist fields")
            }
            let values = try n.textList("values")
            if let dup = firstDuplicate(values) {
                throw ConfigError(.conflict, at: n.location, "picklist value \"\(dup)\" appears twice")
            }
            field.values = values
        }
        if let n = v["scale"] {
            guard field.type == .decimal || field.type == .currency else {
                throw ConfigError(.invalidValue, at: n.location, "scale is allowed only on decimal and currency fields")
            }
            field.scale = try n.integer("scale", in: 0...18)
        }
        if let n = v["label"] { field.label = try n.text("label") }
        return (field, typeNode.location)
    }

    func parseType(_ node: ConfigNode, what: String) throws(ConfigError) -> FieldType {
        let s = try node.text("type of \(what)")
        guard let t = FieldType(name: s) else {
            throw ConfigError(.invalidValue, at: node.location,
                              "unknown type \"\(s)\" for \(what); expected one of: " + FieldType.names.joined(separator: ", "))
        }
        return t
    }

    /// `two-way`, `none`, `{one-way: CRM}` or `{prefer: CRM}`.
    func parseRule(_ node: ConfigNode, crmNames: Set<String>) throws(ConfigError) -> SyncRule {
        let expected = "expected two-way, none, {one-way: CRM} or {prefer: CRM}"
        if case .scalar(let s, false, _) = node.kind {
            switch s {
            case "two-way": return .twoWay
            case "none": return .dontSync
            default: throw ConfigError(.invalidValue, at: node.location, "invalid rule \"\(s)\"; \(expected)")
            }
        }
        let entries = try node.entries("rule", allowed: ["one-way", "prefer"])
        guard entries.count == 1, let e = entries.first else {
            throw ConfigError(.invalidValue, at: node.location, "a rule names exactly one CRM; \(expected)")
        }
        let crm = try e.value.text("CRM of rule \(e.key)")
        guard crmNames.contains(crm) else {
            throw ConfigError(.unknownReference, at: e.value.location,
                              "rule names unknown CRM \"\(crm)\"; expected one of: " + crmNames.sorted().joined(separator: ", "))
        }
        return e.key == "one-way" ? .oneWay(from: crm) : .prefer(crm)
    }

    func checkName(_ name: String, at loc: SourcePosition, what: String) throws(ConfigError) {
        let ok = !name.isEmpty && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
        guard ok else {
            throw ConfigError(.invalidValue, at: loc, "invalid \(what) \"\(name)\"; expected lowercase letters, digits and _")
        }
    }
}

func firstDuplicate(_ items: [String]) -> String? {
    var seen = Set<String>()
    for i in items { if !seen.insert(i).inserted { return i } }
    return nil
}
