import ConcordCore

/// The polymorphic groups of one object mapping, indexed for the mapper's field loop: a group
/// is handled once, at its first member, and its other members are skipped.
struct GroupIndex {
    private var byLeader: [String: [FieldMapping]] = [:]
    private var members: Set<String> = []

    init(_ mapping: ObjectMapping) {
        for group in mapping.groupMappings {
            byLeader[group[0].canonical] = group
            for fm in group { members.insert(fm.canonical) }
        }
    }

    /// The group whose first member is `canonical`.
    func members(ledBy canonical: String) -> [FieldMapping]? { byLeader[canonical] }

    /// Whether `canonical` belongs to a group.
    func isMember(_ canonical: String) -> Bool { members.contains(canonical) }
}

extension RecordMapper {
    /// Reads one group's CRM field into every member this CRM may write (see
    /// ``inbound(crm:object:raw:)``).
    func inboundGroup(_ group: [FieldMapping], crm: String, mapping: ObjectMapping, canonical: CanonicalObject,
                      raw: [String: WireValue], values: inout [String: Value], failures: inout [FieldConversionFailure]) {
        guard let wire = raw[group[0].crmField] else { return }
        let typed = group.compactMap { fm in canonical.field(fm.canonical).map { (fm, $0) } }
        let readable = typed.filter { RuleFilter.mayWrite($0.1.rule, writer: crm) }.map(\.0)
        guard let first = readable.first else { return }
        if wire.isBlank {
            for fm in readable { values[fm.canonical] = .null }
            return
        }
        // Every member is tried, also those this CRM may not write: the id still says which
        // object the record is about, so the others read as blank.
        var resolved: [String: Value] = [:]
        var otherError: TransformError?
        for (fm, field) in typed {
            let ctx = TransformContext(crm: crm, kind: mapping.kind, type: field.type, resolver: resolver)
            do {
                resolved[fm.canonical] = try fm.transform.decode(wire, context: ctx)
            } catch {
                if error.code != .unresolvedReference, otherError == nil { otherError = error }
            }
        }
        guard !resolved.isEmpty else {
            let targets = typed.compactMap { pair -> String? in
                if case .reference(let to) = pair.1.type { return to }
                return nil
            }
            let id = wire.text?.trimmingWhiteSpace() ?? wire.description
            let error = otherError ?? TransformError(.unresolvedReference,
                "\(crm) \(mapping.crmObject).\(first.crmField) \(id) is not linked to a Concord "
                + Self.orList(targets) + " record yet")
            failures.append(FieldConversionFailure(field: first.canonical, crmField: first.crmField,
                                                   value: wire.description, error: error))
            return
        }
        for fm in readable { values[fm.canonical] = resolved[fm.canonical] ?? .null }
    }

    /// Writes one group (see ``outbound(crm:object:values:isCreate:)``).
    func outboundGroup(_ group: [FieldMapping], crm: String, mapping: ObjectMapping, canonical: CanonicalObject,
                       values: [String: Value], fields out: inout [String: WireValue],
                       failures: inout [FieldConversionFailure]) {
        let writable = group.filter { fm in
            !fm.readOnly && (canonical.field(fm.canonical).map { $0.rule != .dontSync } ?? false)
        }
        guard let first = writable.first, writable.contains(where: { values[$0.canonical] != nil }) else { return }
        let chosen = writable.first { values[$0.canonical].map { !$0.isBlank } ?? false }
        let fm = chosen ?? first
        let value = chosen.flatMap { values[$0.canonical] } ?? .null
        guard let field = canonical.field(fm.canonical) else { return }
        write(value, through: fm, field: field, crm: crm, kind: mapping.kind, into: &out, failures: &failures)
    }

    /// `a`, `a or b`, `a, b or c`.
    static func orList(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " or " + items[items.count - 1]
    }
}
