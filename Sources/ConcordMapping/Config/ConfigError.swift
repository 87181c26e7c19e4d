/// Where something is in a configuration file: file name, 1-based line and column.
public struct SourcePosition: Hashable, Sendable, CustomStringConvertible {
    /// The file name as given to the loader (`<defaults>` for the shipped defaults).
    public var file: String
    /// Line, starting at 1.
    public var line: Int
    /// Column, starting at 1 (counted in Unicode scalars, as libyaml does).
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`.
    public var description: String { "\(file):\(line):\(column)" }
}

/// A configuration file that cannot be used: where, and what was expected instead.
///
/// Rendered as `concord.yaml:12:7: error: unknown key "emial" in field mapping; expected one
/// of: field, transform, ...`, the form compilers use, so editors can jump to it.
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem it is.
    public enum Code: String, Hashable, Sendable {
        /// The file is not valid YAML.
        case syntax
        /// A key that the schema does not know.
        case unknownKey
        /// A required key is missing.
        case missingKey
        /// A node has the wrong shape (scalar, list, mapping).
        case wrongShape
        /// A scalar has a value that is not allowed.
        case invalidValue
        /// A name refers to a CRM, object or field that is not defined.
        case unknownReference
        /// Two entries contradict each other (duplicate wire fields, ambiguous tables).
        case conflict
        /// The file cannot be read.
        case unreadable
    }

    /// What kind of problem it is.
    public var code: Code
    /// Where it is.
    public var location: SourcePosition
    /// What is wrong and what was expected.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, at location: SourcePosition, _ message: String) {
        self.code = code
        self.location = location
        self.message = message
    }

    /// `file:line:column: error: message`.
    public var description: String { "\(location): error: \(message)" }
}
