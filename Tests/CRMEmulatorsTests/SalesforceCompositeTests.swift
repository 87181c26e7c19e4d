import CRMEmulators
import Foundation
import Testing

/// Composite with per-subrequest `If-Unmodified-Since`, and the emulated clock in `Date`.
struct SalesforceCompositeTests {
    @Test func compositeSubrequestsCarryTheirOwnPreconditions() async throws {
        try await withServer(SalesforceEmulator()) { client in
            let rows = "/services/data/v59.0/sobjects/Contact"
            var ids: [String] = []
            for name in ["A", "B"] {
                ids.append(try #require(try await client.send("POST", rows, json: ["LastName": .string(name)]).json?["id"]?.stringValue))
            }
            func sub(_ id: String, _ title: String, since: String, _ ref: String) -> JSONValue {
                ["method": "PATCH", "url": .string("\(rows)/\(id)"), "referenceId": .string(ref),
                 "body": ["Title": .string(title)], "httpHeaders": ["If-Unmodified-Since": .string(since)]]
            }
            let body: JSONValue = ["allOrNone": false, "compositeRequest": [
                sub(ids[0], "stale", since: "Thu, 08 Sep 2022 16:54:10 GMT", "old"),
                sub(ids[1], "fresh", since: "Fri, 01 Jan 2100 00:00:00 GMT", "new"),
            ]]
            let reply = try await client.send("POST", "/services/data/v59.0/composite", json: body)
            #expect(reply.status == 200)
            let answers = try #require(reply.json?["compositeResponse"]?.arrayValue)
            #expect(answers.count == 2)
            #expect(answers[0]["referenceId"] == "old" && answers[0]["httpStatusCode"] == .int(412))
            #expect(answers[0]["body"]?.arrayValue?.first?["errorCode"] == "PRECONDITION_FAILED")
            #expect(answers[1]["referenceId"] == "new" && answers[1]["httpStatusCode"] == .int(204))
            let a = try await client.send("GET", "\(rows)/\(ids[0])")
            let b = try await client.send("GET", "\(rows)/\(ids[1])")
            #expect(a.json?["Title"] == .null, "the refused subrequest wrote nothing")
            #expect(b.json?["Title"] == "fresh")
        }
    }

    @Test func compositeRefusesMoreThan25Subrequests() async throws {
        try await withServer(SalesforceEmulator()) { client in
            let sub: JSONValue = ["method": "GET", "url": "/services/data/v59.0/sobjects/Contact/003000000000000AAA", "referenceId": "r"]
            let reply = try await client.send("POST", "/services/data/v59.0/composite",
                                              json: ["compositeRequest": .array(Array(repeating: sub, count: 26))])
            #expect(reply.status == 400)
            #expect(reply.json?.arrayValue?.first?["errorCode"] == "LIMIT_EXCEEDED")
        }
    }

    @Test func dateHeaderFollowsTheEmulatedClock() async throws {
        let emulator = SalesforceEmulator()
        var skew = FaultSettings.Patch()
        skew.clockSkewMs = 3_600_000
        emulator.control.applyFaults(skew)
        try await withServer(emulator) { client in
            let before = emulator.control.store.clock.now()
            let reply = try await client.send("GET", "/services/data/v59.0/limits")
            let after = emulator.control.store.clock.now()
            let date = try #require(reply.header("Date"))
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            let said = Int64(try #require(formatter.date(from: date), "an HTTP date: \(date)").timeIntervalSince1970) * 1000
            // The emulated clock (an hour ahead of this machine's), in whole seconds.
            #expect(said >= before / 1000 * 1000 && said <= after, "Date \(date), emulated clock \(before)...\(after)")
        }
    }
}
