import ConcordCore

/// An exact, line-based text form of a ``RecordChange``: used to keep quarantined input
/// byte for byte, readable by a person.
///
/// ```
/// <gid> <objectType> <causalLength>
/// <field>\t<hlc>\t<site>\t<hex of canonical value bytes>
/// ```
public enum ChangeCodec {
    /// Encodes a change.
    public static func encode(_ change: RecordChange) -> String {
        var lines = ["\(change.id) \(change.objectType) \(change.state.causalLength)"]
        for entry in change.state.entries {
            let name = entry.name, reg = entry.register
            let hex = reg.value.canonicalBytes.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
            lines.append("\(name)\t\(reg.stamp.hlc.rawValue)\t\(reg.stamp.site.rawValue)\t\(hex)")
        }
        return lines.joined(separator: "\n")
    }

    /// Decodes ``encode(_:)``'s output; `nil` when malformed.
    public static func decode(_ text: String) -> RecordChange? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let head = lines.first else { return nil }
        let parts = head.split(separator: " ")
        guard parts.count == 3, let id = RecordID(parts[0]), let cl = UInt64(parts[2]) else { return nil }
        var fields: [String: FieldRegister] = [:]
        for line in lines.dropFirst() {
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard cols.count == 4, let hlc = UInt64(cols[1]), let site = UInt64(cols[2]),
                  cols[3].count % 2 == 0 else { return nil }
            var bytes: [UInt8] = []
            var i = cols[3].startIndex
            while i < cols[3].endIndex {
                let j = cols[3].index(i, offsetBy: 2)
                guard let b = UInt8(cols[3][i..<j], radix: 16) else { return nil }
                bytes.append(b)
                i = j
            }
            guard let value = Value(canonicalBytes: bytes) else { return nil }
            fields[String(cols[0])] = FieldRegister(value: value, stamp: Stamp(hlc: HLCTimestamp(rawValue: hlc), site: SiteID(rawValue: site)))
        }
        return RecordChange(id: id, objectType: String(parts[1]), state: RecordState(fields: fields, causalLength: cl))
    }
}
