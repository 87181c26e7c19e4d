/// How one CRM's webhooks are authenticated when they reach `concord serve`.
public enum WebhookAuth: Hashable, Sendable {
    /// HubSpot: `X-HubSpot-Signature-v3` signed with the app's client secret.
    case hubspotSignature(secret: CredentialSource)
    /// Salesforce: change events signed by the sending Apex or Flow callout with a shared
    /// secret (`X-Concord-Signature: t=<ms>,v1=<hex HMAC-SHA256>`), and outbound messages
    /// checked against the organization id (18 characters; 15 also match).
    case salesforce(secret: CredentialSource?, organizationID: String?)
    /// Dataverse service endpoint, authentication type `WebhookKey` (`?code=`).
    case dataverseWebhookKey(CredentialSource)
    /// Dataverse service endpoint, authentication type `HttpHeader`: a header and its value.
    case dataverseHeader(name: String, value: CredentialSource)
    /// Dataverse service endpoint, authentication type `HttpQueryString`: a parameter and its value.
    case dataverseQueryString(name: String, value: CredentialSource)
}

/// `concord serve`: where it listens and how it takes webhooks in.
public struct ServiceSettings: Hashable, Sendable {
    /// `host:port` to listen on.
    public var listen = "127.0.0.1:8787"
    /// The URL the CRMs post to, as they see it (behind a proxy, the public one): HubSpot
    /// signs the full URI, and setup instructions print it. Defaults to `http://<listen>`.
    public var publicURL: String?
    /// Seconds between the safety-net polling passes (webhooks can be lost).
    public var safetyNetSeconds = 900
    /// Milliseconds to wait after the first event of a burst before fetching, so a burst
    /// becomes batches.
    public var debounceMillis = 250
    /// The largest webhook body taken, in bytes.
    public var maxBodyBytes = 1_048_576
    /// The bearer token of `/ops/...` (none: those routes answer 404).
    public var opsToken: CredentialSource?
    /// How each CRM's webhooks are authenticated, by CRM name; a CRM without one takes none.
    public var webhooks: [String: WebhookAuth] = [:]
    /// What marks Concord's own writes in each CRM's webhooks, by CRM name (HubSpot: the
    /// app's `sourceId`; Dataverse: the application user's id, `InitiatingUserId`;
    /// Salesforce: the `client=` of its call options, `concord` unless set). Events of
    /// Concord's own writes are answered and not worked: Concord knows what it wrote.
    public var ownChanges: [String: String] = [:]
    /// The Concord stores allowed to replicate with this one (`service.replication.peers`),
    /// by name.
    public var replicationPeers: [String: ReplicationPeerSettings] = [:]

    /// The defaults.
    public init() {}
}

/// One peer store allowed to replicate with `concord serve`: its bearer token and what it
/// may read and write.
public struct ReplicationPeerSettings: Hashable, Sendable {
    /// The peer's bearer token (from the environment, in production).
    public var token: CredentialSource
    /// The object types the peer receives (`nil`: all).
    public var read: Set<String>?
    /// The object types the peer may write (`nil`: all); its writes of others are refused,
    /// recorded in the quarantine on both sides, and the stream moves on.
    public var write: Set<String>?

    /// Creates the settings.
    public init(token: CredentialSource, read: Set<String>?, write: Set<String>?) {
        self.token = token
        self.read = read
        self.write = write
    }
}
