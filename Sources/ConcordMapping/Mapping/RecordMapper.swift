import ConcordCore

/// A field that could not be converted, before it becomes a ``ValidationFailure``.
public struct FieldConversionFailure: Hashable, Sendable {
    /// The canonical field.
    public var field: String
    /// The CRM field.
    public var crmField: String
    /// The offending value as text.
    public var value: String
    /// Why.
    public var error: TransformError
}

/// No mapping exists for a CRM and object (a configuration or programming error).
public struct MissingMappingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The CRM name.
    public var crm: String
    /// The canonical object.
    public var object: String
    /// `no mapping of OBJECT in CRM`.
    public var description: String { "no mapping of \(object) in \(crm); add mappings.\(crm).\(object) to the configuration" }
}

/// Converts whole records between a CRM's fields and canonical fields, using a config.
///
/// Fields a CRM may not write under the field's rule (one-way from another CRM, don't
/// sync) are skipped when reading, so a bad value there never blocks a change. Read-only
/// fields are skipped when writing. Reference fields sharing one CRM field (a polymorphic
/// group, see ``ObjectMapping/groups``) are read and written as one field.
public struct RecordMapper: Sendable {
    /// The active configuration.
    public var config: ConcordConfig
    /// Translates references.
    public var resolver: (any ReferenceResolver)?

    /// Creates a mapper.
    public init(config: ConcordConfig, resolver: (any ReferenceResolver)? = nil) {
        self.config = config
        self.resolver = resolver
    }

    /// The object mapping and canonical object, or a ``MissingMappingError``.
    public func lookup(crm: String, object: String) throws(MissingMappingError) -> (ObjectMapping, CanonicalObject) {
        guard let m = config.mapping(crm: crm, object: object), let o = config.object(object) else {
            throw MissingMappingError(crm: crm, object: object)
        }
        return (m, o)
    }

    /// CRM record fields to canonical fields. Absent CRM fields give absent canonical fields.
    ///
    /// A polymorphic group's CRM field gives every member: the reference to the member(s)
    /// whose object the id resolves under, `.null` to the others (all `.null` when the CRM
    /// field is blank). An id that resolves under no member is one `unresolvedReference`
    /// failure, on the first member, and leaves every member absent.
    public func inbound(crm: String, object: String, raw: [String: WireValue])
        throws(MissingMappingError) -> (values: [String: Value], failures: [FieldConversionFailure]) {
        let (mapping, canonical) = try lookup(crm: crm, object: object)
        var values: [String: Value] = [:]
        var failures: [FieldConversionFailure] = []
        let groups = GroupIndex(mapping)
        for fm in mapping.fields {
            if let members = groups.members(ledBy: fm.canonical) {
                inboundGroup(members, crm: crm, mapping: mapping, canonical: canonical, raw: raw,
                             values: &values, failures: &failures)
                continue
            }
            if groups.isMember(fm.canonical) { continue }
            guard let wire = raw[fm.crmField], let field = canonical.field(fm.canonical),
                  RuleFilter.mayWrite(field.rule, writer: crm) else { continue }
            let ctx = TransformContext(crm: crm, kind: mapping.kind, type: field.type, resolver: resolver)
            do {
                values[fm.canonical] = try fm.transform.decode(wire, context: ctx)
            } catch {
                failures.append(FieldConversionFailure(field: fm.canonical, crmField: fm.crmField,
                                                       value: wire.description, error: error))
            }
        }
        return (values, failures)
    }

    /// Canonical fields to the CRM's write fields. Fields not mapped in this CRM, read-only
    /// fields and don't-sync fields are left out. On create, absent or blank fields with a
    /// `default` get it.
    ///
    /// A polymorphic group with any member in `values` is written once: the first member in
    /// priority order whose value is non-blank, through that member's mapping (write field,
    /// transform, bind, `copy_to`); when no member is non-blank (members absent from `values`
    /// count as blank), `null` through the first member's mapping. Pass every member of a
    /// group whenever you pass one of them. Create-only fields are written on create only.
    public func outbound(crm: String, object: String, values: [String: Value], isCreate: Bool = false)
        throws(MissingMappingError) -> (fields: [String: WireValue], failures: [FieldConversionFailure]) {
        let (mapping, canonical) = try lookup(crm: crm, object: object)
        var out: [String: WireValue] = [:]
        var failures: [FieldConversionFailure] = []
        let groups = GroupIndex(mapping)
        for fm in mapping.fields where !fm.readOnly && (isCreate || !fm.createOnly) {
            if let members = groups.members(ledBy: fm.canonical) {
                outboundGroup(members, crm: crm, mapping: mapping, canonical: canonical, values: values,
                              fields: &out, failures: &failures)
                continue
            }
            if groups.isMember(fm.canonical) { continue }
            // On create a blank or absent field gets its default; on update a blank one does
            // when the CRM requires the field (it would refuse the blank).
            if let d = fm.createDefault, let field = canonical.field(fm.canonical),
               isCreate ? (values[fm.canonical]?.isBlank ?? true) : (fm.required && values[fm.canonical]?.isBlank == true) {
                // Through the transform, so the default has the CRM's wire type (an option-set integer...).
                let ctx = TransformContext(crm: crm, kind: mapping.kind, type: field.type, resolver: resolver)
                if let v = try? fm.transform.decode(.string(d), context: ctx),
                   let w = try? fm.transform.encode(v, context: ctx) {
                    for name in [fm.writeField] + fm.copyTo { out[name] = w }
                    continue
                }
            }
            guard let value = values[fm.canonical], let field = canonical.field(fm.canonical),
                  field.rule != .dontSync else { continue }
            write(value, through: fm, field: field, crm: crm, kind: mapping.kind, into: &out, failures: &failures)
        }
        return (out, failures)
    }

    /// Encodes `value` with `fm`'s transform into its write field and `copy_to` fields, or
    /// records why it could not be.
    func write(_ value: Value, through fm: FieldMapping, field: CanonicalField, crm: String, kind: CRMKind,
               into out: inout [String: WireValue], failures: inout [FieldConversionFailure]) {
        let ctx = TransformContext(crm: crm, kind: kind, type: field.type, resolver: resolver)
        do {
            let w = try fm.transform.encode(value, context: ctx)
            for name in [fm.writeField] + fm.copyTo { out[name] = w }
        } catch {
            failures.append(FieldConversionFailure(field: fm.canonical, crmField: fm.writeField,
                                                   value: value.description, error: error))
        }
    }
}
