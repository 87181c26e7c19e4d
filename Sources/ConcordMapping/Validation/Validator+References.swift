import ConcordCore

extension Validator {
    /// Presence of required references in `crm`: each CRM field whose mapping is required and
    /// holds references (one reference field, or a polymorphic group of them) must get a
    /// non-blank value from at least one of its canonical fields. On create an absent field
    /// counts as blank; on update only a CRM field whose fields are all present and blank fails.
    func requiredReferences(crm: String, mapping: ObjectMapping, object obj: CanonicalObject, recordKey: String,
                            values: [String: Value], isCreate: Bool) -> [ValidationFailure] {
        var out: [ValidationFailure] = []
        var seen = Set<String>()
        for fm in mapping.fields where !seen.contains(fm.crmField) {
            seen.insert(fm.crmField)
            let members = mapping.fields.filter { m in
                guard m.crmField == fm.crmField, !m.readOnly, let def = obj.field(m.canonical), def.rule != .dontSync,
                      case .reference = def.type else { return false }
                return true
            }
            guard members.contains(where: \.required) else { continue }
            if members.contains(where: { values[$0.canonical].map { !$0.isBlank } ?? false }) { continue }
            guard isCreate || members.allSatisfy({ values[$0.canonical] != nil }) else { continue }
            var writeFields: [String] = []
            for m in members where !writeFields.contains(m.writeField) { writeFields.append(m.writeField) }
            let names = members.map(\.canonical)
            let about = members.count > 1
                ? "the \(obj.name) is about no " + RecordMapper.orList(names.sorted())
                : "the \(obj.name) has no \(names[0])"
            out.append(ValidationFailure(
                object: obj.name, recordKey: recordKey, crm: crm, fields: names,
                values: Dictionary(uniqueKeysWithValues: names.map { ($0, values[$0]?.description ?? "(absent)") }),
                rule: .crmRequired,
                reason: "\(crm) requires \(mapping.crmObject).\(RecordMapper.orList(writeFields)): \(about)"))
        }
        return out
    }
}
