import Foundation

extension SalesforceEmulator {
    /// `POST /services/oauth2/token` for client_credentials (Basic or form credentials) and JWT bearer.
    func token(_ request: EmulatorRequest) -> EmulatorResponse {
        guard request.method == "POST" else { return .json(405, ["error": "invalid_request", "error_description": "must use HTTP POST"]) }
        let form = request.formBody
        let grant = form["grant_type"] ?? ""
        switch grant {
        case "client_credentials":
            var id = form["client_id"]
            var secret = form["client_secret"]
            if let basic = request.header("authorization"), basic.lowercased().hasPrefix("basic "),
                let data = Data(base64Encoded: String(basic.dropFirst(6))), let pair = String(data: data, encoding: .utf8)
            {
                let parts = pair.split(separator: ":", maxSplits: 1).map(String.init)
                id = parts.first
                secret = parts.count > 1 ? parts[1] : nil
            }
            guard id == control.credentials.clientID else { return tokenError("invalid_client_id", "client identifier invalid") }
            guard secret == control.credentials.clientSecret else { return tokenError("invalid_client", "invalid client credentials") }
        case "urn:ietf:params:oauth:grant-type:jwt-bearer":
            guard let assertion = form["assertion"], let claims = Self.jwtClaims(assertion) else {
                return tokenError("invalid_grant", "invalid assertion")
            }
            guard claims["iss"]?.stringValue == control.credentials.clientID else {
                return tokenError("invalid_client_id", "client identifier invalid")
            }
            guard claims["sub"]?.stringValue?.isEmpty == false else { return tokenError("invalid_grant", "invalid assertion") }
            if let exp = claims["exp"]?.intValue, exp * 1000 < EmulatorClock.systemMillis() {
                return tokenError("invalid_grant", "expired access/refresh token")
            }
        default:
            return tokenError("unsupported_grant_type", "grant type not supported")
        }
        let token = control.issueToken(prefix: "00D5g0000000001!AQ", lifetimeMs: 2 * 3_600_000)
        let origin = Self.origin(request)
        return .json(200, [
            "access_token": .string(token), "instance_url": .string(origin),
            "id": .string("\(origin)/id/00D5g0000000001EAA/0055g0000000001AAA"), "token_type": "Bearer",
            "issued_at": .string(String(EmulatorClock.systemMillis())), "scope": "api",
            "signature": .string(Data(String(control.randomWord()).utf8).base64EncodedString()),
        ])
    }

    private func tokenError(_ error: String, _ description: String) -> EmulatorResponse {
        .json(400, ["error": .string(error), "error_description": .string(description)])
    }

    /// Decodes the claims of a JWT (the signature is not checked: the emulator has no public key).
    static func jwtClaims(_ jwt: String) -> JSONValue? {
        let parts = jwt.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var payload = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.count % 4 != 0 { payload += "=" }
        guard let data = Data(base64Encoded: payload) else { return nil }
        return try? JSONValue.parse(Array(data))
    }
}
