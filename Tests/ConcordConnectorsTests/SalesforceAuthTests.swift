@testable import ConcordConnectors
import ConcordCore
import ConcordHTTP
import ConcordMapping
import CRMEmulators
import Testing

/// A throwaway RSA key made for these tests only (never used anywhere else).
let salesforceTestKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCrr6DuqXaexoqf
OKvwWzvW9eFfaWgsJ5AR7aP7T7sX6bEPTexw/8M/59rjDaJOJ9HL4ZiUb60vwq40
iGr7KFs5JTtgtl010TIO58zJc8vJNsgXURi1VCFsQ9rq+NhIFt4Y0tbfbSt2YEci
SvGZzuJcuuxDoQbsk5bb26h1Edc89i7M2M0Ls1bOqenNaYU3kLHCoz9DviLi8/bP
EbdVMtlSi4YU0xaTOag4SFgkljkkWLmXr3/eYebO7X79pbDuksq0+HMsEufxV4E1
HmAo5RBiHbbSRj9hFOGb4KDK4RZ6+f2AftcCq9i9Yp68VQ8b4NmE6XHOABs0AlGo
aVPPcUuFAgMBAAECggEALzE3JPNLCmjbyNl8lbSWVce/nAju3BhB51OxvA5WCMQx
adoLEKKVKndSeRAR2bbjWc4YsVCjQ9oZJZKMCZ61uJcN488s/vKSdntsFMHyNcyL
orElgA5wo4BhaC5f0S0L/rnR25d4F3FujDQahiNSoJe3Av3718LX+HZAL3HofrZf
i36StGD+uVBZKRTtYQrXlYXWikpayuc9ysfLuJiTcQJYpRKVvfiwWi4Fqt8K3fcJ
cwXFbiNv8L3ZTPpAi1nI4Gp03yRBNtYhPtKKWvZN4QzcVSDJxy0nI+2tT7wj6oaP
3wcGA3PFnriZgxUWHiqQlmBfNfXLJSL+SCrZi0cfbwKBgQDdA4kGW++dRHq4+nnW
wx9/r/L5Avde2I3GEk11Xun/1/UYzcUKMLlzgZif3D/aJCUoGQATlG4xdUJiXFW2
Wzf6nkiiI7azVzBYEuXZC6Q3tOAOe0EDDwcFkb+vXZx+6dUOtXAprjLFGgYCdvWP
zEOKh389cO2AMWe/e2wDkkvHuwKBgQDG3RzXhRnZAyNpDMXaRGDQ3bnjGkYZqfqF
CQ5RLRzUxEt4TmfbIvOB7gK/nBe71SMVxmdleA+L0udNDHfPsXD+HU3kopEM3+il
dRKak22G/sk1hFuz0cZC2nYTj/bXv2EcGlyvwNVKFjltqDUjpd07bCj2LfplXZCj
if1z2WflvwKBgFLYXmap05nJ746jJUShg48jbxp0SDGfTxVuCubyGxix5MfVagS1
2u43J/TUZILqhZsQM/0i6GNVpvqjzeU7MDKbXnKYnIWBKzf4bXv8ZyQSguIqxWXW
HjWyOn4Lwvu3vwtya4bUK2fCp3oJCWdLlA27WLC5Qe2Jl3ApXYXBMvK9AoGAQ5A4
DlkgUQSp8TTvu5pjslLCpw/0JSAFB1HuVVIYa4lNgtBQpLkZNlmhAWyM+7oMM4e2
9Vh3H7BF+X1071F/7DYUkstQsKkaJ6zA51eTbLv/rHkNluh8jZYfa8ILwX06BwxF
1UiUrpkiZckyVKwzn869k/ZHDk1dqNJnFAcXL40CgYAG/PNoFHZ4tiIiDlF8Os/8
l9e7jhkdjsH/1bekZGJtwVrMa72rfTTGeSb35EKWwnrMsKJ82ZEtQCapkHVKi8V0
4GeL5uBCdEy9TjjGHWvVo7SUTRMFczKM5M3uPPuuh16pySDGFBGL/ujMQFQmekiM
Dl/kCQyiSofPZ5ipf0v8Og==
-----END PRIVATE KEY-----
"""

func salesforceConfig(_ baseURL: String, credentials: [String: CredentialSource]? = nil) -> CRMConfig {
    CRMConfig(name: "salesforce", kind: .salesforce, baseURL: baseURL, tokenURL: nil,
              credentials: credentials ?? ["client_id": .literal("sf-client-id"), "client_secret": .environment("SF_TEST_SECRET")],
              rateLimit: .defaults(for: .salesforce))
}

let salesforceTestEnvironment = ["SF_TEST_SECRET": "sf-client-secret"]

@Suite struct SalesforceAuthTests {
    @Test func jwtAssertionIsRS256OverTheDocumentedClaims() throws {
        // Expected value computed independently with `openssl dgst -sha256 -sign` (PKCS#1 v1.5 is deterministic).
        let jwt = try SalesforceJWT.assertion(clientID: "sf-client-id", username: "user@example.com",
                                              audience: "https://login.salesforce.com", privateKeyPEM: salesforceTestKeyPEM,
                                              nowSeconds: 1_790_000_000, crm: "salesforce")
        #expect(jwt == "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL2xvZ2luLnNhbGVzZm9yY2UuY29tIiwiZXhwIjoxNzkwMDAwMTgwLCJpc3MiOiJzZi1jbGllbnQtaWQiLCJzdWIiOiJ1c2VyQGV4YW1wbGUuY29tIn0.eJwSlTwL--URfo5ZJazoYUUDyqQBxnrT5gyzsec4gEtTAM-YVkui0PkdXAuc_CqB0ZAFiECNucNsLlBmyi-heAPzzr5ThZT8mmvRajqrC2jyr1fQrirCkUVH115NYpc2XP3SWCkG_ca80YX-00zHsQokEaLvaeyuu5OeT_8M26ckcuMTECzvrGU8xK1aIf6-XYMfgsb0WLA5yNJkKkEb_-CgoemtcZLk3JTNlHssMjJxUK30nVLr_Vx_HDOEz1jNTURIriNbZEvU9gm0J7q-R37jKpGTmuswH6K93MijRCIqG_kDvaT2ZzWqT22bNY6W1BQPUJwIjd5dPtvsgldVKg")
        #expect(throws: ConnectorError.self) {
            try SalesforceJWT.assertion(clientID: "a", username: "b", audience: "c", privateKeyPEM: "not a key", nowSeconds: 0, crm: "sf")
        }
    }

    @Test func clientCredentialsThenJWTBearerAgainstTheEmulator() async throws {
        let wall = TestWall()
        try await EmulatorHarness.with(SalesforceEmulator(clock: wall.emulatorClock)) { h in
            let sf = SalesforceConnector(config: salesforceConfig(h.server.baseURL), http: h.http, wallClock: wall.wallClock,
                                         environment: salesforceTestEnvironment)
            let page = try await sf.pull(PullRequest(object: "Contact", fields: ["LastName"], cursor: nil))
            #expect(page.records.isEmpty)
            #expect(await sf.apiCalls()["auth"] == 1)
            #expect(await sf.apiUsage()?.used ?? 0 >= 1)

            let jwtConfig = salesforceConfig(h.server.baseURL, credentials: [
                "client_id": .literal("sf-client-id"), "username": .literal("user@example.com"),
                "private_key": .environment("SF_TEST_KEY"),
            ])
            let jwt = SalesforceConnector(config: jwtConfig, http: h.http, wallClock: WallClock { UInt64(EmulatorClock.systemMillis()) },
                                          environment: ["SF_TEST_KEY": salesforceTestKeyPEM])
            _ = try await jwt.fetch(object: "Contact", ids: ["003000000000000AAA"], fields: ["LastName"])
            #expect(await jwt.apiCalls()["auth"] == 1)
            #expect(await jwt.apiCalls()["fetch"] == 1)
        }
    }

    @Test func missingOrWrongCredentialsAreAuthenticationErrors() async throws {
        try await EmulatorHarness.with(SalesforceEmulator()) { h in
            let unset = SalesforceConnector(config: salesforceConfig(h.server.baseURL), http: h.http, environment: [:])
            await #expect(throws: ConnectorError.self) { try await unset.find(object: "Contact", field: "Email", values: ["x"], fields: []) }
            let wrong = SalesforceConnector(config: salesforceConfig(h.server.baseURL), http: h.http, environment: ["SF_TEST_SECRET": "nope"])
            do {
                _ = try await wrong.find(object: "Contact", field: "Email", values: ["x"], fields: [])
                Issue.record("a wrong secret was accepted")
            } catch let error as ConnectorError {
                #expect(error.code == .authentication)
                #expect(error.crmCode == "invalid_client")
                #expect(!error.description.contains("nope"))
            }
        }
    }

    @Test func expiredTokenIsReplacedOnceAndProactivelyBeforeExpiry() async throws {
        let wall = TestWall()
        try await EmulatorHarness.with(SalesforceEmulator(clock: wall.emulatorClock)) { h in
            let sf = SalesforceConnector(config: salesforceConfig(h.server.baseURL), http: h.http, wallClock: wall.wallClock,
                                         environment: salesforceTestEnvironment)
            let request = PullRequest(object: "Contact", fields: ["LastName"], cursor: nil)
            _ = try await sf.pull(request)
            let token = try #require(h.faulty.lastToken)
            h.emulator.control.revokeToken(token)
            _ = try await sf.pull(request)
            var calls = await sf.apiCalls()
            #expect(calls["auth"] == 2)
            #expect(calls["pull"] == 3, "the refused call is sent once more, not more")
            #expect(h.faulty.lastToken != token)
            wall.advance(2 * 3_600_000)
            _ = try await sf.pull(request)
            calls = await sf.apiCalls()
            #expect(calls["auth"] == 3, "a token past its assumed lifetime is replaced before use")
            #expect(calls["pull"] == 4)
        }
    }
}
