/// A Dataverse Web API error: `{"error":{"code","message"}}`.
struct DataverseError: Error {
    var status: Int
    var code: String
    var message: String

    var response: EmulatorResponse {
        .json(status, ["error": ["code": .string(code), "message": .string(message)]], headers: [("OData-Version", "4.0")])
    }

    static func notFound(_ entity: String, _ id: String) -> DataverseError {
        DataverseError(status: 404, code: "0x80040217", message: "\(entity) With Id = \(id) Does Not Exist")
    }

    static func badRequest(_ message: String, code: String = "0x80060888") -> DataverseError {
        DataverseError(status: 400, code: code, message: message)
    }

    static let versionMismatch = DataverseError(
        status: 412, code: "0x80060882", message: "The version of the existing record doesn't match the RowVersion property provided.")
    static let alreadyExists = DataverseError(status: 412, code: "0x80040237", message: "A record with matching key values already exists.")
}
