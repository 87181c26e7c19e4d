import ConcordCore

/// The result of mapping and validating one inbound change.
public enum InboundOutcome: Hashable, Sendable {
    /// Every check passed: these canonical values may be merged.
    case accepted([String: Value])
    /// At least one check failed: nothing may be merged; quarantine the raw input.
    case rejected([ValidationFailure])
    /// Everything passed except references to records not linked yet (asked for with
    /// `holdBackUnresolved`): these values may be merged; the failed references are held
    /// back until the records they name are linked.
    case held([String: Value], [ValidationFailure])
}

/// Maps and validates an inbound CRM change as one unit: all of it, or none of it.
///
/// ```swift
/// let pipeline = MappingPipeline(config: config, resolver: links)
/// switch pipeline.inbound(crm: "hubspot", object: "contact", recordKey: "512", raw: properties, isCreate: false) {
/// case .accepted(let values): merge(values)
/// case .rejected(let failures): quarantine(raw, failures)
/// }
/// ```
public struct MappingPipeline: Sendable {
    /// The mapper (config and resolver).
    public var mapper: RecordMapper

    /// Creates a pipeline.
    public init(config: ConcordConfig, resolver: (any ReferenceResolver)? = nil) {
        self.mapper = RecordMapper(config: config, resolver: resolver)
    }

    /// Converts `raw` from `crm`, checks the canonical rules, and checks that every other
    /// active CRM (or `targets`) can accept the values, so a change is never merged and then
    /// pushed half-way.
    ///
    /// With `holdBackUnresolved`, a change whose only failures are references to records
    /// not linked yet is ``InboundOutcome/held(_:_:)``: the rest of it may be merged now, so
    /// one unlinked company does not keep a contact (and its identity match) out of sync.
    ///
    /// With `holdBackInvalid` (an update of a record Concord holds), failures that name their
    /// fields hold back those fields only: the rest of the change is ``InboundOutcome/held(_:_:)``
    /// and merged, so one invalid value (a phone that is no phone) does not keep a valid edit
    /// of another field out of sync. A failure about the whole record still rejects it.
    ///
    /// `notAnEdit` names values the caller will not take as edits (a blank in a field the
    /// CRM never held a value of, such as a read-only field of a record Concord created):
    /// they are not validated, so they cannot hold the rest of the change back.
    public func inbound(crm: String, object: String, recordKey: String, raw: [String: WireValue],
                        isCreate: Bool, targets: [String]? = nil, holdBackUnresolved: Bool = false,
                        holdBackInvalid: Bool = false, notAnEdit: (String, Value) -> Bool = { _, _ in false }) -> InboundOutcome {
        let mapped: (values: [String: Value], failures: [FieldConversionFailure])
        do {
            mapped = try mapper.inbound(crm: crm, object: object, raw: raw)
        } catch {
            return .rejected([ValidationFailure(object: object, recordKey: recordKey, crm: crm, fields: [], values: [:],
                                                rule: .conversion, reason: error.description)])
        }
        let conversion = mapped.failures.map { f in
            ValidationFailure(object: object, recordKey: recordKey, crm: crm, fields: [f.field], values: [f.field: f.value],
                              rule: .init(f.error.code), reason: "\(crm) \(f.crmField): \(f.error.message)")
        }
        let unresolved = conversion.filter { $0.rule == .unresolvedReference }
        let holding = holdBackUnresolved && !unresolved.isEmpty && unresolved.count == conversion.count
        var failures = holding ? [] : conversion
        let validator = Validator(config: mapper.config)
        let edits = mapped.values.filter { !notAnEdit($0.key, $0.value) }
        failures += validator.validate(object: object, recordKey: recordKey, values: edits, isCreate: isCreate)
        for target in targets ?? mapper.config.activeCRMs where target != crm {
            failures += validator.validate(for: target, object: object, recordKey: recordKey,
                                           values: edits, isCreate: isCreate)
        }
        if !failures.isEmpty {
            let bad = Set(failures.flatMap(\.fields))
            guard holdBackInvalid, failures.allSatisfy({ !$0.fields.isEmpty }) else { return .rejected(failures) }
            return .held(mapped.values.filter { !bad.contains($0.key) }, failures + (holding ? unresolved : []))
        }
        return holding ? .held(mapped.values, unresolved) : .accepted(mapped.values)
    }
}
