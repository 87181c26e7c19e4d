import ConcordHTTP

/// One request inside a `$batch` and its answer.
struct DynamicsBatchPart: Sendable {
    var method: HTTPMethod
    /// Path relative to the API root (`contacts(guid)`).
    var path: String
    var headers: [(String, String)]
    var body: ExactJSON?
}

/// One answer inside a `$batch` response.
struct DynamicsBatchAnswer: Sendable {
    var contentID: String?
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
}

/// Writes `multipart/mixed` `$batch` bodies (each part in its own change set, so one
/// failure rolls back only its own record) and reads the responses.
enum DynamicsBatch {
    /// The body; part `i` gets `Content-ID: i+1`.
    static func body(_ parts: [DynamicsBatchPart], apiPath: String, boundary: String) -> [UInt8] {
        var text = ""
        for (index, part) in parts.enumerated() {
            let changeset = "changeset_\(boundary)_\(index + 1)"
            text += "--batch_\(boundary)\r\nContent-Type: multipart/mixed; boundary=\(changeset)\r\n\r\n"
            text += "--\(changeset)\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: \(index + 1)\r\n\r\n"
            text += "\(part.method) \(apiPath)/\(part.path) HTTP/1.1\r\n"
            if part.body != nil { text += "Content-Type: application/json; type=entry\r\n" }
            for (name, value) in part.headers { text += "\(name): \(value)\r\n" }
            text += "\r\n"
            if let body = part.body { text += body.text }
            text += "\r\n--\(changeset)--\r\n"
        }
        text += "--batch_\(boundary)--\r\n"
        return Array(text.utf8)
    }

    /// A body of reads: `GET` parts stand outside change sets (Dataverse refuses them inside);
    /// part `i` gets `Content-ID: i+1`.
    static func readBody(_ paths: [String], apiPath: String, boundary: String) -> [UInt8] {
        var text = ""
        for (index, path) in paths.enumerated() {
            text += "--batch_\(boundary)\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: \(index + 1)\r\n\r\n"
            text += "GET \(apiPath)/\(path) HTTP/1.1\r\nAccept: application/json\r\n\r\n\r\n"
        }
        text += "--batch_\(boundary)--\r\n"
        return Array(text.utf8)
    }

    /// The answers in a `$batch` response, in order, with nested change sets flattened.
    static func answers(_ body: [UInt8], contentType: String?) -> [DynamicsBatchAnswer] {
        guard let boundary = boundary(contentType) else { return [] }
        var out: [DynamicsBatchAnswer] = []
        for (headers, content) in parts(String(decoding: body, as: UTF8.self), boundary: boundary) {
            if let inner = self.boundary(headers["content-type"]), headers["content-type"]?.lowercased().hasPrefix("multipart/mixed") == true {
                for (partHeaders, partContent) in parts(content, boundary: inner) {
                    if let answer = httpAnswer(partContent, contentID: partHeaders["content-id"]) { out.append(answer) }
                }
            } else if let answer = httpAnswer(content, contentID: headers["content-id"]) {
                out.append(answer)
            }
        }
        return out
    }

    static func boundary(_ contentType: String?) -> String? {
        guard let contentType, let range = contentType.range(of: "boundary=") else { return nil }
        let value = contentType[range.upperBound...].split(separator: ";").first.map(String.init) ?? ""
        return value.trimming("\" ")
    }

    /// Splits on `--boundary` lines into (lower-cased headers, content).
    static func parts(_ text: String, boundary: String) -> [([String: String], String)] {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        var result: [([String: String], String)] = []
        for chunk in normalized.components(separatedBy: "--" + boundary).dropFirst() {
            if chunk.hasPrefix("--") { break }
            result.append(headersAndContent(String(chunk.drop { $0 == "\n" })))
        }
        return result
    }

    private static func headersAndContent(_ text: String) -> ([String: String], String) {
        guard let split = text.range(of: "\n\n") else { return (headerLines(text), "") }
        var content = String(text[split.upperBound...])
        while content.hasSuffix("\n") { content.removeLast() }
        return (headerLines(String(text[..<split.lowerBound])), content)
    }

    private static func headerLines(_ text: String) -> [String: String] {
        var headers: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let kv = line.split(separator: ":", maxSplits: 1)
            if kv.count == 2 { headers[kv[0].lowercased().trimming(" ")] = kv[1].trimming(" ") }
        }
        return headers
    }

    /// `HTTP/1.1 204 No Content` + headers + body.
    private static func httpAnswer(_ text: String, contentID: String?) -> DynamicsBatchAnswer? {
        let (statusAndHeaders, body) = headersAndContentRaw(text)
        let lines = statusAndHeaders.split(separator: "\n")
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/"), statusLine.split(separator: " ").count >= 2,
            let status = Int(statusLine.split(separator: " ")[1])
        else { return nil }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            let kv = line.split(separator: ":", maxSplits: 1)
            if kv.count == 2 { headers.add(name: kv[0].trimming(" "), value: kv[1].trimming(" ")) }
        }
        return DynamicsBatchAnswer(contentID: contentID ?? headers["Content-ID"], status: status, headers: headers, body: Array(body.utf8))
    }

    private static func headersAndContentRaw(_ text: String) -> (String, String) {
        guard let split = text.range(of: "\n\n") else { return (text, "") }
        return (String(text[..<split.lowerBound]), String(text[split.upperBound...]).trimming("\n"))
    }
}

extension StringProtocol {
    fileprivate func trimming(_ set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s.removeFirst() }
        while let l = s.last, chars.contains(l) { s.removeLast() }
        return String(s)
    }
}
