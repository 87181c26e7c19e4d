/// An ordered list of HTTP header fields with case-insensitive lookup.
///
/// Descriptions redact credential-bearing fields (see ``isSensitive(_:)``), so a request
/// or response can be logged or printed safely.
public struct HTTPHeaders: Sendable, Equatable, Sequence, CustomStringConvertible,
    CustomReflectable, ExpressibleByDictionaryLiteral
{
    /// The fields in the order they were added.
    public private(set) var fields: [(name: String, value: String)]

    /// Headers with the given fields, in order.
    public init(_ fields: [(name: String, value: String)] = []) { self.fields = fields }

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { (name: $0.0, value: $0.1) }
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    /// Appends a field, keeping any existing fields of the same name.
    public mutating func add(name: String, value: String) { fields.append((name, value)) }

    /// Replaces every field named `name` (case-insensitively) with a single one.
    public mutating func replaceOrAdd(name: String, value: String) {
        remove(name: name)
        fields.append((name, value))
    }

    /// Removes every field named `name`, case-insensitively.
    public mutating func remove(name: String) {
        let lower = name.lowercased()
        fields.removeAll { $0.name.lowercased() == lower }
    }

    /// The first value of the field named `name`, case-insensitively.
    public subscript(name: String) -> String? { first(name: name) }

    /// The first value of the field named `name`, case-insensitively.
    public func first(name: String) -> String? {
        let lower = name.lowercased()
        return fields.first { $0.name.lowercased() == lower }?.value
    }

    /// Every value of the fields named `name`, case-insensitively, in order.
    public func values(name: String) -> [String] {
        let lower = name.lowercased()
        return fields.filter { $0.name.lowercased() == lower }.map(\.value)
    }

    /// Whether a field named `name` is present.
    public func contains(name: String) -> Bool { first(name: name) != nil }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    /// Whether a field carries credentials and must never be printed: `Authorization`,
    /// `Proxy-Authorization`, `Cookie`, `Set-Cookie`, and any name mentioning a key,
    /// token, secret, password, session or signature (`X-Api-Key`, `X-Auth-Token`, ...).
    public static func isSensitive(_ name: String) -> Bool {
        let lower = name.lowercased()
        if ["authorization", "proxy-authorization", "cookie", "set-cookie"].contains(lower) {
            return true
        }
        return ["key", "token", "secret", "password", "session", "signature", "auth"]
            .contains { lower.contains($0) }
    }

    /// The fields with sensitive values replaced by `<redacted>`.
    public var redacted: [(name: String, value: String)] {
        fields.map { (name: $0.name, value: Self.isSensitive($0.name) ? "<redacted>" : $0.value) }
    }

    /// A mirror of the redacted fields, so `dump` cannot reveal credentials.
    public var customMirror: Mirror {
        Mirror(self, children: redacted.map { (label: $0.name, value: $0.value as Any) }, displayStyle: .dictionary)
    }

    /// `Name: value` lines, with sensitive values redacted.
    public var description: String {
        redacted.map { "\($0.name): \($0.value)" }.joined(separator: ", ")
    }
}
