import Foundation

/// A HubSpot error: `{status:"error", message, correlationId, category, ...}`.
struct HubSpotError: Error {
    var status: Int
    var category: String
    var message: String
    var subCategory: String?
    var context: [String: [String]] = [:]
    var errors: [JSONValue] = []

    var json: JSONValue {
        var body: [String: JSONValue] = [
            "status": "error", "message": .string(message), "category": .string(category),
            "correlationId": .string(UUID().uuidString.lowercased()), "links": [:],
        ]
        if let subCategory { body["subCategory"] = .string(subCategory) }
        if !context.isEmpty { body["context"] = .object(context.mapValues { .array($0.map { .string($0) }) }) }
        if !errors.isEmpty { body["errors"] = .array(errors) }
        return .object(body)
    }

    /// The `StandardError` form used inside batch responses.
    var standardJSON: JSONValue {
        [
            "status": "error", "category": .string(category), "message": .string(message),
            "context": .object(context.mapValues { .array($0.map { .string($0) }) }), "errors": .array(errors), "links": [:],
        ]
    }

    var response: EmulatorResponse { .json(status, json) }

    static func notFound(_ id: String? = nil) -> HubSpotError {
        HubSpotError(status: 404, category: "OBJECT_NOT_FOUND", message: "resource not found", context: id.map { ["id": [$0]] } ?? [:])
    }

    static func validation(_ message: String, context: [String: [String]] = [:]) -> HubSpotError {
        HubSpotError(status: 400, category: "VALIDATION_ERROR", message: message, context: context)
    }

    /// One invalid property, as in "Property values were not valid: [...]".
    static func invalidProperty(_ name: String, code: String, message: String) -> HubSpotError {
        let detail: JSONValue = ["isValid": false, "message": .string(message), "error": .string(code), "name": .string(name), "localizedErrorMessage": .string(message)]
        var error = validation("Property values were not valid: [\(detail.serialized())]", context: ["propertyName": [name]])
        error.errors = [["message": .string(message), "code": .string(code), "in": .string(name), "context": ["propertyName": [.string(name)]]]]
        return error
    }
}
