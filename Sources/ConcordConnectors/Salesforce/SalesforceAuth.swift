import ConcordHTTP
import ConcordMapping
import Foundation

/// An access token and where to use it.
struct SalesforceSession: Sendable {
    /// The bearer token (never printed).
    var accessToken: String
    /// `instance_url` from the token response, without a trailing slash.
    var instanceURL: String
    /// When the token is assumed to expire, Unix ms.
    var expiresAt: UInt64
}

/// The OAuth token call: client credentials (HTTP Basic) or JWT bearer (RS256 assertion).
enum SalesforceAuth {
    /// The token request for the configured flow: JWT bearer when a private key is
    /// configured, client credentials otherwise.
    static func tokenRequest(config: CRMConfig, credentials: ConnectorCredentials, options: SalesforceOptions,
                             nowMillis: UInt64) throws(ConnectorError) -> HTTPRequest {
        let url = config.tokenURL ?? trimmed(config.baseURL) + "/services/oauth2/token"
        var request = HTTPRequest(method: .post, url: url, isSafeToRetry: true)
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        let clientID = try credentials.required("client_id")
        var form: [(name: String, value: String)]
        if credentials.has("private_key") || credentials.has("private_key_file") {
            let pem = try privateKey(credentials)
            let assertion = try SalesforceJWT.assertion(
                clientID: clientID, username: try credentials.required("username"), audience: options.jwtAudience,
                privateKeyPEM: pem, nowSeconds: nowMillis / 1000, crm: config.name)
            form = [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion)]
        } else {
            let secret = try credentials.required("client_secret")
            let basic = Data((clientID + ":" + secret).utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic " + basic)
            form = [("grant_type", "client_credentials")]
        }
        request.body = Array(URLText.queryString(form).utf8)
        return request
    }

    private static func privateKey(_ credentials: ConnectorCredentials) throws(ConnectorError) -> String {
        if let pem = try credentials.optional("private_key") { return pem }
        let path = try credentials.required("private_key_file")
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConnectorError(.authentication, crm: credentials.crm, message: "private_key_file \(path) cannot be read")
        }
        return text
    }

    /// The session in a token response; errors keep Salesforce's `error` and `error_description`.
    static func session(from response: HTTPResponse, config: CRMConfig, options: SalesforceOptions,
                        nowMillis: UInt64) throws(ConnectorError) -> SalesforceSession {
        let json = response.exactJSON
        guard response.isSuccess else {
            let code = json?["error"]?.stringValue
            let kind: ConnectorError.Code = response.status >= 500 ? .transient
                : response.status == 429 || response.status == 403 && code == "REQUEST_LIMIT_EXCEEDED" ? .rateLimited : .authentication
            throw ConnectorError(kind, crm: config.name, status: response.status, crmCode: code,
                                 message: json?["error_description"]?.stringValue ?? "the token endpoint refused the credentials")
        }
        guard let token = json?["access_token"]?.stringValue, !token.isEmpty else {
            throw ConnectorError.malformed("token response without access_token", crm: config.name, status: response.status)
        }
        let instance = json?["instance_url"]?.stringValue.map(trimmed) ?? trimmed(config.baseURL)
        let expiresAt = json?["expires_in"]?.textValue.flatMap { UInt64($0) }.map(nowMillis.addingSeconds)
            ?? nowMillis + options.sessionLifetimeMillis
        return SalesforceSession(accessToken: token, instanceURL: instance, expiresAt: expiresAt)
    }

    static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
