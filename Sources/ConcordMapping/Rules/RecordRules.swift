import ConcordCore

/// Whole-record helpers over ``RuleFilter``: what the engine calls when it stamps a CRM's
/// changed fields, and when it plans what to push.
///
/// ```swift
/// let rules = RecordRules(config: config)
/// let delta = rules.registers(object: "contact", writer: "hubspot", values: changed, stamp: stamp)
/// let merged = merge(local: stored, remote: RecordState(fields: delta, causalLength: stored.causalLength)).state
/// let toPush = rules.effectiveValues(object: "contact", in: merged)   // canonical field -> value
/// ```
public struct RecordRules: Sendable {
    /// The active configuration.
    public var config: ConcordConfig

    /// Creates the helper.
    public init(config: ConcordConfig) { self.config = config }

    /// The rule of a canonical field (two-way for unknown fields).
    public func rule(object: String, field: String) -> SyncRule {
        config.object(object)?.field(field)?.rule ?? .twoWay
    }

    /// The registers that `writer`'s changed `values`, all stamped `stamp`, enter.
    /// Register keys are canonical field names plus `field@CRM` for "prefer" rules.
    public func registers(object: String, writer: String, values: [String: Value], stamp: Stamp) -> [String: FieldRegister] {
        var out: [String: FieldRegister] = [:]
        for (field, value) in values {
            let admitted = RuleFilter.admit(field: field, rule: rule(object: object, field: field), writer: writer,
                                            register: FieldRegister(value: value, stamp: stamp))
            out.merge(admitted) { _, new in new }
        }
        return out
    }

    /// The current value of every canonical field that has one (rules applied; `f@CRM`
    /// helper registers resolved away). Fields never set are absent; blank ones are `.null`.
    public func effectiveValues(object: String, in state: RecordState) -> [String: Value] {
        effectiveRegisters(object: object, in: state).mapValues(\.value)
    }

    /// Like ``effectiveValues(object:in:)`` but with the winning registers (for provenance:
    /// which site wrote the value, and when).
    public func effectiveRegisters(object: String, in state: RecordState) -> [String: FieldRegister] {
        var out: [String: FieldRegister] = [:]
        let known = config.object(object)?.fields ?? []
        for f in known {
            if let r = RuleFilter.effective(field: f.name, rule: f.rule, in: state) { out[f.name] = r }
        }
        // Fields the configuration does not (or no longer) define keep their plain register.
        let names = Set(known.map(\.name))
        for (key, r) in state.fields where !names.contains(key) && !key.contains("@") { out[key] = r }
        return out
    }
}
