import ConcordCore

/// Polymorphic groups: several canonical reference fields that one CRM keeps in one field.
///
/// Salesforce `Note.ParentId` holds an Account, a Contact or an Opportunity id; Dataverse
/// `regardingobjectid` an account, contact or opportunity. Canonical objects keep one typed
/// reference per target (`deal`, `contact`, `company`), so in such a CRM they form a *group*:
/// the fields mapped to the same ``FieldMapping/crmField``, in mapping file order, which is
/// their priority order.
///
/// - Reading, the CRM's one id goes to the member(s) whose object it resolves under; every
///   other member reads as blank.
/// - Writing, the first member (priority order) with a non-blank value is written, through its
///   own mapping (its ``FieldMapping/writeField``, transform and bind); no other member writes.
/// - So the CRM holds, and reads back, ``projectGroups(_:)`` of what Concord wrote.
///
/// ```yaml
/// note:
///   object: Note
///   fields:
///     deal: {field: ParentId, required: true}      # first: wins when the note has a deal
///     contact: {field: ParentId, required: true}
///     company: {field: ParentId, required: true}
/// ```
extension ObjectMapping {
    /// Every group of this mapping: its members' canonical names in priority (file) order.
    /// Groups appear in the order of their first member; fields alone on a CRM field are in
    /// no group.
    public var groups: [[String]] { groupMappings.map { $0.map(\.canonical) } }

    /// The members of the group canonical field `canonical` belongs to, in priority order
    /// (including `canonical` itself); `nil` when the field is in no group or not mapped.
    public func group(of canonical: String) -> [String]? {
        guard let crmField = field(canonical)?.crmField else { return nil }
        let members = fields.filter { $0.crmField == crmField }
        return members.count > 1 ? members.map(\.canonical) : nil
    }

    /// What this CRM will hold, and read back, for `values`: for each group with a member
    /// present in `values`, the first member (priority order) with a non-blank value keeps it
    /// and every other member of the group, present in `values` or not, becomes `.null`; when
    /// no member is non-blank, every member becomes `.null`. Groups with no member in `values`
    /// and fields outside groups are returned unchanged. Pure, and idempotent:
    /// `projectGroups(projectGroups(v)) == projectGroups(v)`.
    ///
    /// Compare a desired record with a CRM's shadow through it, so a group never looks
    /// changed forever: Concord writes `{deal: D, contact: P}` to Salesforce `ParentId` as `D`
    /// and reads back `{deal: D, contact: null, company: null}`.
    ///
    /// Sync rules are not consulted here: pass only values the CRM may be sent (the engine's
    /// desired values never hold don't-sync fields, which ``RecordMapper`` does not write).
    public func projectGroups(_ values: [String: Value]) -> [String: Value] {
        var out = values
        for members in groups where members.contains(where: { values[$0] != nil }) {
            let chosen = members.first { values[$0].map { !$0.isBlank } ?? false }
            for m in members where m != chosen { out[m] = .null }
        }
        return out
    }

    /// The mappings of every group's members, in priority order.
    var groupMappings: [[FieldMapping]] {
        var order: [String] = []
        var byField: [String: [FieldMapping]] = [:]
        for fm in fields {
            if byField[fm.crmField] == nil { order.append(fm.crmField) }
            byField[fm.crmField, default: []].append(fm)
        }
        return order.compactMap { byField[$0] }.filter { $0.count > 1 }
    }
}
