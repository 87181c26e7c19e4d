/// Deep merge of configuration trees: how a user file states only what differs.
///
/// - mapping over mapping: key by key, recursively; keys only in the overlay are appended;
/// - a `null` value in the overlay removes that key from the base (e.g. drop a default
///   field mapping with `Title: ~`... see the configuration guide);
/// - anything else (scalars, lists, a scalar over a mapping): the overlay replaces the base;
/// - a `transform`, `rule` or `where` value is replaced as a whole, never merged: a value
///   table merged key by key with the default one could silently keep stale entries
///   (a custom HubSpot pipeline would inherit the default stage ids).
///
/// Every node keeps the location it came from, so errors in merged trees still point at the
/// right file.
extension ConfigNode {
    /// Keys whose values an overlay replaces whole.
    static let atomicKeys: Set<String> = ["transform", "rule", "where"]

    /// `overlay` merged over `self`.
    public func merged(with overlay: ConfigNode) -> ConfigNode {
        guard case .mapping(let baseEntries) = kind, case .mapping(let overEntries) = overlay.kind else {
            return overlay
        }
        var result = baseEntries
        for entry in overEntries {
            let index = result.firstIndex { $0.key == entry.key }
            if case .scalar(_, let isNull, _) = entry.value.kind, isNull {
                if let index { result.remove(at: index) }
                continue
            }
            if let index {
                result[index].value = Self.atomicKeys.contains(entry.key)
                    ? entry.value : result[index].value.merged(with: entry.value)
            } else {
                result.append(entry)
            }
        }
        return ConfigNode(kind: .mapping(result), location: overlay.location)
    }

    /// The value of `key` in a mapping, if present.
    public subscript(key: String) -> ConfigNode? {
        guard case .mapping(let entries) = kind else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// A copy with `key` set to `value` (appended when new).
    public func setting(_ key: String, to value: ConfigNode) -> ConfigNode {
        guard case .mapping(var entries) = kind else { return self }
        if let i = entries.firstIndex(where: { $0.key == key }) {
            entries[i].value = value
        } else {
            entries.append(Entry(key: key, keyLocation: value.location, value: value))
        }
        return ConfigNode(kind: .mapping(entries), location: location)
    }
}
