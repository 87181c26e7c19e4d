/// Warnings about a configuration that loads but may not do what its author wants.
///
/// Pure: the environment is passed in, so `concord config check` can report unset variables
/// without reading anything else.
public enum ConfigLint {
    /// The warnings for `config`, sorted; `environment` is the process environment.
    public static func warnings(_ config: ConcordConfig, environment: [String: String]) -> [String] {
        var out: [String] = []
        let active = config.activeCRMs
        for crm in config.crms {
            for (name, source) in crm.credentials.sorted(by: { $0.key < $1.key }) {
                switch source {
                case .environment(let variable) where environment[variable] == nil:
                    out.append("crms.\(crm.name).credentials.\(name): environment variable \(variable) is not set")
                case .literal:
                    out.append("crms.\(crm.name).credentials.\(name): a secret is written in the file; prefer {env: NAME}")
                default: break
                }
            }
        }
        for o in config.objects {
            for f in o.fields {
                if let named = f.rule.namedCRM, !config.crms.isEmpty, !active.contains(named) {
                    out.append("objects.\(o.name).fields.\(f.name): rule \(f.rule) names a CRM that is not in use; no CRM can write it")
                }
            }
            for key in config.sync.objects[o.name]?.matchKeys ?? [] {
                for crm in active where config.mapping(crm: crm, object: o.name)?.field(key) == nil
                    && config.mapping(crm: crm, object: o.name) != nil {
                    out.append("sync.objects.\(o.name).match: \(key) is not mapped in \(crm); new \(crm) records match by external id only")
                }
            }
        }
        return out.sorted()
    }
}
