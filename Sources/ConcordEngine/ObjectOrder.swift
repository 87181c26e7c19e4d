import ConcordMapping

/// The order in which objects are pulled and pushed: referenced objects first (companies
/// before the contacts and deals that point at them), so references can be translated.
enum ObjectOrder {
    /// Canonical objects sorted so that every object comes after the objects it references;
    /// ties (and cycles) keep configuration order.
    static func sorted(_ config: ConcordConfig) -> [String] {
        let names = config.objects.map(\.name)
        var deps: [String: Set<String>] = [:]
        for o in config.objects {
            deps[o.name] = Set(o.fields.compactMap { f -> String? in
                if case .reference(let to) = f.type, to != o.name, names.contains(to) { return to }
                return nil
            })
        }
        var out: [String] = []
        var placed = Set<String>()
        while out.count < names.count {
            let next = names.first { !placed.contains($0) && deps[$0, default: []].isSubset(of: placed) }
                ?? names.first { !placed.contains($0) }!
            out.append(next)
            placed.insert(next)
        }
        return out
    }
}
