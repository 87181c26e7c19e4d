/// Keeps record values out of logs and stored errors: CRM error messages echo the values they
/// refused ("Email address bob@x.io is invalid", "The value 'Ada' of 'firstname'..."), and an
/// error string is logged and kept (outbox, status). Ids, objects and field names stay; email
/// addresses, phone-like numbers and quoted text other than identifiers become placeholders.
/// `CONCORD_LOG_VALUES=1` keeps values (debugging on a machine the data may reach).
public enum ValueRedaction {
    /// `text` with values replaced by `<email>`, `<number>` and `<value>`.
    public static func redact(_ text: String) -> String {
        var out = text.replacing(email, with: "<email>")
        out = out.replacing(phone) { match in
            // Written as a phone number: 7 digits or more with a `+` or separators (a bare run of
            // digits is an id, as HubSpot's are).
            let number = match.output.2
            let phoneLike = number.filter(\.isNumber).count >= 7 && number.contains(where: { "+ ().-".contains($0) })
            return String(match.output.1) + (phoneLike ? "<number>" : String(number))
        }
        out = out.replacing(doubleQuoted) { match in quotedValue(String(match.output), quote: "\"") }
        out = out.replacing(singleQuoted) { match in quotedValue(String(match.output), quote: "'") }
        return out
    }

    nonisolated(unsafe) private static let email = #/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+/#
    /// A number written as a phone number: a leading `+` or separators between digit groups.
    nonisolated(unsafe) private static let phone = #/(^|[^A-Za-z0-9_-])(\+?\(?\d[\d ().-]*\d)(?![A-Za-z0-9_])/#
    nonisolated(unsafe) private static let doubleQuoted = #/"(?:[^"\\]|\\.)*"/#
    nonisolated(unsafe) private static let singleQuoted = #/'[^'\n]*'/#
    nonisolated(unsafe) private static let identifier = #/[a-z_][A-Za-z0-9_]*(__c|__r)?|[A-Z][A-Za-z0-9_]*__[cr]|[A-Z_]{2,}[A-Z0-9_]*/#

    /// A quoted string kept when it is an identifier (a field name, a code), else `<value>`.
    private static func quotedValue(_ quoted: String, quote: Character) -> String {
        let inner = String(quoted.dropFirst().dropLast())
        if inner.isEmpty || inner.wholeMatch(of: identifier) != nil { return quoted }
        return "\(quote)<value>\(quote)"
    }
}
