@testable import ConcordConnectors

/// The exact JSON reader (every CRM body goes through it): any bytes either parse or throw
/// ``ExactJSONError``; what parses writes back out as text that parses to the same value.
enum JSONTarget {
    static func run(_ bytes: [UInt8]) {
        guard let value = try? ExactJSON.parse(bytes) else { return }
        let text = value.text
        guard let again = try? ExactJSON.parse(text) else {
            check(false, "the writer's own text does not parse: \(text)")
            return
        }
        check(again == value, "the value changed through text: \(text)")
        if case .number(let literal) = value {
            check(ExactJSON.isValidNumber(literal), "a parsed number is not a valid number: \(literal)")
        }
    }
}
