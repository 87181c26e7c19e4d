import ConcordCore

/// Checks canonical values against the canonical rules and each target CRM's own limits.
public struct Validator: Sendable {
    /// The active configuration.
    public var config: ConcordConfig

    /// Creates a validator.
    public init(config: ConcordConfig) { self.config = config }

    /// Canonical rules: type, required, max length, format, picklist membership, scale.
    ///
    /// - Parameter isCreate: required fields must be present on create; on updates only a
    ///   present blank value for a required field fails.
    public func validate(object: String, recordKey: String, values: [String: Value],
                         isCreate: Bool) -> [ValidationFailure] {
        guard let obj = config.object(object) else { return [] }
        var out: [ValidationFailure] = []
        func fail(_ f: CanonicalField, _ v: Value?, _ rule: ValidationFailure.Rule, _ reason: String) {
            out.append(ValidationFailure(object: object, recordKey: recordKey, fields: [f.name],
                                         values: [f.name: v?.description ?? "(absent)"], rule: rule, reason: reason))
        }
        for f in obj.fields where f.rule != .dontSync {
            guard let v = values[f.name] else {
                if f.required, isCreate { fail(f, nil, .required, "\(f.name) is required and missing") }
                continue
            }
            if v.isBlank {
                if f.required { fail(f, v, .required, "\(f.name) is required and blank") }
                continue
            }
            guard f.type.admits(v) else { fail(f, v, .type, "\(f.name) is a \(f.type) field"); continue }
            switch v {
            case .string(let s):
                if let max = f.maxLength, s.count > max {
                    fail(f, v, .maxLength, "\(f.name) has \(s.count) characters, at most \(max) allowed")
                }
                if let format = f.format ?? Self.implicitFormat(f.type), !Self.matches(s, format) {
                    fail(f, v, .format, "\(f.name) is not a valid \(format.rawValue)")
                }
                if let allowed = f.values, !allowed.contains(s) {
                    fail(f, v, .picklist, "\"\(s)\" is not an allowed value of \(f.name) (\(allowed.joined(separator: ", ")))")
                }
            case .multiSelect(let items):
                if let allowed = f.values {
                    let bad = items.filter { !allowed.contains($0) }.sorted()
                    if !bad.isEmpty { fail(f, v, .picklist, "\(bad.joined(separator: ", ")) not allowed in \(f.name)") }
                }
            case .decimal(let d):
                if let scale = f.scale, d.scale > scale {
                    fail(f, v, .scale, "\(f.name) has \(d.scale) decimal places, at most \(scale) allowed")
                }
            default: break
            }
        }
        return out
    }

    /// A target CRM's limits: each value must convert (restricted picklists, formats), fit
    /// the CRM's field length, and CRM-required fields must be present on create.
    /// References are checked for presence only (links to new records appear during the
    /// push): a required reference field, or a required polymorphic group (Salesforce
    /// `Note.ParentId`), needs a non-blank value in at least one member on create, and fails
    /// an update that sets every member blank; one failure per CRM field.
    public func validate(for crm: String, object: String, recordKey: String, values: [String: Value],
                         isCreate: Bool) -> [ValidationFailure] {
        guard let mapping = config.mapping(crm: crm, object: object), let obj = config.object(object) else { return [] }
        var out = requiredReferences(crm: crm, mapping: mapping, object: obj, recordKey: recordKey,
                                     values: values, isCreate: isCreate)
        for fm in mapping.fields where !fm.readOnly {
            guard let field = obj.field(fm.canonical), field.rule != .dontSync else { continue }
            if case .reference = field.type { continue }
            let ctx = TransformContext(crm: crm, kind: mapping.kind, type: field.type)
            guard let v = values[fm.canonical] else {
                if fm.required, isCreate, fm.createDefault == nil {
                    out.append(ValidationFailure(object: object, recordKey: recordKey, crm: crm, fields: [fm.canonical],
                                                 values: [fm.canonical: "(absent)"], rule: .crmRequired,
                                                 reason: "\(crm) requires \(fm.writeField) when creating a \(mapping.crmObject)"))
                }
                continue
            }
            if v.isBlank, fm.required, fm.createDefault == nil {
                out.append(ValidationFailure(object: object, recordKey: recordKey, crm: crm, fields: [fm.canonical],
                                             values: [fm.canonical: v.description], rule: .crmRequired,
                                             reason: "\(crm) requires \(fm.writeField); it cannot be blank"))
                continue
            }
            do {
                let wire = try fm.transform.encode(v, context: ctx)
                if let max = fm.maxLength, case .string(let s) = wire, s.count > max {
                    out.append(ValidationFailure(object: object, recordKey: recordKey, crm: crm, fields: [fm.canonical],
                                                 values: [fm.canonical: v.description], rule: .crmMaxLength,
                                                 reason: "\(crm) \(mapping.crmObject).\(fm.writeField) holds at most \(max) characters; the value has \(s.count)"))
                }
            } catch {
                out.append(ValidationFailure(object: object, recordKey: recordKey, crm: crm, fields: [fm.canonical],
                                             values: [fm.canonical: v.description], rule: .init(error.code),
                                             reason: "\(crm) \(mapping.crmObject).\(fm.writeField): \(error.message)"))
            }
        }
        return out
    }

    static func implicitFormat(_ type: FieldType) -> FieldFormat? { type == .email ? .email : nil }

    /// Whether `s` has `format`.
    public static func matches(_ s: String, _ format: FieldFormat) -> Bool {
        switch format {
        case .e164: return PhoneNumbers.isE164(s)
        case .email:
            let parts = s.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !s.contains(where: \.isWhitespace) else { return false }
            return isDomain(parts[1])
        case .domain: return isDomain(Substring(s))
        case .url:
            for scheme in ["https://", "http://"] where s.lowercased().hasPrefix(scheme) {
                let host = s.dropFirst(scheme.count).prefix { $0 != "/" && $0 != "?" && $0 != "#" && $0 != ":" }
                return isDomain(host) && !s.contains(where: \.isWhitespace)
            }
            return false
        }
    }

    static func isDomain(_ s: Substring) -> Bool {
        let labels = s.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, s.count <= 253 else { return false }
        return labels.allSatisfy { l in
            !l.isEmpty && l.count <= 63 && l.first != "-" && l.last != "-"
                && l.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
        }
    }
}
