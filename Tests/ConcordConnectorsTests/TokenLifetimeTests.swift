@testable import ConcordConnectors
import ConcordHTTP
import ConcordMapping
import Testing

/// A token answer's `expires_in` is whatever number the CRM sent: a huge one gives a token
/// that expires at the end of time, never an arithmetic overflow (which traps).
@Suite struct TokenLifetimeTests {
    let now: UInt64 = 1_700_000_000_000
    let huge = "18446744073709551615"

    @Test func salesforceSessionWithAHugeLifetime() throws {
        let body = #"{"access_token":"t","instance_url":"https://x.my.salesforce.com","expires_in":"\#(huge)"}"#
        let response = HTTPResponse(status: 200, body: Array(body.utf8))
        let session = try SalesforceAuth.session(from: response, config: salesforceConfig("https://x.my.salesforce.com"),
                                                 options: SalesforceOptions(), nowMillis: now)
        #expect(session.expiresAt == UInt64.max)
    }

    @Test func salesforceSessionWithAnOrdinaryLifetime() throws {
        let body = #"{"access_token":"t","expires_in":7200}"#
        let session = try SalesforceAuth.session(from: HTTPResponse(status: 200, body: Array(body.utf8)),
                                                 config: salesforceConfig("https://x.my.salesforce.com"),
                                                 options: SalesforceOptions(), nowMillis: now)
        #expect(session.expiresAt == now + 7_200_000)
    }

    @Test func hubSpotTokenWithAHugeLifetime() throws {
        let token = try HubSpotTokenResponse(json: ExactJSON.parse(#"{"access_token":"t","expires_in":9223372036854775807}"#))
        #expect(token.expiresAt(nowMillis: now) == UInt64.max)
        let ordinary = try HubSpotTokenResponse(json: ExactJSON.parse(#"{"access_token":"t","expires_in":1800}"#))
        #expect(ordinary.expiresAt(nowMillis: now) == now + 1_800_000)
    }

    @Test func dataverseTokenWithAHugeLifetime() throws {
        #expect(DynamicsConnector.tokenExpiry(try ExactJSON.parse(#"{"expires_in":"\#(huge)"}"#), nowMillis: now) == UInt64.max)
        #expect(DynamicsConnector.tokenExpiry(try ExactJSON.parse(#"{"expires_in":3599}"#), nowMillis: now) == now + 3_599_000)
        #expect(DynamicsConnector.tokenExpiry(nil, nowMillis: now) == now + 3_600_000)
    }
}
