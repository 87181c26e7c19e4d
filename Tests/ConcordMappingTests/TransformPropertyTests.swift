import ConcordCore
import PropertyBased
import Testing
import ConcordMapping

/// Round-trip laws on random inputs (PropertyBased prints the seed of a failing run).
@Suite("Transform round-trip properties")
struct TransformPropertyTests {
    /// 1900-01-01 to 2100-01-01 in epoch milliseconds.
    static let instants = Gen.int64(in: -2_208_988_800_000...4_102_444_800_000)

    @Test func dateTimesRoundTripInEveryFormatAndZone() async {
        let transforms: [(Transform, CRMKind)] = [
            (.dateTime(.salesforce, zone: nil), .salesforce), (.dateTime(.isoMillis, zone: nil), .hubspot),
            (.dateTime(.iso, zone: nil), .dynamics), (.dateTime(.epochMillis, zone: nil), .hubspot),
            (.dateTime(.offset, zone: "Europe/Berlin"), .salesforce), (.dateTime(.offset, zone: "America/Santiago"), .dynamics),
            (.dateTime(.offset, zone: "Asia/Kathmandu"), .hubspot),
        ]
        await propertyCheck(count: 300, input: Self.instants) { ms in
            for (t, kind) in transforms {
                let w = try enc(t, .dateTime(ms), .datetime, kind)
                #expect(try dec(t, w, .datetime, kind) == .dateTime(ms), "\(t) \(w)")
                #expect(try enc(t, try dec(t, w, .datetime, kind), .datetime, kind) == w, "\(t)")
            }
        }
    }

    @Test func localWallTimesAreStableAfterOneReading() async {
        let t = Transform.dateTime(.local, zone: "America/New_York")
        await propertyCheck(count: 300, input: Self.instants) { ms in
            // Wall text read back and written again is the same text, even in DST overlaps.
            let w = try enc(t, .dateTime(ms), .datetime)
            #expect(try enc(t, try dec(t, w, .datetime), .datetime) == w)
        }
    }

    @Test func datesRoundTripInEveryFormat() async {
        let transforms: [(Transform, CRMKind)] = [
            (.date(.iso, zone: nil), .salesforce), (.date(.epochMillis, zone: nil), .hubspot),
            (.date(.midnight, zone: nil), .hubspot), (.date(.midnight, zone: "Pacific/Auckland"), .dynamics),
            (.date(.midnight, zone: "America/Sao_Paulo"), .hubspot),
        ]
        await propertyCheck(count: 300, input: Gen.int32(in: -25_567...47_482)) { days in
            let d = CalendarDate(daysSinceEpoch: days)
            for (t, kind) in transforms {
                let w = try enc(t, .date(d), .date, kind)
                #expect(try dec(t, w, .date, kind) == .date(d), "\(t) \(w)")
                #expect(try enc(t, try dec(t, w, .date, kind), .date, kind) == w, "\(t)")
            }
        }
    }

    @Test func decimalsRoundTripExactly() async {
        await propertyCheck(count: 500, input: Gen.int64(in: -999_999_999_999...999_999_999_999), Gen.int(in: 0...12)) { c, scale in
            var digits = String(c.magnitude)
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            let cut = digits.index(digits.endIndex, offsetBy: -scale)
            let text = (c < 0 ? "-" : "") + digits[..<cut] + (scale > 0 ? "." + digits[cut...] : "")
            guard let d = ExactDecimal(text) else { Issue.record("unparsable \(text)"); return }
            for kind in CRMKind.allCases {
                let w = try enc(.decimal(scale: nil), .decimal(d), .decimal, kind)
                #expect(try dec(.decimal(scale: nil), w, .decimal, kind) == .decimal(d))
                // Fixed scale: padded text reads back to the same number and writes the same text.
                let money = Transform.decimal(scale: 12)
                let mw = try enc(money, .decimal(d), .currency, kind)
                #expect(try dec(money, mw, .currency, kind) == .decimal(d))
                #expect(try enc(money, try dec(money, mw, .currency, kind), .currency, kind) == mw)
            }
        }
    }

    @Test func textNormalisationIsIdempotentAndPlainTextIsExact() async {
        let chars = Gen.character(in: "\u{0009}"..."\u{02FF}").string(of: 0...40)
        let norms = [TextNormalization(), TextNormalization(collapse: true), TextNormalization(letterCase: .lower),
                     TextNormalization(collapse: true, letterCase: .upper)]
        await propertyCheck(count: 300, input: chars) { s in
            for n in norms {
                let once = try dec(.text(n), .string(s), .string)
                #expect(try dec(.text(n), try enc(.text(n), once, .string), .string) == once)
            }
            let plain = try dec(.plain, .string(s), .string, .hubspot)
            #expect(try enc(.plain, plain, .string, .hubspot) == .string(s))
        }
    }

    @Test func phoneNormalisationIsIdempotent() async {
        let digits = Gen.number.string(of: 6...14)
        let countries = Gen.element(of: ["US", "GB", "DE", "FR", "AU", "JP", "IN", "BR"])
        await propertyCheck(count: 300, input: digits, countries) { d, country in
            guard let country else { return }
            for raw in [d, "0" + d, "+" + d, "00" + d] {
                let t = Transform.phone(country: country)
                let once = try dec(t, .string(raw), .phone)
                #expect(try dec(t, try enc(t, once, .phone), .phone) == once, "\(raw) \(country)")
                // Whatever was changed was changed into E.164; the rest is kept as typed.
                if case .string(let s) = once, s != raw { #expect(PhoneNumbers.isE164(s), "\(raw) -> \(s)") }
            }
        }
    }
}
