/// A Salesforce REST error: rendered as a JSON array `[{message, errorCode, fields}]`.
struct SalesforceError: Error {
    var status: Int
    var code: String
    var message: String
    var fields: [String] = []

    var json: JSONValue {
        var item: [String: JSONValue] = ["message": .string(message), "errorCode": .string(code)]
        if !fields.isEmpty { item["fields"] = .array(fields.map { .string($0) }) }
        return .object(item)
    }

    /// Per-record form used inside sObject Collections results (`statusCode`).
    var collectionJSON: JSONValue {
        ["statusCode": .string(code), "message": .string(message), "fields": .array(fields.map { .string($0) })]
    }

    var response: EmulatorResponse { .json(status, [json]) }

    static func notFound(_ what: String = "The requested resource does not exist") -> SalesforceError {
        SalesforceError(status: 404, code: "NOT_FOUND", message: what)
    }

    static func malformedQuery(_ message: String) -> SalesforceError {
        SalesforceError(status: 400, code: "MALFORMED_QUERY", message: message)
    }

    static func badRequest(_ message: String, code: String = "JSON_PARSER_ERROR") -> SalesforceError {
        SalesforceError(status: 400, code: code, message: message)
    }
}
