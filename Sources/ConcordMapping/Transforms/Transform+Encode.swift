import ConcordCore

extension Transform {
    /// Converts a canonical value into the CRM's wire value.
    ///
    /// ``ConcordCore/Value/null`` becomes the CRM's blank: `""` for HubSpot (which clears a
    /// property that way), JSON `null` for Salesforce and Dataverse.
    public func encode(_ value: Value, context: TransformContext) throws(TransformError) -> WireValue {
        if value == .null { return context.kind == .hubspot ? .string("") : .null }
        guard context.type.admits(value) else {
            throw TransformError(.typeMismatch, "a \(context.type) field cannot hold \(value)")
        }
        switch (self, value) {
        case (.plain, .string(let s)): return .string(s)
        case (.plain, .bool(let b)): return context.kind == .hubspot ? .string(b ? "true" : "false") : .bool(b)
        case (.plain, .int(let n)): return Self.number(String(n), context.kind)
        case (.plain, _):
            return try Transform.defaultTransform(for: context.type, kind: context.kind).encode(value, context: context)
        case (.text(let norm), .string(let s)):
            let t = norm.apply(s)
            return t.isEmpty ? try Transform.plain.encode(.null, context: context) : .string(t)
        case (.email, .string(let s)):
            return .string(TextNormalization(letterCase: .lower).apply(s))
        case (.phone(let country), .string(let s)):
            return .string(PhoneNumbers.e164(s, country: country) ?? s.trimmingWhiteSpace())
        case (.date(let format, let zone), .date(let d)):
            return try DateCodec(format: format, zone: zone).encode(d, kind: context.kind)
        case (.dateTime(let format, let zone), .dateTime(let ms)):
            return try DateTimeCodec(format: format, zone: zone).encode(ms, kind: context.kind)
        case (.decimal(let scale), .decimal(let d)):
            return Self.number(try Self.padded(d, scale: scale), context.kind)
        case (.picklist(let table), .string(let s)):
            return .string(try table.encode(s))
        case (.optionSet(let table), .string(let s)):
            let w = try table.encode(s)
            guard Int(w) != nil else { throw TransformError(.typeMismatch, "option-set value \"\(w)\" is not an integer") }
            return Self.number(w, context.kind)
        case (.multiSelect(let sep, let table, _), .multiSelect(let items)):
            var mapped: [String] = []
            for i in items {
                let w = try table?.encode(i) ?? i
                // An item holding the separator, or blank, cannot be written without corrupting the set.
                guard !w.contains(sep), !w.allSatisfy(\.isWhitespace), w.trimmingWhiteSpace() == w else {
                    throw TransformError(.invalidFormat, "multi-select item \"\(w)\" cannot be joined with \"\(sep)\"")
                }
                mapped.append(w)
            }
            if let table {
                let order = Dictionary(table.outbound.enumerated().map { ($0.element.crm, $0.offset) }) { a, _ in a }
                mapped.sort { (order[$0] ?? Int.max, $0) < (order[$1] ?? Int.max, $1) }
            } else {
                mapped.sort()
            }
            return .string(mapped.joined(separator: sep))
        case (.reference(let bind), .reference(let rid)):
            guard case .reference(let target) = context.type,
                  let id = context.resolver?.externalID(crm: context.crm, object: target, recordID: rid) else {
                throw TransformError(.unresolvedReference, "record \(rid) has no \(context.crm) id yet")
            }
            return .string(bind.map { $0.replacingOccurrences(of: "{id}", with: id) } ?? id)
        default:
            throw TransformError(.typeMismatch, "transform \(name) cannot write \(value)")
        }
    }

    /// A JSON number, or its text for HubSpot (whose properties are all strings).
    static func number(_ text: String, _ kind: CRMKind) -> WireValue {
        kind == .hubspot ? .string(text) : .number(text)
    }

    /// `d` with at least `scale` decimal places; more places than `scale` are an error,
    /// never rounded away.
    static func padded(_ d: ExactDecimal, scale: Int?) throws(TransformError) -> String {
        guard let scale else { return d.description }
        if d.scale > scale {
            throw TransformError(.invalidFormat, "\(d) has more than \(scale) decimal places")
        }
        var s = d.description
        if d.scale == 0, scale > 0 { s += "." }
        return s + String(repeating: "0", count: scale - d.scale)
    }
}
