/// A value a transform cannot convert, with the reason. Becomes a ``ValidationFailure``.
public struct TransformError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Hashable, Sendable {
        /// The wire value has the wrong JSON type, or the canonical value the wrong case.
        case typeMismatch
        /// The text does not have the expected format (a date, a number...).
        case invalidFormat
        /// A picklist value missing from the table, under the `reject` policy.
        case unmappedValue
        /// A reference to a record Concord has no link for (yet).
        case unresolvedReference
    }

    /// What went wrong.
    public var code: Code
    /// A readable reason.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
