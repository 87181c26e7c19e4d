/// Typed reading of configuration nodes, each failure a positioned ``ConfigError``.
extension ConfigNode {
    /// The entries of a mapping, after checking every key is in `allowed`.
    ///
    /// - Parameters:
    ///   - what: what the mapping is, for messages ("field mapping").
    ///   - allowed: the keys the schema knows; `nil` accepts any key (name-keyed maps).
    func entries(_ what: String, allowed: [String]? = nil) throws(ConfigError) -> [Entry] {
        guard case .mapping(let entries) = kind else {
            throw ConfigError(.wrongShape, at: location, "expected a mapping (key: value lines) for \(what), found \(shapeName)")
        }
        if let allowed {
            for e in entries where !allowed.contains(e.key) {
                throw ConfigError(.unknownKey, at: e.keyLocation,
                                  "unknown key \"\(e.key)\" in \(what); expected one of: \(allowed.joined(separator: ", "))")
            }
        }
        return entries
    }

    /// A required key of a mapping.
    func required(_ key: String, in what: String) throws(ConfigError) -> ConfigNode {
        guard let v = self[key] else {
            throw ConfigError(.missingKey, at: location, "missing key \"\(key)\" in \(what)")
        }
        return v
    }

    /// A scalar's text (quoted or plain); errors on lists, mappings and null.
    func text(_ what: String) throws(ConfigError) -> String {
        guard case .scalar(let s, let isNull, _) = kind, !isNull else {
            throw ConfigError(.wrongShape, at: location, "expected text for \(what), found \(shapeName)")
        }
        return s
    }

    /// A scalar that is one of `choices`.
    func choice(_ what: String, _ choices: [String]) throws(ConfigError) -> String {
        let s = try text(what)
        guard choices.contains(s) else {
            throw ConfigError(.invalidValue, at: location,
                              "invalid \(what) \"\(s)\"; expected one of: \(choices.joined(separator: ", "))")
        }
        return s
    }

    /// A whole number within `range`.
    func integer(_ what: String, in range: ClosedRange<Int> = 0...Int.max) throws(ConfigError) -> Int {
        let s = try text(what)
        guard let n = Int(s), range.contains(n) else {
            throw ConfigError(.invalidValue, at: location,
                              "invalid \(what) \"\(s)\"; expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    /// `true` or `false` (also `yes`/`no`).
    func boolean(_ what: String) throws(ConfigError) -> Bool {
        switch try text(what) {
        case "true", "True", "yes": return true
        case "false", "False", "no": return false
        case let s: throw ConfigError(.invalidValue, at: location, "invalid \(what) \"\(s)\"; expected true or false")
        }
    }

    /// A list of scalars (a single scalar counts as a one-item list).
    func textList(_ what: String) throws(ConfigError) -> [String] {
        switch kind {
        case .sequence(let items):
            var out: [String] = []
            for i in items { out.append(try i.text("item of \(what)")) }
            return out
        case .scalar(_, false, _): return [try text(what)]
        default:
            throw ConfigError(.wrongShape, at: location, "expected a list of text for \(what), found \(shapeName)")
        }
    }

    /// Whether the node is a null scalar.
    var isNull: Bool {
        if case .scalar(_, true, _) = kind { return true }
        return false
    }

    /// "a mapping", "a list", "null" or "text".
    var shapeName: String {
        switch kind {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(_, true, _): return "nothing (null)"
        case .scalar(let s, _, _): return "text \"\(s)\""
        }
    }
}
