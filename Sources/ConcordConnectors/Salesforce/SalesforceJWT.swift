import Crypto
import Foundation
import _CryptoExtras

/// Builds the RS256-signed JWT bearer assertion Salesforce's token endpoint accepts.
enum SalesforceJWT {
    /// `header.claims.signature`, base64url without padding, signed with RSASSA-PKCS1-v1_5
    /// over SHA-256.
    /// - Parameters:
    ///   - privateKeyPEM: a PKCS#1 or PKCS#8 RSA private key in PEM form.
    ///   - nowSeconds: Unix seconds; the assertion expires three minutes later.
    static func assertion(clientID: String, username: String, audience: String, privateKeyPEM: String,
                          nowSeconds: UInt64, crm: String) throws(ConnectorError) -> String {
        let header = ExactJSON.object(["alg": .string("RS256"), "typ": .string("JWT")])
        let claims = ExactJSON.object([
            "iss": .string(clientID), "sub": .string(username), "aud": .string(audience),
            "exp": .number(String(nowSeconds + 180)),
        ])
        let signingInput = base64URL(header.serialized) + "." + base64URL(claims.serialized)
        let key: _RSA.Signing.PrivateKey
        do {
            key = try _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        } catch {
            throw ConnectorError(.authentication, crm: crm, message: "private_key is not a readable RSA private key in PEM form")
        }
        do {
            let signature = try key.signature(for: Array(signingInput.utf8), padding: .insecurePKCS1v1_5)
            return signingInput + "." + base64URL(Array(signature.rawRepresentation))
        } catch {
            throw ConnectorError(.authentication, crm: crm, message: "signing the JWT assertion failed: \(error)")
        }
    }

    /// Base64url without padding (RFC 7515 appendix C).
    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
