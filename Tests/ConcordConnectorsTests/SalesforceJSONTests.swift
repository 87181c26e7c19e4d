@testable import ConcordConnectors
import ConcordMapping
import Testing

@Suite struct SalesforceJSONTests {
    @Test func numbersKeepTheirExactText() throws {
        let doc = try ExactJSON.parse(Array(#"{"a":0.1,"b":1e21,"c":12345678901234567890,"d":-0.0,"e":[1.10]}"#.utf8))
        #expect(doc["a"] == .number("0.1"))
        #expect(doc["b"] == .number("1e21"))
        #expect(doc["c"] == .number("12345678901234567890"))
        #expect(doc["d"] == .number("-0.0"))
        #expect(doc["e"]?.arrayValue?.first?.wireValue == .number("1.10"))
        #expect(doc.text == #"{"a":0.1,"b":1e21,"c":12345678901234567890,"d":-0.0,"e":[1.10]}"#)
    }

    @Test func stringsAndEscapesRoundTrip() throws {
        let doc = try ExactJSON.parse(Array(#"["a\"b\\c\n", "\u00e9\ud83d\ude00", "x/y"]"#.utf8))
        #expect(doc.arrayValue == [.string("a\"b\\c\n"), .string("é😀"), .string("x/y")])
        #expect(try ExactJSON.parse(doc.serialized) == doc)
    }

    @Test func malformedInputIsRejectedWithAPosition() {
        for bad in ["", "{", "[1,]", "01", "1.", "{\"a\" 1}", "\"abc", "nul", "1 2", String(repeating: "[", count: 300)] {
            #expect(throws: ExactJSONError.self) { try ExactJSON.parse(Array(bad.utf8)) }
        }
        #expect(!ExactJSON.isValidNumber("NaN"))
        #expect(ExactJSON.number("NaN").text == "null")
    }
}
