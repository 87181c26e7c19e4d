/// One parsed HTTP/1.1 request as the loopback server received it.
public struct LoopbackRequest: Sendable {
    /// The method token.
    public var method: String
    /// The request target: path plus query.
    public var target: String
    /// Header fields in order, names as sent.
    public var headers: [(name: String, value: String)]
    /// The body (Content-Length framed; chunked uploads are not supported).
    public var body: [UInt8]

    /// The path part of the target (also for absolute-form targets sent to a proxy).
    public var path: Substring {
        var path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        if path.hasPrefix("http://") {
            let rest = path.dropFirst("http://".count)
            path = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        return path
    }

    /// The first header named `name`, case-insensitively.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    /// Query parameters, percent-decoded (`+` is kept literally).
    public var query: [(name: String, value: String)] {
        let parts = target.split(separator: "?", maxSplits: 1)
        guard parts.count == 2 else { return [] }
        return parts[1].split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(kv[0]), kv.count > 1 ? Self.decode(kv[1]) : "")
        }
    }

    /// The first query value named `name`.
    public func parameter(_ name: String) -> String? { query.first { $0.name == name }?.value }

    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses a request head (up to, not including, the blank line).
    static func parseHead(_ head: [UInt8]) -> LoopbackRequest? {
        let lines = String(decoding: head, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        guard let first = lines.first else { return nil }
        let parts = first.split(separator: " ")
        guard parts.count == 3 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            headers.append((String(line[..<colon]), String(value)))
        }
        return LoopbackRequest(method: String(parts[0]), target: String(parts[1]), headers: headers, body: [])
    }
}
