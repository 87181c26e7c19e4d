extension SalesforceEmulator {
    /// Subrequests one Composite call may carry (Salesforce's limit).
    static let compositeLimit = 25

    /// `POST /composite`: up to 25 subrequests run in order, each with its own `httpHeaders`
    /// (so an `If-Unmodified-Since` guards each record's write). With `allOrNone: false` a
    /// failed subrequest leaves the others standing; each answers
    /// `{body, httpHeaders, httpStatusCode, referenceId}` in `compositeResponse`. Only sObject
    /// row and query resources are served here (what clients use Composite for).
    func composite(_ request: EmulatorRequest, base: String) throws -> EmulatorResponse {
        let body = try parseBody(request)
        guard let subrequests = body["compositeRequest"]?.arrayValue else {
            throw SalesforceError.badRequest("compositeRequest is required", code: "INVALID_INPUT")
        }
        guard subrequests.count <= Self.compositeLimit else {
            throw SalesforceError(status: 400, code: "LIMIT_EXCEEDED",
                                  message: "Subrequest count of \(subrequests.count) exceeds the limit of \(Self.compositeLimit)")
        }
        let allOrNone = body["allOrNone"]?.boolValue ?? false
        var answers: [JSONValue] = []
        var failed = false
        for sub in subrequests {
            let reference = sub["referenceId"]?.stringValue ?? ""
            if failed && allOrNone {
                answers.append(Self.subresponse(SalesforceError(status: 400, code: "PROCESSING_HALTED",
                                                                message: "The transaction was rolled back since another operation in the same transaction failed.").response,
                                                reference: reference))
                continue
            }
            let answer = subresponse(sub, base: base)
            if answer.status >= 400 { failed = true }
            answers.append(Self.subresponse(answer, reference: reference))
        }
        return .json(200, ["compositeResponse": .array(answers)])
    }

    /// Runs one subrequest against the sObject row routes.
    private func subresponse(_ sub: JSONValue, base: String) -> EmulatorResponse {
        guard let method = sub["method"]?.stringValue, let url = sub["url"]?.stringValue else {
            return SalesforceError.badRequest("method and url are required", code: "INVALID_INPUT").response
        }
        var headers: [String: String] = ["content-type": "application/json"]
        for (name, value) in sub["httpHeaders"]?.objectValue ?? [:] { headers[name.lowercased()] = value.stringValue ?? value.textForm }
        let payload = sub["body"].map { $0.bytes } ?? []
        let sub = EmulatorRequest(method: method, target: url, headers: headers, body: payload)
        let parts = sub.path.split(separator: "/").map(String.init)
        // /services/data/vXX.X/sobjects/...
        guard parts.count >= 4, parts[0] == "services", parts[1] == "data", "/" + parts[0...2].joined(separator: "/") == base,
              parts[3] == "sobjects" else {
            return SalesforceError.notFound("The requested resource does not exist: \(url)").response
        }
        do {
            return try sobjects(sub, base: base, rest: Array(parts.dropFirst(4)))
        } catch let error as SalesforceError {
            return error.response
        } catch {
            return SalesforceError(status: 500, code: "UNKNOWN_EXCEPTION", message: "\(error)").response
        }
    }

    private static func subresponse(_ answer: EmulatorResponse, reference: String) -> JSONValue {
        var headers: [String: JSONValue] = [:]
        for (name, value) in answer.headers where name.lowercased() != "content-type" { headers[name] = .string(value) }
        let body = answer.body.isEmpty ? JSONValue.null : ((try? JSONValue.parse(answer.body)) ?? .null)
        return ["body": body, "httpHeaders": .object(headers), "httpStatusCode": .int(Int64(answer.status)),
                "referenceId": .string(reference)]
    }
}
