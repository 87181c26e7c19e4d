extension DataverseEmulator {
    /// `POST /{tenant}/oauth2/v2.0/token` with `grant_type=client_credentials`.
    func token(_ request: EmulatorRequest) -> EmulatorResponse {
        let form = request.formBody
        guard form["grant_type"] == "client_credentials" else {
            return .json(400, ["error": "unsupported_grant_type", "error_description": "AADSTS70003: The app requested an unsupported grant type.", "error_codes": [70003]])
        }
        guard form["client_id"] == control.credentials.clientID else {
            return .json(400, ["error": "unauthorized_client", "error_description": "AADSTS700016: Application with identifier was not found in the directory.", "error_codes": [700016]])
        }
        guard form["client_secret"] == control.credentials.clientSecret else {
            return .json(401, ["error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided.", "error_codes": [7000215]])
        }
        guard let scope = form["scope"], scope.hasSuffix("/.default") else {
            return .json(400, ["error": "invalid_scope", "error_description": "AADSTS1002012: The provided value for scope is not valid.", "error_codes": [1002012]])
        }
        let token = control.issueToken(prefix: "eyJ0eXAiOiJKV1QifQ.", lifetimeMs: 3_599_000)
        return .json(200, ["token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": .string(token)])
    }
}
