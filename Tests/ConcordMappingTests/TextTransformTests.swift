import ConcordCore
import Testing
import ConcordMapping

@Suite("Text, email and phone transforms")
struct TextTransformTests {
    @Test func blankWireValuesReadAsNullAndHubSpotWritesBlankAsEmptyString() throws {
        for t in [Transform.plain, .email, .text(TextNormalization()), .phone(country: "US")] {
            #expect(try dec(t, .null, .string) == .null)
            #expect(try dec(t, .string(""), .string) == .null)
            #expect(try enc(t, .null, .string, .hubspot) == .string(""))
            #expect(try enc(t, .null, .string, .salesforce) == .null)
            #expect(try enc(t, .null, .string, .dynamics) == .null)
        }
        // Plain keeps white space exactly (round-trip safe); trim turns it blank.
        #expect(try dec(.plain, .string("   "), .string) == .string("   "))
        #expect(try dec(.text(TextNormalization()), .string("  \t "), .string) == .null)
    }

    @Test func plainTextRoundTripsUnicodeAndLongValuesByteForByte() throws {
        let samples = ["Zoë Ångström 🚀", "e\u{301}", "日本語テキスト", "a|b;c,d\n\"quoted\"", String(repeating: "x", count: 100_000)]
        for s in samples {
            for kind in CRMKind.allCases {
                let w = try enc(.plain, .string(s), .string, kind)
                #expect(w == .string(s))
                guard case .string(let back)? = try? dec(.plain, w, .string, kind) else { Issue.record("no string"); continue }
                #expect(Array(back.utf8) == Array(s.utf8), "plain text must keep exact bytes")
            }
        }
    }

    @Test func textNormalisationTrimsCollapsesCasesAndComposesNFC() throws {
        let collapse = Transform.text(TextNormalization(collapse: true))
        #expect(try dec(collapse, .string("  Ada \t  Lovelace\n"), .string) == .string("Ada Lovelace"))
        #expect(try dec(.text(TextNormalization(letterCase: .upper)), .string(" straße "), .string) == .string("STRASSE"))
        guard case .string(let nfc) = try dec(.text(TextNormalization()), .string("Jose\u{301}"), .string) else {
            Issue.record("expected text"); return
        }
        #expect(Array(nfc.utf8) == Array("Jos\u{E9}".utf8))
        // Idempotent: normalising a normal form changes nothing, and writing it back is the same text.
        let once = try dec(collapse, .string(" a  b "), .string)
        #expect(try dec(collapse, try enc(collapse, once, .string), .string) == once)
        #expect(try enc(collapse, .string("a b"), .string) == .string("a b"))
    }

    @Test func emailIsTrimmedAndLowercasedIncludingUnicode() throws {
        #expect(try dec(.email, .string("  Ann.Lee@Example.COM "), .email) == .string("ann.lee@example.com"))
        #expect(try dec(.email, .string("ÄNNE@BÜRO.DE"), .email) == .string("änne@büro.de"))
        #expect(try enc(.email, .string("ann@x.com"), .email, .hubspot) == .string("ann@x.com"))
        // Normal form round-trips exactly.
        let w = WireValue.string("ann@x.com")
        #expect(try enc(.email, try dec(.email, w, .email), .email) == w)
    }

    @Test(arguments: [
        ("(415) 555-0132", "US", "+14155550132"),
        ("1-415-555-0132", "US", "+14155550132"),
        ("011 44 20 7946 0958", "US", "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("+44 (0)20 7946 0958", nil, "+442079460958"),
        ("030 901820", "DE", "+4930901820"),
        ("0049 30 901820", "DE", "+4930901820"),
        ("+33 1 23 45 67 89", nil, "+33123456789"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("0412 345 678", "AU", "+61412345678"),
        ("0044 20 7946 0958", nil, "+442079460958"),
    ] as [(String, String?, String)])
    func phoneNormalisesToE164WhenTheCountryIsKnown(input: String, country: String?, expected: String) throws {
        #expect(try dec(.phone(country: country), .string(input), .phone) == .string(expected))
    }

    @Test func phoneKeepsWhatItCannotNormaliseAndE164RoundTrips() throws {
        // National number, no country: kept (trimmed), never guessed.
        #expect(try dec(.phone(country: nil), .string(" 020 7946 0958 "), .phone) == .string("020 7946 0958"))
        // Extensions and letters are kept as typed.
        #expect(try dec(.phone(country: "US"), .string("415-555-0132 x12"), .phone) == .string("415-555-0132 x12"))
        #expect(try dec(.phone(country: "US"), .string("1-800-FLOWERS"), .phone) == .string("1-800-FLOWERS"))
        // Too short for E.164.
        #expect(try dec(.phone(country: "US"), .string("555-0132"), .phone) == .string("555-0132"))
        for w in ["+14155550132", "+442079460958", "+4930901820"] {
            for kind in CRMKind.allCases {
                let v = try dec(.phone(country: "DE"), .string(w), .phone, kind)
                #expect(try enc(.phone(country: "DE"), v, .phone, kind) == .string(w))
            }
        }
        #expect(PhoneNumbers.isE164("+14155550132"))
        #expect(!PhoneNumbers.isE164("+0123456789"))
        #expect(!PhoneNumbers.isE164("14155550132"))
    }

    @Test func boolAndIntFollowEachCRMsWireTypes() throws {
        #expect(try dec(.plain, .bool(true), .bool) == .bool(true))
        #expect(try dec(.plain, .string("false"), .bool, .hubspot) == .bool(false))
        #expect(try enc(.plain, .bool(true), .bool, .hubspot) == .string("true"))
        #expect(try enc(.plain, .bool(true), .bool, .dynamics) == .bool(true))
        #expect(errorCode { try dec(.plain, .string("yes"), .bool) } == .typeMismatch)
        #expect(try dec(.plain, .number("12"), .int) == .int(12))
        #expect(try dec(.plain, .number("12.0"), .int) == .int(12))
        #expect(try dec(.plain, .string("250"), .int, .hubspot) == .int(250))
        #expect(errorCode { try dec(.plain, .number("12.5"), .int) } == .invalidFormat)
        #expect(errorCode { try dec(.plain, .number("99999999999999999999"), .int) } == .invalidFormat)
        #expect(try enc(.plain, .int(-7), .int, .salesforce) == .number("-7"))
        #expect(try enc(.plain, .int(-7), .int, .hubspot) == .string("-7"))
        // The wrong canonical case for the field is refused, not coerced.
        #expect(errorCode { try enc(.plain, .int(1), .string) } == .typeMismatch)
    }
}
