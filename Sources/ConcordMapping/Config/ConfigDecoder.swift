/// Walks a merged configuration tree into a ``ConcordConfig``, checking every key and name.
struct ConfigDecoder {
    let root: ConfigNode

    func decode() throws(ConfigError) -> ConcordConfig {
        let crms = try decodeCRMs()
        let crmNames = Set(crms.map(\.name)).union(CRMKind.allCases.map(\.rawValue))
        let objects = try decodeObjects(crmNames: crmNames)
        let sync = try decodeSync(objects: objects, crmNames: crmNames)
        var mappings: [ObjectMapping] = []
        if let node = root["mappings"] {
            for crmEntry in try node.entries("mappings") {
                let kind: CRMKind
                if let declared = crms.first(where: { $0.name == crmEntry.key }) {
                    kind = declared.kind
                } else if let k = CRMKind(rawValue: crmEntry.key) {
                    kind = k
                } else {
                    throw ConfigError(.unknownReference, at: crmEntry.keyLocation,
                                      "mappings for unknown CRM \"\(crmEntry.key)\"; expected a CRM declared under crms or one of: "
                                      + CRMKind.allCases.map(\.rawValue).joined(separator: ", "))
                }
                for objEntry in try crmEntry.value.entries("mappings of \(crmEntry.key)") {
                    guard let object = objects.first(where: { $0.name == objEntry.key }) else {
                        throw ConfigError(.unknownReference, at: objEntry.keyLocation,
                                          "mapping for unknown object \"\(objEntry.key)\"; expected one of: "
                                          + objects.map(\.name).joined(separator: ", "))
                    }
                    let ext = sync.externalIDFields[crmEntry.key] ?? sync.externalIDFields[kind.rawValue]
                    mappings.append(try MappingDecoder(crm: crmEntry.key, kind: kind, object: object, objects: objects)
                        .decode(objEntry.value, defaultExternalID: ext))
                }
            }
        }
        var config = ConcordConfig(crms: crms, objects: objects, mappings: mappings, sync: sync)
        config.service = try decodeService(crms: crms, objects: Set(objects.map(\.name)))
        return config
    }

    // MARK: CRMs

    func decodeCRMs() throws(ConfigError) -> [CRMConfig] {
        guard let node = root["crms"] else { return [] }
        var out: [CRMConfig] = []
        for e in try node.entries("crms") {
            let what = "CRM \"\(e.key)\""
            let v = e.value
            _ = try v.entries(what, allowed: ["kind", "base_url", "token_url", "credentials", "rate_limit"])
            let kindName = try v["kind"]?.choice("kind of \(what)", CRMKind.allCases.map(\.rawValue)) ?? e.key
            if let named = CRMKind(rawValue: e.key), named.rawValue != kindName, let k = v["kind"] {
                throw ConfigError(.conflict, at: k.location,
                                  "a CRM named \(e.key) must be of kind \(e.key); give a \(kindName) CRM another name")
            }
            guard let kind = CRMKind(rawValue: kindName) else {
                throw ConfigError(.missingKey, at: v.location, "missing key \"kind\" in \(what); expected one of: "
                                  + CRMKind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let base = try v.required("base_url", in: what).text("base_url of \(what)")
            try checkURL(base, at: v["base_url"]?.location ?? v.location, what: "base_url")
            var token: String?
            if let t = v["token_url"] {
                token = try t.text("token_url of \(what)")
                try checkURL(token ?? "", at: t.location, what: "token_url")
            }
            var creds: [String: CredentialSource] = [:]
            if let c = v["credentials"] {
                for ce in try c.entries("credentials of \(what)", allowed: CRMConfig.credentialNames) {
                    if case .mapping = ce.value.kind {
                        _ = try ce.value.entries("credential \(ce.key)", allowed: ["env"])
                        let name = try ce.value.required("env", in: "credential \(ce.key)").text("env")
                        creds[ce.key] = .environment(name)
                    } else {
                        creds[ce.key] = .literal(try ce.value.text("credential \(ce.key)"))
                    }
                }
            }
            var limit = RateLimit.defaults(for: kind)
            if let r = v["rate_limit"] {
                _ = try r.entries("rate_limit of \(what)", allowed: ["requests", "interval_seconds", "daily_budget", "concurrency"])
                if let n = r["requests"] { limit.requests = try n.integer("requests", in: 1...1_000_000) }
                if let n = r["interval_seconds"] { limit.intervalSeconds = try n.integer("interval_seconds", in: 1...86_400) }
                if let n = r["daily_budget"] { limit.dailyBudget = try n.integer("daily_budget", in: 1...Int.max) }
                if let n = r["concurrency"] { limit.concurrency = try n.integer("concurrency", in: 1...1_000) }
            }
            out.append(CRMConfig(name: e.key, kind: kind, baseURL: base, tokenURL: token, credentials: creds, rateLimit: limit))
        }
        return out
    }

    func checkURL(_ s: String, at loc: SourcePosition, what: String) throws(ConfigError) {
        guard s.hasPrefix("https://") || s.hasPrefix("http://"), s.count > 8 else {
            throw ConfigError(.invalidValue, at: loc, "invalid \(what) \"\(s)\"; expected an http:// or https:// URL")
        }
        // Bearer tokens and client secrets travel to these URLs: in clear only on this machine.
        if s.hasPrefix("http://"), !Self.isLoopback(url: s) {
            throw ConfigError(.invalidValue, at: loc, "\(what) \"\(s)\" is plain http to another machine: tokens and secrets would "
                              + "travel in clear; use https:// (plain http is allowed only for 127.0.0.1, ::1 and localhost)")
        }
    }

    /// Whether an `http://` URL names this machine (127.0.0.0/8, `[::1]`, `localhost`).
    static func isLoopback(url: String) -> Bool {
        var rest = url.dropFirst("http://".count)
        if let at = rest.firstIndex(of: "@"), rest[..<at].firstIndex(of: "/") == nil { rest = rest[rest.index(after: at)...] }
        let host: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return false }
            host = rest[rest.index(after: rest.startIndex)..<close]
        } else {
            host = rest.prefix { $0 != ":" && $0 != "/" && $0 != "?" && $0 != "#" }
        }
        let name = host.lowercased()
        if name == "localhost" || name == "::1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    // MARK: Sync

    func decodeSync(objects: [CanonicalObject], crmNames: Set<String>) throws(ConfigError) -> SyncSettings {
        var s = SyncSettings(pollIntervalSeconds: 60, maxClockOffsetSeconds: 60, objects: [:], externalIDFields: [:])
        guard let node = root["sync"] else { return s }
        _ = try node.entries("sync", allowed: ["poll_interval_seconds", "max_clock_offset_seconds", "external_id", "objects", "deletion_guard"])
        if let g = node["deletion_guard"] {
            _ = try g.entries("sync.deletion_guard", allowed: ["enabled", "max_deletes", "max_percent"])
            if let n = g["enabled"] { s.deletionGuard.enabled = try n.boolean("enabled") }
            if let n = g["max_deletes"] { s.deletionGuard.maxDeletes = try n.integer("max_deletes", in: 0...100_000_000) }
            if let n = g["max_percent"] { s.deletionGuard.maxPercent = try n.integer("max_percent", in: 0...100) }
        }
        if let n = node["poll_interval_seconds"] { s.pollIntervalSeconds = try n.integer("poll_interval_seconds", in: 1...86_400) }
        if let n = node["max_clock_offset_seconds"] { s.maxClockOffsetSeconds = try n.integer("max_clock_offset_seconds", in: 0...86_400) }
        if let ext = node["external_id"] {
            for e in try ext.entries("sync.external_id") {
                guard crmNames.contains(e.key) else {
                    throw ConfigError(.unknownReference, at: e.keyLocation, "external_id for unknown CRM \"\(e.key)\"")
                }
                s.externalIDFields[e.key] = try e.value.text("external_id of \(e.key)")
            }
        }
        if let objs = node["objects"] {
            for e in try objs.entries("sync.objects") {
                guard let object = objects.first(where: { $0.name == e.key }) else {
                    throw ConfigError(.unknownReference, at: e.keyLocation, "sync settings for unknown object \"\(e.key)\"")
                }
                _ = try e.value.entries("sync settings of \(e.key)", allowed: ["delete", "match"])
                let delete = try e.value["delete"].map { n throws(ConfigError) in
                    DeletePolicy(rawValue: try n.choice("delete policy", ["propagate", "ignore"])) ?? .propagate
                } ?? .propagate
                var keys: [String] = []
                if let m = e.value["match"] {
                    keys = try m.textList("match keys")
                    for k in keys where object.field(k) == nil {
                        throw ConfigError(.unknownReference, at: m.location,
                                          "match key \"\(k)\" is not a field of \(e.key)")
                    }
                }
                s.objects[e.key] = ObjectSyncSettings(deletePolicy: delete, matchKeys: keys)
            }
        }
        return s
    }
}
