import Foundation

/// One webhook request as the server received it.
public struct WebhookRequest: Sendable {
    /// `POST`, normally.
    public var method: String
    /// The path and query as received (`/webhooks/hubspot?x=1`).
    public var uri: String
    /// The full URL the sender posted to, as it signs it (the public URL plus ``uri``).
    public var fullURL: String
    /// Header values by lowercased name.
    public var headers: [String: String]
    /// The body.
    public var body: [UInt8]

    /// Creates a request; header names are lowercased.
    public init(method: String, uri: String, fullURL: String, headers: [String: String], body: [UInt8]) {
        self.method = method
        self.uri = uri
        self.fullURL = fullURL
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.body = body
    }

    /// A header's value (case-insensitive name).
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The media type of `Content-Type`, lowercased, without parameters.
    public var mediaType: String? {
        header("content-type").map { $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "" }
    }

    /// The query parameters, percent-decoded (the last value of a repeated name wins).
    public var query: [String: String] {
        guard let mark = uri.firstIndex(of: "?") else { return [:] }
        var out: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.percentDecoded(String(parts[0]))
            out[name] = parts.count > 1 ? Self.percentDecoded(String(parts[1])) : ""
        }
        return out
    }

    static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var it = Array(text.utf8)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "+") { bytes.append(UInt8(ascii: " ")); continue }
            if b == UInt8(ascii: "%"), it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v); it = it.dropFirst(2); continue
            }
            bytes.append(b)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
