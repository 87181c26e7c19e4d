/// Decodes one `mappings.CRM.OBJECT` block and checks it against the canonical object.
struct MappingDecoder {
    let crm: String
    let kind: CRMKind
    let object: CanonicalObject
    let objects: [CanonicalObject]

    static let fieldKeys = ["field", "write_field", "transform", "max_length", "required", "read_only", "create_only", "default", "copy_to"]

    func decode(_ node: ConfigNode, defaultExternalID: String?) throws(ConfigError) -> ObjectMapping {
        let what = "mapping of \(object.name) in \(crm)"
        _ = try node.entries(what, allowed: ["object", "external_id", "where", "fields"])
        let crmObject = try node.required("object", in: what).text("object of \(what)")
        // `external_id: none` for objects that cannot carry one (Salesforce notes, Dataverse annotations).
        let declared = try node["external_id"].map { n throws(ConfigError) in try n.text("external_id") }
        let ext = declared == "none" ? nil : (declared ?? defaultExternalID)
        var fields: [FieldMapping] = []
        var writeSeen: [String: String] = [:]
        if let fnode = node["fields"] {
            for e in try fnode.entries("fields of \(what)") {
                guard let field = object.field(e.key) else {
                    throw ConfigError(.unknownReference, at: e.keyLocation,
                                      "\"\(e.key)\" is not a field of canonical object \(object.name); expected one of: "
                                      + object.fields.map(\.name).joined(separator: ", "))
                }
                let m = try decodeField(e, field: field)
                let group = fields.filter { $0.crmField == m.crmField }
                if !group.isEmpty { try checkGroupMember(m, field: field, joining: group, at: e.value.location) }
                for w in m.readOnly ? [] : [m.writeField] + m.copyTo {
                    // Members of one polymorphic group may share a write field (Salesforce `ParentId`):
                    // only one of them is ever written.
                    if let other = writeSeen[w], !group.contains(where: { $0.canonical == other }) {
                        throw ConfigError(.conflict, at: e.value.location, "\(crm) field \(w) is already written by \(other)")
                    }
                    writeSeen[w] = writeSeen[w] ?? e.key
                }
                fields.append(m)
            }
        }
        var discriminator: [String: String] = [:]
        if let w = node["where"] {
            for e in try w.entries("where of \(what)") { discriminator[e.key] = try e.value.text("where value of \(e.key)") }
        }
        return ObjectMapping(crm: crm, kind: kind, object: object.name, crmObject: crmObject,
                             externalIDField: ext, fields: fields, discriminator: discriminator)
    }

    /// Several canonical fields may share one CRM field only as a polymorphic group (see
    /// ``ObjectMapping/groups``): references to different objects, all read-only or none.
    func checkGroupMember(_ m: FieldMapping, field: CanonicalField, joining group: [FieldMapping],
                          at loc: SourcePosition) throws(ConfigError) {
        let head = "\(crm) field \(m.crmField) is already mapped to " + group.map(\.canonical).joined(separator: ", ")
        let why = "; canonical fields may share a CRM field only as a polymorphic group of references"
        guard case .reference(let target) = field.type else {
            throw ConfigError(.conflict, at: loc, head + why + ", and \(object.name).\(m.canonical) is a \(field.type) field")
        }
        for other in group {
            guard let def = object.field(other.canonical), case .reference(let otherTarget) = def.type else {
                throw ConfigError(.conflict, at: loc, head + why + ", and \(object.name).\(other.canonical) is a "
                                  + "\(object.field(other.canonical)?.type.description ?? "unknown") field")
            }
            if otherTarget == target {
                throw ConfigError(.conflict, at: loc, head + "; \(m.canonical) and \(other.canonical) both reference \(target), "
                                  + "and the members of a polymorphic group must reference different objects")
            }
            if other.readOnly != m.readOnly {
                throw ConfigError(.conflict, at: loc, head + "; \(other.canonical) is \(other.readOnly ? "" : "not ")read-only and "
                                  + "\(m.canonical) is \(m.readOnly ? "" : "not ")read-only: the members of a polymorphic group "
                                  + "are all read-only or none")
            }
        }
    }

    func decodeField(_ e: ConfigNode.Entry, field: CanonicalField) throws(ConfigError) -> FieldMapping {
        let what = "mapping of \(object.name).\(e.key) in \(crm)"
        if case .scalar = e.value.kind {
            let name = try e.value.text(what)
            return FieldMapping(canonical: e.key, crmField: name,
                                transform: try resolved(.plain, for: field, at: e.value.location))
        }
        let v = e.value
        _ = try v.entries(what, allowed: Self.fieldKeys)
        let name = try v.required("field", in: what).text("field of \(what)")
        var m = FieldMapping(canonical: e.key, crmField: name)
        if let w = v["write_field"] { m.writeField = try w.text("write_field") }
        let tnode = v["transform"]
        let t = try tnode.map { n throws(ConfigError) in try TransformDecoder(kind: kind, field: field).decode(n) } ?? .plain
        m.transform = try resolved(t, for: field, at: tnode?.location ?? v.location)
        if let n = v["max_length"] { m.maxLength = try n.integer("max_length", in: 1...1_000_000) }
        if let n = v["required"] { m.required = try n.boolean("required") }
        if let n = v["read_only"] { m.readOnly = try n.boolean("read_only") }
        if let n = v["create_only"] { m.createOnly = try n.boolean("create_only") }
        if let n = v["copy_to"] { m.copyTo = try n.textList("copy_to") }
        if let n = v["default"] {
            let d = try n.text("default")
            // The default must be a value the transform reads (so it round-trips like any other).
            let ctx = TransformContext(crm: crm, kind: kind, type: field.type)
            do { _ = try m.transform.decode(.string(d), context: ctx) } catch {
                throw ConfigError(.invalidValue, at: n.location, "default \"\(d)\" is not a valid \(crm) value here: \(error.message)")
            }
            m.createDefault = d
        }
        return m
    }

    /// Replaces `plain` by the type's default transform for this CRM and checks that the
    /// transform suits the field type.
    func resolved(_ t: Transform, for field: CanonicalField, at loc: SourcePosition) throws(ConfigError) -> Transform {
        if case .plain = t { return Transform.defaultTransform(for: field.type, kind: kind) }
        let ok: Bool
        switch (t, field.type) {
        case (.text, .string), (.text, .email), (.text, .phone), (.text, .picklist): ok = true
        case (.email, .email), (.email, .string): ok = true
        case (.phone, .phone), (.phone, .string): ok = true
        case (.date, .date), (.dateTime, .datetime): ok = true
        case (.decimal, .decimal), (.decimal, .currency): ok = true
        case (.picklist, .picklist), (.picklist, .string), (.optionSet, .picklist): ok = true
        case (.multiSelect, .multipicklist), (.reference, .reference): ok = true
        default: ok = false
        }
        guard ok else {
            throw ConfigError(.invalidValue, at: loc,
                              "transform \(t.name) does not suit field \(object.name).\(field.name) of type \(field.type)")
        }
        if let allowed = field.values {
            let tables: [PicklistTable]
            switch t {
            case .picklist(let tb), .optionSet(let tb): tables = [tb]
            case .multiSelect(_, let tb?, _): tables = [tb]
            default: tables = []
            }
            for tb in tables {
                for (c, _) in tb.outbound where !allowed.contains(c) {
                    throw ConfigError(.unknownReference, at: loc,
                                      "table value \"\(c)\" is not an allowed value of \(object.name).\(field.name); expected one of: "
                                      + allowed.joined(separator: ", "))
                }
            }
        }
        return t
    }
}

extension Transform {
    /// The transform a field gets when the file names none: conversion by type, in the
    /// CRM's usual wire format.
    public static func defaultTransform(for type: FieldType, kind: CRMKind) -> Transform {
        switch type {
        case .date: return .date(.iso, zone: nil)
        case .datetime:
            switch kind {
            case .salesforce: return .dateTime(.salesforce, zone: nil)
            case .hubspot: return .dateTime(.isoMillis, zone: nil)
            case .dynamics: return .dateTime(.iso, zone: nil)
            }
        case .decimal: return .decimal(scale: nil)
        case .currency: return .decimal(scale: nil)
        case .reference: return .reference(bind: nil)
        case .multipicklist: return .multiSelect(separator: kind == .dynamics ? "," : ";", table: nil, integers: false)
        case .email: return .email
        case .phone: return .phone(country: nil)
        default: return .plain
        }
    }
}
