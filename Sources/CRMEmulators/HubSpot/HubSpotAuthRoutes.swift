extension HubSpotEmulator {
    /// `POST /oauth/v1/token` (authorization_code, refresh_token) and `/oauth/v3/token` (also client_credentials).
    func token(_ request: EmulatorRequest) -> EmulatorResponse {
        let s = request.segments
        guard request.method == "POST", s.count == 3, s[2] == "token", s[1] == "v1" || s[1] == "v3" else {
            return HubSpotError.notFound().response
        }
        let form = request.formBody
        guard form["client_id"] == control.credentials.clientID, form["client_secret"] == control.credentials.clientSecret else {
            return .json(400, ["status": "BAD_CLIENT_ID", "message": "missing or unknown client id", "correlationId": "00000000-0000-0000-0000-000000000000"])
        }
        switch form["grant_type"] ?? "" {
        case "authorization_code":
            guard let code = form["code"], !code.isEmpty else {
                return .json(400, ["status": "BAD_AUTH_CODE", "message": "missing or unknown auth code", "correlationId": "00000000-0000-0000-0000-000000000000"])
            }
        case "refresh_token":
            guard let refresh = form["refresh_token"], refreshTokens.withLock({ $0.contains(refresh) }) else {
                return .json(400, ["status": "BAD_REFRESH_TOKEN", "message": "missing or unknown refresh token", "correlationId": "00000000-0000-0000-0000-000000000000"])
            }
            if rotatesRefreshTokens { refreshTokens.withLock { _ = $0.remove(refresh) } }
        case "client_credentials" where s[1] == "v3":
            break
        default:
            return .json(400, ["status": "BAD_GRANT_TYPE", "message": "unsupported grant_type", "correlationId": "00000000-0000-0000-0000-000000000000"])
        }
        let access = control.issueToken(prefix: "CJT", lifetimeMs: 1_800_000)
        let refresh = "na1-" + String(control.randomWord(), radix: 16)
        refreshTokens.withLock { _ = $0.insert(refresh) }
        var body: [String: JSONValue] = ["access_token": .string(access), "refresh_token": .string(refresh), "expires_in": 1800, "token_type": "bearer"]
        if s[1] == "v3" {
            body["token_use"] = "access_token"
            body["hub_id"] = 62515
            body["scopes"] = ["crm.objects.contacts.read", "crm.objects.contacts.write"]
        }
        return .json(200, .object(body))
    }
}
