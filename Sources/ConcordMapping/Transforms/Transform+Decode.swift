import ConcordCore
import Foundation

/// What a transform needs to know besides the value.
public struct TransformContext: Sendable {
    /// The CRM name (for reference lookups).
    public var crm: String
    /// The CRM product (wire conventions: HubSpot sends everything as strings).
    public var kind: CRMKind
    /// The canonical field type.
    public var type: FieldType
    /// Translates references; `nil` makes every reference unresolved.
    public var resolver: (any ReferenceResolver)?

    /// Creates a context.
    public init(crm: String, kind: CRMKind, type: FieldType, resolver: (any ReferenceResolver)? = nil) {
        self.crm = crm
        self.kind = kind
        self.type = type
        self.resolver = resolver
    }
}

extension Transform {
    /// Converts a CRM wire value into a canonical value.
    ///
    /// `null` and the empty string are both "blank" and read as ``ConcordCore/Value/null``
    /// (HubSpot clears a property by setting `""`); a field absent from the CRM record is not
    /// passed here at all, so "never set" and "blank" stay distinct.
    public func decode(_ wire: WireValue, context: TransformContext) throws(TransformError) -> Value {
        if wire == .null || wire == .string("") { return .null }
        switch self {
        case .plain:
            return try decodePlain(wire, context: context)
        case .text(let norm):
            let s = norm.apply(try Self.string(wire))
            return s.isEmpty ? .null : .string(s)
        case .email:
            let s = TextNormalization(letterCase: .lower).apply(try Self.string(wire))
            return s.isEmpty ? .null : .string(s)
        case .phone(let country):
            let t = try Self.string(wire).trimmingWhiteSpace()
            if t.isEmpty { return .null }
            return .string(PhoneNumbers.e164(t, country: country) ?? t)
        case .date(let format, let zone):
            return .date(try DateCodec(format: format, zone: zone).decode(wire))
        case .dateTime(let format, let zone):
            return .dateTime(try DateTimeCodec(format: format, zone: zone).decode(wire))
        case .decimal:
            return .decimal(try Self.decimal(wire))
        case .picklist(let table), .optionSet(let table):
            var key = try Self.text(wire).trimmingWhiteSpace()
            if case .optionSet = self {
                guard let n = Int(key.trimmingWhiteSpace()) else {
                    throw TransformError(.typeMismatch, "option-set value \(wire) is not an integer")
                }
                key = String(n)
            }
            return .string(try table.decode(key))
        case .multiSelect(let sep, let table, _):
            let items = try Self.text(wire).components(separatedBy: sep)
                .map { $0.trimmingWhiteSpace() }.filter { !$0.isEmpty }
            var out = Set<String>()
            for i in items { out.insert(try table?.decode(i) ?? i) }
            return .multiSelect(out)
        case .reference(let bind):
            var id = try Self.string(wire).trimmingWhiteSpace()
            if let bind, let r = bind.range(of: "{id}") {
                let prefix = String(bind[..<r.lowerBound]), suffix = String(bind[r.upperBound...])
                if id.hasPrefix(prefix), id.hasSuffix(suffix), id.count > prefix.count + suffix.count {
                    id = String(id.dropFirst(prefix.count).dropLast(suffix.count))
                }
            }
            guard case .reference(let target) = context.type else {
                throw TransformError(.typeMismatch, "reference transform on a \(context.type) field")
            }
            guard let rid = context.resolver?.recordID(crm: context.crm, object: target, externalID: id) else {
                throw TransformError(.unresolvedReference, "\(context.crm) \(target) \(id) is not linked to a Concord record yet")
            }
            return .reference(rid)
        }
    }

    private func decodePlain(_ wire: WireValue, context: TransformContext) throws(TransformError) -> Value {
        switch context.type {
        case .bool:
            switch wire {
            case .bool(let b): return .bool(b)
            case .string(let s) where s.lowercased() == "true": return .bool(true)
            case .string(let s) where s.lowercased() == "false": return .bool(false)
            default: throw TransformError(.typeMismatch, "expected true or false, got \(wire)")
            }
        case .int:
            let d = try Self.decimal(wire)
            guard d.scale == 0, let n = Int64(d.description) else {
                throw TransformError(.invalidFormat, "expected a whole number within 64 bits, got \(wire)")
            }
            return .int(n)
        case .string, .email, .phone, .picklist:
            return .string(try Self.string(wire))
        default:
            return try Transform.defaultTransform(for: context.type, kind: context.kind).decode(wire, context: context)
        }
    }

    static func string(_ wire: WireValue) throws(TransformError) -> String {
        guard case .string(let s) = wire else { throw TransformError(.typeMismatch, "expected text, got \(wire)") }
        return s
    }

    static func text(_ wire: WireValue) throws(TransformError) -> String {
        switch wire {
        case .string(let s), .number(let s): return s
        default: throw TransformError(.typeMismatch, "expected text or a number, got \(wire)")
        }
    }

    static func decimal(_ wire: WireValue) throws(TransformError) -> ExactDecimal {
        let t = try text(wire)
        guard let d = ExactDecimal(t) else { throw TransformError(.invalidFormat, "expected a decimal number, got \(wire)") }
        return d
    }
}

extension PicklistTable {
    /// The canonical value for a CRM value, following the unmapped policy.
    func decode(_ crm: String) throws(TransformError) -> String {
        if let c = inbound[crm] { return c }
        switch unmapped {
        case .reject: throw TransformError(.unmappedValue, "value \"\(crm)\" is not in the picklist table")
        case .passThrough: return crm
        case .useDefault(let c, _): return c
        }
    }

    /// The CRM value for a canonical value, following the unmapped policy.
    func encode(_ canonical: String) throws(TransformError) -> String {
        if let w = crmValue(for: canonical) { return w }
        switch unmapped {
        case .reject: throw TransformError(.unmappedValue, "value \"\(canonical)\" has no entry in the picklist table")
        case .passThrough: return canonical
        case .useDefault(_, let w): return w
        }
    }
}

extension TextNormalization {
    /// Normalises `s`.
    public func apply(_ s: String) -> String {
        // ASCII text is already NFC; skip Foundation's (comparatively slow) normaliser for it.
        var out = nfc && !s.utf8.allSatisfy({ $0 < 0x80 }) ? s.precomposedStringWithCanonicalMapping : s
        if collapse {
            out = out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        } else if trim {
            out = out.trimmingWhiteSpace()
        }
        switch letterCase {
        case .keep: break
        case .lower: out = out.lowercased()
        case .upper: out = out.uppercased()
        }
        return out
    }
}
