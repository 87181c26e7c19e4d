import ConcordCore
import ConcordConnectors
import ConcordStore

/// Dataverse service-endpoint webhooks: a `RemoteExecutionContext` JSON per message,
/// authenticated by the endpoint's `WebhookKey` (`?code=`), `HttpHeader` or
/// `HttpQueryString` value. Dataverse signs nothing, so the key is the whole proof: serve
/// it over TLS.
public struct DataverseIntake: WebhookIntake {
    /// How the endpoint authenticates (with the value resolved).
    public enum Auth: Sendable {
        case webhookKey(String)
        case header(name: String, value: String)
        case queryString(name: String, value: String)
    }

    public let crm: String
    let auth: Auth
    let objects: WebhookObjects
    /// Concord's application user (lowercased): the operations it initiated are not worked.
    let ownUserID: String?

    /// An intake checking `auth`.
    public init(crm: String, auth: Auth, objects: WebhookObjects, ownUserID: String? = nil) {
        self.crm = crm
        self.auth = auth
        self.objects = objects
        self.ownUserID = ownUserID
    }

    public func accept(_ r: WebhookRequest, now: UInt64) throws(WebhookRejection) -> WebhookAcceptance {
        try IntakeChecks.post(r)
        let given: String?
        let expected: String
        let what: String
        switch auth {
        case .webhookKey(let key): (given, expected, what) = (r.query["code"], key, "the WebhookKey (?code=)")
        case .header(let name, let value): (given, expected, what) = (r.header(name), value, "header \(name)")
        case .queryString(let name, let value): (given, expected, what) = (r.query[name], value, "query parameter \(name)")
        }
        guard let given, !given.isEmpty else { throw WebhookRejection(.unauthenticated, "\(what) is missing") }
        guard ConstantTime.equal(given, expected) else { throw WebhookRejection(.badSignature, "\(what) does not match the configured value") }
        try IntakeChecks.mediaType(r, ["application/json"])
        let json: ExactJSON
        do { json = try ExactJSON.parse(r.body) } catch { throw WebhookRejection(.malformed, "the body is not JSON: \(error)") }
        guard let message = json["MessageName"]?.stringValue, let entity = json["PrimaryEntityName"]?.stringValue,
              let id = json["PrimaryEntityId"]?.stringValue, !id.isEmpty else {
            throw WebhookRejection(.malformed, "the body is not a RemoteExecutionContext (MessageName, PrimaryEntityName, PrimaryEntityId)")
        }
        guard let object = objects.dataverse(entity) else { return WebhookAcceptance(events: [], ignored: 1, replayKey: nil, response: .ok) }
        if let ownUserID, json["InitiatingUserId"]?.stringValue?.lowercased() == ownUserID {
            // The echo of Concord's own write.
            return WebhookAcceptance(events: [], ignored: 1, replayKey: nil, response: .ok)
        }
        let target = json["InputParameters"]?.arrayValue?.first { $0["key"]?.stringValue == "Target" }?["value"]
        let version = target?["RowVersion"]?.textValue ?? json["OperationCreatedOn"]?.stringValue ?? ""
        let correlation = json["CorrelationId"]?.stringValue ?? ""
        let kind: InboxEvent.Kind = ["delete", "merge"].contains(message.lowercased()) ? .delete : .change
        let event = InboxEvent(replica: crm, crmObject: object, crmID: id.lowercased(),
                               eventID: "\(correlation):\(id.lowercased()):\(message):\(version)", kind: kind,
                               occurredAt: Self.msDate(json["OperationCreatedOn"]?.stringValue))
        return WebhookAcceptance(events: [event], ignored: 0, replayKey: nil, response: .ok)
    }

    /// `/Date(1700000000000)/` as Unix ms (0 when absent or another form).
    static func msDate(_ text: String?) -> UInt64 {
        guard let text, text.hasPrefix("/Date("), let close = text.firstIndex(of: ")") else { return 0 }
        return UInt64(text[text.index(text.startIndex, offsetBy: 6)..<close].prefix { $0.isNumber }) ?? 0
    }
}
