/// Small helpers over URL text: query encoding, destination extraction and redaction.
///
/// The client hands the URL string to libcurl unchanged; these helpers only build query
/// strings, derive the per-destination key and make URLs safe to print.
public enum URLText {
    /// Percent-encodes `text` for use as a query name or value (RFC 3986 unreserved
    /// characters stay as they are; everything else, including space, becomes `%XX`).
    public static func percentEncode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%"
                out.unicodeScalars.append(hexDigit(byte >> 4))
                out.unicodeScalars.append(hexDigit(byte & 0xF))
            }
        }
        return out
    }

    /// `name=value&...` with each part percent-encoded.
    public static func queryString(_ items: [(name: String, value: String)]) -> String {
        items.map { "\(percentEncode($0.name))=\(percentEncode($0.value))" }.joined(separator: "&")
    }

    /// `url` with `items` appended to its query (after `?` or `&`), before any fragment.
    public static func appendingQuery(_ items: [(name: String, value: String)], to url: String) -> String {
        guard !items.isEmpty else { return url }
        var base = url
        var fragment = ""
        if let hash = base.firstIndex(of: "#") {
            fragment = String(base[hash...])
            base = String(base[..<hash])
        }
        let separator = base.contains("?") ? (base.hasSuffix("?") || base.hasSuffix("&") ? "" : "&") : "?"
        return base + separator + queryString(items) + fragment
    }

    /// Whether a query parameter name suggests it carries a credential.
    public static func isSensitiveParameter(_ name: String) -> Bool {
        let lower = name.lowercased()
        if ["code", "sig", "key", "hapikey", "assertion", "client_assertion"].contains(lower) {
            return true
        }
        return ["token", "secret", "password", "api_key", "apikey", "signature"].contains { lower.contains($0) }
    }

    /// `url` made safe to print: any `user:password@` is removed and the values of
    /// credential-like query parameters (``isSensitiveParameter(_:)``) become `<redacted>`.
    public static func redact(_ url: String) -> String {
        var text = url
        if let authorityStart = authorityStart(in: text) {
            let rest = text[authorityStart...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? text.endIndex
            if let at = text[authorityStart..<authorityEnd].lastIndex(of: "@") {
                text.removeSubrange(authorityStart...at)
            }
        }
        guard let question = text.firstIndex(of: "?") else { return text }
        let head = text[..<question]
        var query = text[text.index(after: question)...]
        var fragment: Substring = ""
        if let hash = query.firstIndex(of: "#") {
            fragment = query[hash...]
            query = query[..<hash]
        }
        let parts = query.split(separator: "&", omittingEmptySubsequences: false).map { part -> String in
            guard let eq = part.firstIndex(of: "=") else { return String(part) }
            let name = String(part[..<eq])
            return isSensitiveParameter(name) ? "\(name)=<redacted>" : String(part)
        }
        return String(head) + "?" + parts.joined(separator: "&") + String(fragment)
    }

    /// The index just after `scheme://`, or `nil` if `url` has no scheme separator.
    static func authorityStart(in url: String) -> String.Index? {
        guard let colon = url.firstIndex(of: ":") else { return nil }
        let after = url[colon...]
        guard after.hasPrefix("://") else { return nil }
        return url.index(colon, offsetBy: 3)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> Unicode.Scalar {
        Unicode.Scalar(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10)
    }
}

/// Where a request goes: scheme, host and port. Rate limits and circuit breakers are kept
/// per destination.
public struct HTTPDestination: Hashable, Sendable, CustomStringConvertible {
    /// `http` or `https`, lowercased.
    public var scheme: String
    /// The host name or address, lowercased, without credentials.
    public var host: String
    /// The explicit port, or the scheme's default.
    public var port: Int

    /// A destination with the given parts.
    public init(scheme: String, host: String, port: Int) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// The destination of `url`, or `nil` if it has no `scheme://host` part.
    public init?(url: String) {
        guard let start = URLText.authorityStart(in: url) else { return nil }
        let scheme = url[..<url.index(start, offsetBy: -3)].lowercased()
        let rest = url[start...]
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<end]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host = authority
        var port = scheme == "https" ? 443 : 80
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            host = authority[..<colon]
            guard let parsed = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = parsed
        }
        guard !host.isEmpty, !scheme.isEmpty else { return nil }
        self.init(scheme: scheme, host: host.lowercased(), port: port)
    }

    public var description: String { "\(scheme)://\(host):\(port)" }
}
