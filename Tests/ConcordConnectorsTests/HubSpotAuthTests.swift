@testable import ConcordConnectors
import CRMEmulators
import ConcordCore
import ConcordHTTP
import ConcordMapping
import Foundation
import Testing

/// Private-app tokens, OAuth refresh (proactive and on a 401) and credential resolution.
@Suite struct HubSpotAuthTests {
    /// A wall clock the test moves by hand.
    final class ManualWall: @unchecked Sendable {
        private let lock = NSLock()
        private var now = HubSpotOptions.systemWallClock.nowMillis()
        func advance(_ millis: UInt64) { lock.withLock { now += millis } }
        var clock: WallClock { WallClock { [self] in lock.withLock { now } } }
    }

    static func refreshToken(_ baseURL: String) async throws -> String {
        let form = "grant_type=authorization_code&client_id=hs-client-id&client_secret=hs-client-secret&code=abc&redirect_uri=http%3A%2F%2Flocalhost"
        let response = try await CurlHTTPClient().send(HTTPRequest(
            method: .post, url: baseURL + "/oauth/v1/token", headers: ["Content-Type": "application/x-www-form-urlencoded"],
            body: Array(form.utf8)))
        let json = try ExactJSON.parse(response.body)
        return try #require(json["refresh_token"]?.stringValue)
    }

    static func oauthConfig(_ baseURL: String, refresh: String) -> CRMConfig {
        HubSpotTestSupport.config(baseURL, credentials: [
            "client_id": .literal("hs-client-id"), "client_secret": .environment("HS_TEST_SECRET"), "refresh_token": .literal(refresh),
        ])
    }

    static let pull = PullRequest(object: "contacts", fields: ["email"], cursor: nil)

    @Test func aBadPrivateAppTokenIsAnAuthenticationError() async throws {
        let emulator = HubSpotTestSupport.emulator()
        let pipeline = EmulatorPipeline(emulator: emulator)
        let server = try await EmulatorServer.start { await pipeline.handle($0) }
        let config = HubSpotTestSupport.config(server.baseURL, credentials: ["token": .environment("HS_TEST_TOKEN")])
        let connector = try HubSpotConnector(config: config, http: CurlHTTPClient(), options: HubSpotTestSupport.options(),
                                             environment: ["HS_TEST_TOKEN": "pat-na1-wrong"])
        let error = await #expect(throws: ConnectorError.self) { _ = try await connector.pull(Self.pull) }
        #expect(error?.code == .authentication)
        #expect(error?.crmCode == "INVALID_AUTHENTICATION")
        #expect(error.map { !$0.description.contains("pat-na1-wrong") } == true)
        #expect(await connector.apiCalls().byKind["auth"] == nil)
        let missing = #expect(throws: ConnectorError.self) {
            _ = try HubSpotConnector(config: config, http: CurlHTTPClient(), environment: [:])
        }
        #expect(missing?.code == .authentication)
        await server.stop()
    }

    @Test func oauthTokensAreRefreshedBeforeTheyExpire() async throws {
        let emulator = HubSpotTestSupport.emulator()
        let wall = ManualWall()
        let pipeline = EmulatorPipeline(emulator: emulator)
        let server = try await EmulatorServer.start { await pipeline.handle($0) }
        let refresh = try await Self.refreshToken(server.baseURL)
        let connector = try HubSpotConnector(config: Self.oauthConfig(server.baseURL, refresh: refresh), http: CurlHTTPClient(),
                                             options: HubSpotTestSupport.options(wallClock: wall.clock),
                                             environment: ["HS_TEST_SECRET": "hs-client-secret"])
        _ = try await connector.pull(Self.pull)
        _ = try await connector.pull(Self.pull)
        #expect(await connector.apiCalls().byKind["auth"] == 1)
        wall.advance(1_750_000)  // within the refresh margin of expires_in = 1800 s
        _ = try await connector.pull(Self.pull)
        #expect(await connector.apiCalls().byKind["auth"] == 2)
        await server.stop()
    }

    @Test func anExpiredTokenIsRefreshedOnceOnA401() async throws {
        let emulator = HubSpotTestSupport.emulator()
        let pipeline = EmulatorPipeline(emulator: emulator)
        let server = try await EmulatorServer.start { await pipeline.handle($0) }
        let refresh = try await Self.refreshToken(server.baseURL)
        let expired = HTTPResponse(status: 401, body: Array("""
            {"status":"error","message":"The OAuth token used to make this call expired 75 second(s) ago.","correlationId":"c","category":"EXPIRED_AUTHENTICATION"}
            """.utf8))
        let rejectAll = Counter()
        let client = InterceptingClient(CurlHTTPClient()) { request, n in
            if request.url.contains("/oauth/") { return .pass }
            if n == 2 { return .respond(expired) }  // the first API call, after the first token
            return request.url.contains("/companies") && rejectAll.next() > 0 ? .respond(expired) : .pass
        }
        let connector = try HubSpotConnector(config: Self.oauthConfig(server.baseURL, refresh: refresh), http: client,
                                             options: HubSpotTestSupport.options(),
                                             environment: ["HS_TEST_SECRET": "hs-client-secret"])
        _ = try await connector.pull(Self.pull)
        #expect(await connector.apiCalls().byKind["auth"] == 2)
        // A 401 that outlives the refresh is an authentication error after exactly one more refresh.
        let error = await #expect(throws: ConnectorError.self) {
            _ = try await connector.pull(PullRequest(object: "companies", fields: ["name"], cursor: nil))
        }
        #expect(error?.code == .authentication)
        #expect(error?.crmCode == "EXPIRED_AUTHENTICATION")
        #expect(await connector.apiCalls().byKind["auth"] == 3)
        await server.stop()
    }
}

/// A refresh token HubSpot rotated survives a restart (kept in the vault: the store).
@Suite struct HubSpotRotatedTokenTests {
    final class MemoryVault: CredentialVault, @unchecked Sendable {
        private let lock = NSLock()
        private var saved: [String: (value: String, basis: String)] = [:]
        func credential(_ name: String) -> (value: String, basis: String)? { lock.withLock { saved[name] } }
        func saveCredential(_ name: String, value: String, basis: String) { lock.withLock { saved[name] = (value, basis) } }
    }

    @Test func aRotatedRefreshTokenIsUsedAfterARestart() async throws {
        let emulator = HubSpotTestSupport.emulator()
        emulator.rotatesRefreshTokens = true
        let pipeline = EmulatorPipeline(emulator: emulator)
        let server = try await EmulatorServer.start { await pipeline.handle($0) }
        defer { Task { await server.stop() } }
        let configured = try await HubSpotAuthTests.refreshToken(server.baseURL)
        let vault = MemoryVault()
        func connector(_ vault: MemoryVault?) throws -> HubSpotConnector {
            var options = HubSpotTestSupport.options()
            options.vault = vault
            return try HubSpotConnector(config: HubSpotAuthTests.oauthConfig(server.baseURL, refresh: configured), http: CurlHTTPClient(),
                                        options: options, environment: ["HS_TEST_SECRET": "hs-client-secret"])
        }
        // The first process refreshes: HubSpot rotates the configured token away.
        _ = try await connector(vault).pull(HubSpotAuthTests.pull)
        let saved = try #require(vault.credential("hubspot.oauth.refresh_token"))
        #expect(saved.value != configured)
        // A restart with the vault refreshes with the rotated token; without it, the
        // configured token is refused.
        _ = try await connector(vault).pull(HubSpotAuthTests.pull)
        await #expect(throws: ConnectorError.self) { _ = try await connector(nil).pull(HubSpotAuthTests.pull) }
    }

    @Test func aNewlyConfiguredTokenWinsOverAnOldRotation() {
        let vault = MemoryVault()
        vault.saveCredential("hubspot.oauth.refresh_token", value: "rotated", basis: MemoryVault.basis(of: "old-configured"))
        #expect(vault.current("hubspot.oauth.refresh_token", configured: "old-configured") == "rotated")
        #expect(vault.current("hubspot.oauth.refresh_token", configured: "new-configured") == "new-configured")
    }
}
