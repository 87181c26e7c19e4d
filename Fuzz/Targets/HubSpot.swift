@testable import ConcordConnectors
import ConcordHTTP
import ConcordMapping

/// HubSpot response bodies, as the connector reads them: search and list pages and their
/// objects (properties, history, associations), batch answers with per-input errors, error
/// bodies, the OAuth token answer, and the cursor.
enum HubSpotTarget {
    static let statuses = [200, 201, 204, 207, 400, 401, 403, 404, 408, 409, 422, 429, 500, 503]

    static func run(_ bytes: [UInt8]) {
        var input = InputReader(bytes)
        let status = input.pick(statuses)
        let retryAfter = input.pick([nil, "0", "10", "00:01:00", "-3", "999999999999"])
        var headers = HTTPHeaders()
        if let retryAfter { headers.add(name: "Retry-After", value: retryAfter) }
        let response = HTTPResponse(status: status, headers: headers, body: input.rest)
        let json = response.exactJSON ?? .null

        if let page = try? HubSpotPage(json: json) {
            for object in page.results { objectFields(object) }
        }
        if let batch = try? HubSpotBatchResponse(json: json) {
            for result in batch.results {
                if let object = try? HubSpotObject(json: result) { objectFields(object) }
            }
            for error in batch.errors {
                _ = HubSpotErrors.error(status: Int(error.status ?? "") ?? 400, body: error, retryAfterMillis: nil, crm: "hubspot")
                _ = error.fields
            }
        }
        _ = HubSpotErrors.error(from: response, crm: "hubspot")
        if let token = try? HubSpotTokenResponse(json: json) { _ = token.expiresAt(nowMillis: 1_700_000_000_000) }
        if let cursor = HubSpotCursor(response.bodyText) {
            check(HubSpotCursor(cursor.encoded) == cursor, "a cursor changed through its text: \(cursor.encoded)")
        }
    }

    /// What the pull derives from one object.
    static func objectFields(_ object: HubSpotObject) {
        _ = HubSpotConnector.modifiedAt(object, "hs_lastmodifieddate")
        _ = HubSpotConnector.modifiedAt(object, "lastmodifieddate")
        for (_, entries) in object.history { _ = entries.compactMap(\.timestamp).max().map { UInt64(clamping: $0) } }
    }
}
