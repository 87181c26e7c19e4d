@testable import ConcordConnectors
import ConcordHTTP
import ConcordMapping

/// Dataverse response bodies, as the connector reads them: collection pages and their rows
/// (tombstones, annotations, lookups), `$batch` multipart answers and the answer inside each
/// part, audit history, error bodies, the OAuth token answer, and the cursor.
enum DynamicsTarget {
    static let statuses = [200, 201, 204, 400, 401, 403, 404, 409, 410, 412, 413, 429, 500, 503]

    static func run(_ bytes: [UInt8]) {
        var input = InputReader(bytes)
        let status = input.pick(statuses)
        let contentType = input.pick([
            "multipart/mixed; boundary=batchresponse_1", "multipart/mixed; boundary=\"batchresponse_1\"",
            "application/json", "multipart/mixed; boundary=", "multipart/mixed; boundary=--",
        ])
        let body = input.rest
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        let response = HTTPResponse(status: status, headers: headers, body: body)
        if let json = response.exactJSON {
            for row in json["value"]?.arrayValue ?? [] { _ = DynamicsWire.record(row, primaryKey: "contactid") }
            // Audit history (RetrieveRecordChangeHistory): per-column times, a delete's last values.
            let changes = DynamicsConnector.changes(json["AuditDetailCollection"]?["AuditDetails"]?.arrayValue ?? [])
            let fields: Set<String> = ["lastname", "jobtitle", "_parentcustomerid_value"]
            _ = DynamicsConnector.times(changes, fields: fields)
            _ = DynamicsConnector.lastValues(id: "00000000-0000-0000-0000-000000000001", changes: changes, primaryKey: "contactid", fields: fields)
            _ = DynamicsConnector.tokenExpiry(json, nowMillis: 1_700_000_000_000)
        }
        _ = DynamicsErrors.error(status: status, headers: headers, body: body, crm: "dynamics")
        for answer in DynamicsBatch.answers(body, contentType: contentType) {
            if !(200..<300).contains(answer.status) {
                let error = DynamicsErrors.error(status: answer.status, headers: answer.headers, body: answer.body, crm: "dynamics")
                _ = DynamicsErrors.isExpiredDeltaToken(error)
            }
            _ = (try? ExactJSON.parse(answer.body))?["contactid"]?.stringValue?.lowercased()
            _ = answer.headers["OData-EntityId"].flatMap(DynamicsWire.guid(inURL:))
        }
        _ = try? DynamicsCursor.decode(response.bodyText, object: "contacts", crm: "dynamics")
    }
}
