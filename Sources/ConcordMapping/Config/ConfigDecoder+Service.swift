extension ConfigDecoder {
    /// The optional `service:` section (see ``ServiceSettings``).
    func decodeService(crms: [CRMConfig], objects objectsKnown: Set<String>) throws(ConfigError) -> ServiceSettings {
        var s = ServiceSettings()
        guard let node = root["service"] else { return s }
        _ = try node.entries("service", allowed: ["listen", "public_url", "safety_net_seconds", "debounce_ms", "max_body_bytes",
                                                  "ops_token", "webhooks", "replication"])
        if let n = node["listen"] {
            s.listen = try n.text("service.listen")
            let parts = s.listen.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 2, let port = Int(parts.last!), (0...65_535).contains(port), !parts.dropLast().joined(separator: ":").isEmpty else {
                throw ConfigError(.invalidValue, at: n.location, "service.listen must be host:port (say 127.0.0.1:8787), not \"\(s.listen)\"")
            }
        }
        if let n = node["public_url"] {
            let url = try n.text("service.public_url")
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                throw ConfigError(.invalidValue, at: n.location, "service.public_url must be an http(s) URL, not \"\(url)\"")
            }
            s.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        if let n = node["safety_net_seconds"] { s.safetyNetSeconds = try n.integer("safety_net_seconds", in: 5...86_400) }
        if let n = node["debounce_ms"] { s.debounceMillis = try n.integer("debounce_ms", in: 0...60_000) }
        if let n = node["max_body_bytes"] { s.maxBodyBytes = try n.integer("max_body_bytes", in: 1_024...67_108_864) }
        if let n = node["ops_token"] { s.opsToken = try secret(n, "service.ops_token") }
        if let w = node["webhooks"] {
            for e in try w.entries("service.webhooks") {
                guard let crm = crms.first(where: { $0.name == e.key }) ?? CRMKind(rawValue: e.key).map({
                    CRMConfig(name: $0.rawValue, kind: $0, baseURL: "", tokenURL: nil, credentials: [:], rateLimit: .defaults(for: $0))
                }) else {
                    throw ConfigError(.unknownReference, at: e.keyLocation, "webhooks for unknown CRM \"\(e.key)\"")
                }
                let what = "service.webhooks.\(e.key)"
                let v = e.value
                switch crm.kind {
                case .hubspot:
                    _ = try v.entries(what, allowed: ["secret", "own_source_id"])
                    s.webhooks[e.key] = .hubspotSignature(secret: try secret(try v.required("secret", in: what), "\(what).secret"))
                    if let n = v["own_source_id"] { s.ownChanges[e.key] = try n.text("\(what).own_source_id") }
                case .salesforce:
                    _ = try v.entries(what, allowed: ["secret", "organization_id", "own_client"])
                    if let n = v["own_client"] { s.ownChanges[e.key] = try n.text("\(what).own_client") }
                    let org = try v["organization_id"].map { n throws(ConfigError) -> String in
                        let id = try n.text("\(what).organization_id")
                        guard id.count == 15 || id.count == 18, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                            throw ConfigError(.invalidValue, at: n.location, "\(what).organization_id must be a 15- or 18-character Salesforce id")
                        }
                        return id
                    }
                    let sec = try v["secret"].map { n throws(ConfigError) in try secret(n, "\(what).secret") }
                    guard org != nil || sec != nil else {
                        throw ConfigError(.missingKey, at: v.location, "\(what) needs secret (change events) or organization_id (outbound messages), or both")
                    }
                    s.webhooks[e.key] = .salesforce(secret: sec, organizationID: org)
                case .dynamics:
                    _ = try v.entries(what, allowed: ["auth", "name", "value", "own_user_id"])
                    if let n = v["own_user_id"] { s.ownChanges[e.key] = try n.text("\(what).own_user_id").lowercased() }
                    let auth = try v.required("auth", in: what).choice("\(what).auth", ["webhook_key", "http_header", "http_query_string"])
                    let value = try secret(try v.required("value", in: what), "\(what).value")
                    switch auth {
                    case "webhook_key": s.webhooks[e.key] = .dataverseWebhookKey(value)
                    case "http_header":
                        s.webhooks[e.key] = .dataverseHeader(name: try v.required("name", in: what).text("\(what).name").lowercased(), value: value)
                    default:
                        s.webhooks[e.key] = .dataverseQueryString(name: try v.required("name", in: what).text("\(what).name"), value: value)
                    }
                }
            }
        }
        if let r = node["replication"] {
            _ = try r.entries("service.replication", allowed: ["peers"])
            if let peers = r["peers"] {
                for e in try peers.entries("service.replication.peers") {
                    let what = "service.replication.peers.\(e.key)"
                    _ = try e.value.entries(what, allowed: ["token", "read", "write"])
                    func objects(_ key: String) throws(ConfigError) -> Set<String>? {
                        guard let n = e.value[key] else { return nil }
                        var out = Set<String>()
                        guard case .sequence(let items) = n.kind else {
                            throw ConfigError(.wrongShape, at: n.location, "\(what).\(key) must be a list of object types, say [contact, company]")
                        }
                        for item in items {
                            let name = try item.text("\(what).\(key)")
                            guard objectsKnown.contains(name) else {
                                throw ConfigError(.unknownReference, at: item.location,
                                                  "\(what).\(key) names \"\(name)\", which is not a canonical object (\(objectsKnown.sorted().joined(separator: ", ")))")
                            }
                            out.insert(name)
                        }
                        return out
                    }
                    s.replicationPeers[e.key] = ReplicationPeerSettings(token: try secret(try e.value.required("token", in: what), "\(what).token"),
                                                                        read: try objects("read"), write: try objects("write"))
                }
            }
        }
        return s
    }

    /// A secret: `{env: NAME}` or the literal value.
    private func secret(_ node: ConfigNode, _ what: String) throws(ConfigError) -> CredentialSource {
        if case .mapping = node.kind {
            _ = try node.entries(what, allowed: ["env"])
            return .environment(try node.required("env", in: what).text("\(what).env"))
        }
        return .literal(try node.text(what))
    }
}
