import ConcordCore
import Foundation
import Testing
@testable import ConcordMapping

@Suite("Broken configuration files give positioned errors")
struct ConfigErrorTests {
    func expectError(_ yaml: String, _ code: ConfigError.Code, line: Int, column: Int, contains text: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        guard let e = configError(yaml) else {
            Issue.record("expected an error", sourceLocation: sourceLocation); return
        }
        #expect(e.code == code, "\(e)", sourceLocation: sourceLocation)
        #expect(e.location == SourcePosition(file: "concord.yaml", line: line, column: column), "\(e)",
                sourceLocation: sourceLocation)
        #expect(e.message.contains(text), "\(e)", sourceLocation: sourceLocation)
        #expect(e.description.hasPrefix("concord.yaml:\(line):\(column): error: "), sourceLocation: sourceLocation)
    }

    @Test func yamlSyntaxErrorsArePositioned() {
        expectError("crms:\n  sf: {kind: salesforce\n", .syntax, line: 3, column: 1, contains: "invalid YAML")
        expectError("objects:\n  contact:\n    fields:\n  x: [1, 2\n", .syntax, line: 5, column: 1, contains: "invalid YAML")
    }

    @Test func unknownKeysAreErrorsNotIgnored() {
        expectError("version: 1\ncrm:\n  x: 1\n", .unknownKey, line: 2, column: 1, contains: "unknown key \"crm\"")
        expectError("""
        mappings:
          salesforce:
            contact:
              fields:
                email: {feild: Email}
        """, .unknownKey, line: 5, column: 17, contains: "expected one of: field, write_field, transform")
        expectError("""
        sync:
          poll_interval: 30
        """, .unknownKey, line: 2, column: 3, contains: "poll_interval_seconds")
        expectError("""
        crms:
          salesforce:
            base_url: https://acme.my.salesforce.com
            credentials:
              passwd: {env: SF_PASS}
        """, .unknownKey, line: 5, column: 7, contains: "client_secret")
    }

    @Test func wrongValuesSayWhatWasExpected() {
        expectError("""
        objects:
          contact:
            fields:
              score: {type: float}
        """, .invalidValue, line: 4, column: 21, contains: "expected one of: string, email")
        expectError("""
        sync:
          poll_interval_seconds: soon
        """, .invalidValue, line: 2, column: 26, contains: "expected a whole number")
        expectError("""
        crms:
          hs:
            kind: hubspot
            base_url: api.hubapi.com
        """, .invalidValue, line: 4, column: 15, contains: "expected an http:// or https:// URL")
        // Plain http only to this machine: a typo must not send tokens and secrets in clear.
        expectError("""
        crms:
          sf:
            kind: salesforce
            base_url: https://acme.my.salesforce.com
            token_url: http://login.salesforce.com/services/oauth2/token
        """, .invalidValue, line: 5, column: 16, contains: "use https://")
        expectError("""
        crms:
          hs:
            kind: hubspot
            base_url: http://127.0.0.1.example.com:8080
        """, .invalidValue, line: 4, column: 15, contains: "plain http to another machine")
        expectError("""
        mappings:
          hubspot:
            deal:
              fields:
                close_date: {field: closedate, transform: {kind: date, format: midnight, zone: Mars/Olympus}}
        """, .invalidValue, line: 5, column: 88, contains: "unknown time zone")
        expectError("""
        mappings:
          salesforce:
            contact:
              fields:
                email: {field: Email, transform: phone-ish}
        """, .invalidValue, line: 5, column: 42, contains: "expected one of: plain")
        expectError("""
        mappings:
          salesforce:
            contact:
              fields:
                email: {field: Email, transform: {kind: date}}
        """, .invalidValue, line: 5, column: 42, contains: "does not suit field contact.email of type email")
        expectError("version: 2\n", .invalidValue, line: 1, column: 10, contains: "from 1 to 1")
    }

    @Test func namesMustReferToDefinedThings() {
        expectError("""
        objects:
          contact:
            fields:
              email: {type: email, rule: {prefer: pipedrive}}
        """, .unknownReference, line: 4, column: 43, contains: "unknown CRM \"pipedrive\"")
        expectError("""
        mappings:
          salesforce:
            contact:
              fields:
                favourite_colour: Favourite_Colour__c
        """, .unknownReference, line: 5, column: 9, contains: "not a field of canonical object contact")
        expectError("""
        objects:
          ticket:
            fields:
              account: {type: reference(acount)}
        """, .unknownReference, line: 4, column: 23, contains: "unknown object \"acount\"")
        expectError("""
        mappings:
          pipedrive:
            contact: {object: Person}
        """, .unknownReference, line: 2, column: 3, contains: "unknown CRM \"pipedrive\"")
        expectError("""
        sync:
          objects:
            contact: {match: [e_mail]}
        """, .unknownReference, line: 3, column: 22, contains: "match key \"e_mail\"")
    }

    @Test func contradictionsAreConflicts() {
        expectError("""
        mappings:
          salesforce:
            contact:
              fields:
                mobile_phone: Phone
        """, .conflict, line: 5, column: 23, contains: "Phone is already mapped to phone")
        expectError("""
        mappings:
          hubspot:
            contact:
              fields:
                status:
                  field: hs_lead_status
                  transform: {kind: picklist, values: {active: OPEN, inactive: OPEN}}
        """, .conflict, line: 7, column: 47, contains: "add inbound: {OPEN: ONE_OF_THEM}")
        expectError("crms:\n  hubspot: {kind: salesforce, base_url: https://a.example}\n", .conflict, line: 2, column: 19,
                    contains: "must be of kind hubspot")
        expectError("crms:\n  hubspot: {base_url: https://a.example}\n  hubspot: {base_url: https://b.example}\n",
                    .conflict, line: 2, column: 3, contains: "duplicate key hubspot")
        expectError("""
        mappings:
          dynamics:
            contact:
              fields:
                status: {field: statecode, transform: {kind: optionset, values: {active: zero}}}
        """, .invalidValue, line: 5, column: 82, contains: "not an integer")
    }

    @Test func shapeErrorsAndMissingKeys() {
        expectError("objects: [contact]\n", .wrongShape, line: 1, column: 10, contains: "expected a mapping")
        expectError("""
        crms:
          hs:
            kind: hubspot
        """, .missingKey, line: 3, column: 5, contains: "missing key \"base_url\"")
        expectError("""
        objects:
          project:
            fields:
              name: {required: true}
        """, .missingKey, line: 4, column: 13, contains: "missing key \"type\"")
        expectError("""
        base: &b {type: string}
        """, .unknownKey, line: 1, column: 1, contains: "unknown key \"base\"")
    }

    @Test func anchorsAndAliasesAreCopies() throws {
        let config = try ConfigLoader.load(text: """
        objects:
          contact:
            fields:
              nickname: &text {type: string, max_length: 30}
              maiden_name: *text
        """, file: "concord.yaml")
        #expect(config.object("contact")?.field("maiden_name")?.maxLength == 30)
    }

    @Test func unreadableFileNamesThePath() throws {
        do {
            _ = try ConfigLoader.load(path: "/nonexistent/concord.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .unreadable)
            #expect(error.description.hasPrefix("/nonexistent/concord.yaml:1:1: error:"))
        }
    }
}

@Suite("Mutated configuration files never crash the loader")
struct ConfigFuzzTests {
    @Test func randomEditsGiveAConfigOrAPositionedError() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/concord.example.yaml").standardized.path
        let original = Array(try String(contentsOfFile: path, encoding: .utf8))
        let alphabet = Array(" :-{}[],~*&!|>'\"#\n\tab0\u{00E9}")
        var errors = 0
        for seed in UInt64(1)...200 {
            var rng = SplitMix64(seed: seed)
            var text = original
            for _ in 0...(rng.next() % 4) {
                let i = Int(rng.next() % UInt64(text.count))
                switch rng.next() % 3 {
                case 0: text.remove(at: i)
                case 1: text.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: i)
                default: text[i] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                }
            }
            do {
                _ = try ConfigLoader.load(text: String(text), file: "fuzz.yaml")
            } catch {
                errors += 1
                #expect(error.location.file == "fuzz.yaml" || error.location.file == "<defaults>", "seed \(seed): \(error)")
                #expect(error.location.line >= 1 && error.location.column >= 1, "seed \(seed)")
                #expect(!error.message.isEmpty, "seed \(seed)")
            }
        }
        #expect(errors > 50)
    }
}

@Suite struct LoopbackURLTests {
    @Test func onlyThisMachineIsLoopback() {
        for url in ["http://127.0.0.1:8080/x", "http://localhost", "http://LOCALHOST:1/", "http://[::1]:99/a", "http://127.1.2.3",
                    "http://user:pw@127.0.0.1:5/"] {
            #expect(ConfigDecoder.isLoopback(url: url), "\(url)")
        }
        for url in ["http://127.0.0.1.example.com", "http://10.0.0.1", "http://localhost.evil.io", "http://127.0.0.256",
                    "http://[::2]:1", "http://example.com/127.0.0.1", "http://127.0.0.1@example.com/"] {
            #expect(!ConfigDecoder.isLoopback(url: url), "\(url)")
        }
    }
}
