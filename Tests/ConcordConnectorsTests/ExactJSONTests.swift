@testable import ConcordConnectors
import ConcordMapping
import Testing

/// The JSON reader and writer all three connectors use: exact numbers, escapes, and errors
/// that say what was malformed and where.
@Suite struct ExactJSONTests {
    @Test func numbersKeepTheirExactText() throws {
        let text = #"{"a":0.1,"b":1e21,"c":12345678901234567890,"d":-0.0,"e":[1,2.50],"f":-0.000001}"#
        let doc = try ExactJSON.parse(text)
        #expect(doc["a"] == .number("0.1"))
        #expect(doc["b"] == .number("1e21"))
        #expect(doc["c"] == .number("12345678901234567890"))
        #expect(doc["d"] == .number("-0.0"))
        #expect(doc["e"]?.arrayValue == [.number("1"), .number("2.50")])
        #expect(doc["e"]?.arrayValue?.last?.wireValue == .number("2.50"))
        #expect(doc["f"] == .number("-0.000001"))
        #expect(doc.text == text)
        #expect(try ExactJSON.parse(Array(text.utf8)) == doc)
    }

    @Test func stringsAndEscapesRoundTrip() throws {
        let doc = try ExactJSON.parse(#"["a\"b\\c\n", "\u00e9\ud83d\ude00", "x/y"]"#)
        #expect(doc.arrayValue == [.string("a\"b\\c\n"), .string("é😀"), .string("x/y")])
        #expect(try ExactJSON.parse(doc.serialized) == doc)
        let text = "quote \" backslash \\ newline \n tab \t bell \u{07} snowman ☃ emoji 😀"
        let object = ExactJSON.object(["s": .string(text)])
        #expect(object.text.contains(#"\u0007"#))
        #expect(try ExactJSON.parse(object.text)["s"]?.stringValue == text)
    }

    @Test func aLoneSurrogateBecomesAReplacementCharacter() throws {
        #expect(try ExactJSON.parse(#""\ud83dx""#) == .string("\u{FFFD}x"))
        #expect(try ExactJSON.parse(#""\ud83d\u0041""#) == .string("\u{FFFD}A"))
        #expect(try ExactJSON.parse(#""\ude00""#) == .string("\u{FFFD}"))
    }

    @Test(arguments: [
        ("", "unexpected end of input"),
        ("{", "unterminated object"),
        (#"{"a":1,"#, "unterminated object"),
        ("[1,", "unexpected end of input"),
        ("[1", "unterminated array"),
        ("[1,]", "expected a value"),
        ("[1 2]", "expected ',' or ']'"),
        (#"{"a":1 "b":2}"#, "expected ',' or '}'"),
        (#"{"a" 1}"#, "expected ':'"),
        ("{1:2}", "expected a member name"),
        ("01", "leading zero in a number"),
        ("-01.5", "leading zero in a number"),
        ("1.", "expected digits after the decimal point"),
        ("1e+", "expected exponent digits"),
        ("\"abc", "unterminated string"),
        (#""\x""#, "unknown escape"),
        (#""\u12""#, #"truncated \u escape"#),
        ("[\"\u{01}\"]", "control character in string"),
        ("tru", "expected true"),
        ("nul", "expected null"),
        ("{} x", "unexpected text after the JSON value"),
        ("1 2", "unexpected text after the JSON value"),
    ])
    func malformedInputSaysWhatAndWhere(_ text: String, _ reason: String) {
        #expect(throws: ExactJSONError.self) { try ExactJSON.parse(text) }
        do {
            _ = try ExactJSON.parse(text)
        } catch {
            #expect(error.reason == reason)
            #expect(error.description.hasPrefix("invalid JSON at byte \(error.offset): "))
        }
    }

    @Test func anErrorNamesItsByte() throws {
        do {
            _ = try ExactJSON.parse(#"{"a" 1}"#)
            Issue.record("parsed")
        } catch {
            #expect(error.description == "invalid JSON at byte 5: expected ':'")
        }
    }

    @Test func nestingIsLimitedTo200Levels() throws {
        let limit = ExactJSONParser.maxDepth
        #expect(limit == 200)
        let deepest = String(repeating: "[", count: limit) + "1" + String(repeating: "]", count: limit)
        #expect(try ExactJSON.parse(deepest).arrayValue?.count == 1)
        let objects = String(repeating: #"{"a":"#, count: limit) + "null" + String(repeating: "}", count: limit)
        #expect(try ExactJSON.parse(objects)["a"] != nil)
        for tooDeep in [limit + 1, 5000] {
            let text = String(repeating: "[", count: tooDeep) + String(repeating: "]", count: tooDeep)
            do {
                _ = try ExactJSON.parse(text)
                Issue.record("\(tooDeep) levels parsed")
            } catch {
                #expect(error.reason == "nested deeper than 200 levels")
                #expect(error.offset == limit)
            }
        }
    }

    @Test func numbersAreCheckedBeforeTheyAreWritten() {
        #expect(ExactJSON.isValidNumber("-0"))
        #expect(ExactJSON.isValidNumber("1.5e-3"))
        for bad in ["NaN", "01", ".5", "1.", "+1", "1e", ""] { #expect(!ExactJSON.isValidNumber(bad)) }
        #expect(ExactJSON.number("NaN").text == "null")
    }
}
