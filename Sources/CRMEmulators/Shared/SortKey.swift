/// A precomputed ordering key, so sorts parse each value once instead of once per comparison.
public enum SortKey: Comparable, Sendable {
    case null
    case number(Double)
    /// Case-sensitive text (ids).
    case raw(String)
    /// Case-insensitive text.
    case text(String)

    /// Key for a field value: numbers and date-times numerically, ids raw, other text case-folded.
    public static func make(_ value: JSONValue?, kind: FieldKind?) -> SortKey {
        guard let value, !value.isNull else { return .null }
        switch kind {
        case .id?, .reference?: return .raw(value.textForm ?? "")
        case .date?, .dateTime?: return value.stringValue.flatMap(Timestamps.parse).map { .number(Double($0)) } ?? .text(value.textForm ?? "")
        case .int?, .double?, .currency?: return value.doubleValue.map { .number($0) } ?? .text(value.textForm?.lowercased() ?? "")
        case .bool?: return .number(value.boolValue == true ? 1 : 0)
        default:
            if let number = value.doubleValue, value.stringValue == nil { return .number(number) }
            return .text(value.textForm?.lowercased() ?? "")
        }
    }
}
