import Foundation

/// One request inside a `$batch`, possibly part of a change set.
struct BatchPart {
    var request: EmulatorRequest
    var contentID: String?
}

/// multipart/mixed parsing and writing for `$batch`.
enum MultipartMixed {
    static func boundary(_ contentType: String?) -> String? {
        guard let contentType, let range = contentType.range(of: "boundary=") else { return nil }
        return String(contentType[range.upperBound...].split(separator: ";").first ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
    }

    /// Splits a body into (headers, content) parts.
    static func parts(_ body: String, boundary: String) -> [([String: String], String)] {
        let normalized = body.replacingOccurrences(of: "\r\n", with: "\n")
        var result: [([String: String], String)] = []
        for chunk in normalized.components(separatedBy: "--\(boundary)").dropFirst() {
            if chunk.hasPrefix("--") { break }
            let (headers, content) = splitHeaders(String(chunk.drop { $0 == "\n" }))
            result.append((headers, content))
        }
        return result
    }

    static func splitHeaders(_ text: String) -> ([String: String], String) {
        let pieces = text.components(separatedBy: "\n\n")
        var headers: [String: String] = [:]
        for line in (pieces.first ?? "").split(separator: "\n") {
            let kv = line.split(separator: ":", maxSplits: 1)
            if kv.count == 2 { headers[kv[0].lowercased().trimmingCharacters(in: .whitespaces)] = kv[1].trimmingCharacters(in: .whitespaces) }
        }
        var content = pieces.dropFirst().joined(separator: "\n\n")
        while content.hasSuffix("\n") { content.removeLast() }
        return (headers, content)
    }

    static let reasons = [200: "OK", 201: "Created", 204: "No Content", 304: "Not Modified", 400: "Bad Request", 404: "Not Found",
                          405: "Method Not Allowed", 412: "Precondition Failed", 429: "Too Many Requests", 500: "Internal Server Error"]

    static func httpPart(_ response: EmulatorResponse, contentID: String?) -> String {
        var text = "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
        if let contentID { text += "Content-ID: \(contentID)\r\n" }
        text += "\r\nHTTP/1.1 \(response.status) \(reasons[response.status] ?? "Status")\r\n"
        for (name, value) in response.headers { text += "\(name): \(value)\r\n" }
        text += "\r\n" + String(decoding: response.body, as: UTF8.self) + "\r\n"
        return text
    }
}

extension DataverseEmulator {
    /// `POST /$batch`: sequential parts, atomic change sets, `$n` Content-ID references.
    func batch(_ outer: EmulatorRequest) throws -> EmulatorResponse {
        guard outer.method == "POST", let boundary = MultipartMixed.boundary(outer.header("content-type")) else {
            throw DataverseError.badRequest("The batch request must have a multipart/mixed content type with a boundary.", code: "0x0")
        }
        let continueOnError = Self.preferences(outer).contains("odata.continue-on-error")
        let responseBoundary = "batchresponse_\(newGUID())"
        var out = ""
        var finalStatus = 200
        var count = 0
        parts: for (headers, content) in MultipartMixed.parts(String(decoding: outer.body, as: UTF8.self), boundary: boundary) {
            if let inner = MultipartMixed.boundary(headers["content-type"]), headers["content-type"]?.hasPrefix("multipart/mixed") == true {
                var locations: [String: String] = [:]
                var answers: [(EmulatorResponse, String?)] = []
                var refused: (EmulatorResponse, String?)?
                // A change set is atomic: one failed part undoes the parts before it.
                try control.store.group {
                    for (partHeaders, partContent) in MultipartMixed.parts(content, boundary: inner) {
                        count += 1
                        let part = try parseRequest(partContent, outer: outer, contentID: partHeaders["content-id"], locations: locations)
                        guard part.request.method != "GET" else { throw DataverseError.badRequest("GET requests are not allowed inside a change set.", code: "0x0") }
                        let answer = control.failBatchItem()
                            ? DataverseError(status: 503, code: "0x80040216", message: "Injected transient failure of a batch part.").response
                            : handleAPI(part.request, rest: Array(part.request.segments.dropFirst(3)))
                        if let id = part.contentID, let location = answer.header("OData-EntityId") { locations[id] = location }
                        if answer.status >= 400 {
                            refused = (answer, part.contentID)
                            return false
                        }
                        answers.append((answer, part.contentID))
                    }
                    return true
                }
                if let (answer, contentID) = refused {
                    out += "--\(responseBoundary)\r\n" + MultipartMixed.httpPart(answer, contentID: contentID)
                    if !continueOnError { finalStatus = answer.status; break parts }
                    continue parts
                }
                let changeBoundary = "changesetresponse_\(newGUID())"
                out += "--\(responseBoundary)\r\nContent-Type: multipart/mixed; boundary=\(changeBoundary)\r\n\r\n"
                for (answer, id) in answers { out += "--\(changeBoundary)\r\n" + MultipartMixed.httpPart(answer, contentID: id) }
                out += "--\(changeBoundary)--\r\n"
            } else {
                count += 1
                let part = try parseRequest(content, outer: outer, contentID: headers["content-id"], locations: [:])
                let answer = control.failBatchItem()
                    ? DataverseError(status: 503, code: "0x80040216", message: "Injected transient failure of a batch part.").response
                    : handleAPI(part.request, rest: Array(part.request.segments.dropFirst(3)))
                out += "--\(responseBoundary)\r\n" + MultipartMixed.httpPart(answer, contentID: part.contentID)
                if answer.status >= 400, !continueOnError { finalStatus = answer.status; break }
            }
            if count > 1000 { throw DataverseError.badRequest("The number of requests in a batch cannot exceed 1000.", code: "0x0") }
        }
        out += "--\(responseBoundary)--\r\n"
        return EmulatorResponse(status: finalStatus, headers: [("Content-Type", "multipart/mixed; boundary=\(responseBoundary)"), ("OData-Version", "4.0")], body: Array(out.utf8))
    }

    private func parseRequest(_ text: String, outer: EmulatorRequest, contentID: String?, locations: [String: String]) throws -> BatchPart {
        var lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        let requestLine = lines.isEmpty ? "" : String(lines.removeFirst())
        let words = requestLine.split(separator: " ")
        guard words.count >= 2 else { throw DataverseError.badRequest("Malformed batch part request line '\(requestLine)'.", code: "0x0") }
        var target = String(words[1])
        if target.hasPrefix("$"), let slash = target.firstIndex(of: "/") ?? Optional(target.endIndex) {
            let reference = String(target[target.index(after: target.startIndex)..<slash])
            guard let location = locations[reference] else { throw DataverseError.badRequest("Content-ID reference $\(reference) is unknown.", code: "0x0") }
            target = location + target[slash...]
        }
        if let scheme = target.range(of: "://"), let pathStart = target[scheme.upperBound...].firstIndex(of: "/") {
            target = String(target[pathStart...])
        }
        if !target.hasPrefix("/") { target = "\(Self.apiRoot)/\(target)" }
        let (headers, body) = MultipartMixed.splitHeaders(lines.first.map(String.init) ?? "")
        var allHeaders = headers
        allHeaders["authorization"] = outer.header("authorization")
        allHeaders["host"] = outer.header("host")
        var bodyText = body
        for (id, location) in locations { bodyText = bodyText.replacingOccurrences(of: "\"$\(id)\"", with: "\"\(location)\"") }
        return BatchPart(request: EmulatorRequest(method: String(words[0]), target: target, headers: allHeaders, body: Array(bodyText.utf8)), contentID: contentID)
    }
}
