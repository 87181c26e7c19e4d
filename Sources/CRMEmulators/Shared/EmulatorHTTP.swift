import Foundation

/// A transport-independent HTTP request as the emulators see it.
public struct EmulatorRequest: Sendable {
    /// Upper-case method name.
    public var method: String
    /// Raw (still percent-encoded) path without the query.
    public var path: String
    /// Decoded query pairs in order.
    public var query: [QueryItem]
    /// Header values keyed by lower-cased name (repeated headers joined with ", ").
    public var headers: [String: String]
    public var body: [UInt8]

    public struct QueryItem: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public init(method: String, target: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method.uppercased()
        let split = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.path = split.first.map(String.init) ?? "/"
        self.query = split.count > 1 ? FormCoding.decode(String(split[1])).map { QueryItem(name: $0.0, value: $0.1) } : []
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        self.headers = lowered
        self.body = body
    }

    /// Percent-decoded, non-empty path segments.
    public var segments: [String] {
        path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
    }

    /// First value of a query parameter.
    public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }

    /// All values of a repeated or comma-separated query parameter, split on commas.
    public func queryList(_ name: String) -> [String] {
        query.filter { $0.name == name }.flatMap { $0.value.split(separator: ",").map { String(String($0).trimmingSpaces) } }
            .filter { !$0.isEmpty }
    }

    /// Case-insensitive boolean query parameter (`true`, `True`, `TRUE`).
    public func queryBool(_ name: String) -> Bool { queryValue(name)?.lowercased() == "true" }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The bearer token, if an `Authorization: Bearer` header is present.
    public var bearerToken: String? {
        guard let value = header("authorization") else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }

    public func jsonBody() throws -> JSONValue { try JSONValue.parse(body) }

    /// Form-encoded body fields.
    public var formBody: [String: String] {
        var result: [String: String] = [:]
        for (name, value) in FormCoding.decode(String(decoding: body, as: UTF8.self)) { result[name] = value }
        return result
    }
}

/// An emulator's answer before it is handed to the HTTP server.
public struct EmulatorResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// When set, the server closes the connection without a complete answer.
    public var dropConnection = false

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ status: Int, _ value: JSONValue, headers: [(String, String)] = []) -> EmulatorResponse {
        EmulatorResponse(status: status, headers: [("Content-Type", "application/json;charset=UTF-8")] + headers, body: value.bytes)
    }

    public static func empty(_ status: Int, headers: [(String, String)] = []) -> EmulatorResponse {
        EmulatorResponse(status: status, headers: headers)
    }

    public static func text(_ status: Int, _ text: String, contentType: String) -> EmulatorResponse {
        EmulatorResponse(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8))
    }

    public static var dropped: EmulatorResponse {
        var response = EmulatorResponse(status: 500)
        response.dropConnection = true
        return response
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.0.lowercased() == name.lowercased() }
        headers.append((name, value))
    }

    /// Body parsed as JSON (test convenience).
    public var json: JSONValue? { try? JSONValue.parse(body) }
}

/// `application/x-www-form-urlencoded` and query-string coding.
public enum FormCoding {
    public static func decode(_ text: String) -> [(String, String)] {
        text.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let rawName = parts.first, !rawName.isEmpty else { return nil }
            func clean(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (clean(rawName), parts.count > 1 ? clean(parts[1]) : "")
        }
    }

    private static let allowed: CharacterSet = {
        var set = CharacterSet.alphanumerics
        set.insert(charactersIn: "-._~")
        return set
    }()

    public static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }
}
