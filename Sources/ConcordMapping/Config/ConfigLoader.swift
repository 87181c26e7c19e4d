import Foundation

/// Loads `concord.yaml`: the shipped defaults with the user's file deep-merged over them.
///
/// ```swift
/// let config = try ConfigLoader.load(path: "concord.yaml")
/// config.mapping(crm: "salesforce", object: "contact")?.crmObject  // "Contact"
/// ```
///
/// Every error is a ``ConfigError`` naming the file, line and column and what was expected;
/// unknown keys are errors. Nothing is written, no network is touched.
public enum ConfigLoader {
    /// The top-level keys of a configuration file.
    public static let topLevelKeys = ["version", "crms", "objects", "mappings", "sync", "service"]

    /// The shipped defaults alone.
    public static func defaults() throws(ConfigError) -> ConcordConfig {
        try load(text: "", file: "<none>")
    }

    /// Reads and loads a file.
    public static func load(path: String) throws(ConfigError) -> ConcordConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(.unreadable, at: SourcePosition(file: path, line: 1, column: 1),
                              "cannot read the file; expected a readable YAML file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(.unreadable, at: SourcePosition(file: path, line: 1, column: 1),
                              "the file is not UTF-8 text")
        }
        return try load(text: text, file: path)
    }

    /// Loads YAML text named `file` (for messages) over the defaults.
    public static func load(text: String, file: String) throws(ConfigError) -> ConcordConfig {
        try load(text: text, file: file, defaults: try defaultTree())
    }

    /// Loads YAML text named `file` over `defaults` (``defaultTree()``, which a caller loading
    /// many texts, such as the fuzzer, reads once).
    static func load(text: String, file: String, defaults: ConfigNode) throws(ConfigError) -> ConcordConfig {
        let user = try ConfigNode.parse(text, file: file)
        _ = try user.entries("the configuration file", allowed: topLevelKeys)
        if let v = user["version"] { _ = try v.integer("version", in: 1...1) }
        var tree = defaults
        tree = tree.merged(with: user)
        tree = try expandNamedCRMs(tree)
        return try ConfigDecoder(root: tree).decode()
    }

    /// The shipped defaults as one tree (each fragment merged in order).
    static func defaultTree() throws(ConfigError) -> ConfigNode {
        var tree = ConfigNode.emptyMapping(file: DefaultConfig.fileName)
        for fragment in DefaultConfig.fragments {
            tree = tree.merged(with: try ConfigNode.parse(fragment, file: DefaultConfig.fileName))
        }
        return tree
    }

    /// A CRM declared under a name that is not a kind (`sf-eu` of kind salesforce) starts from
    /// that kind's default mappings, with its own `mappings.sf-eu` merged over them.
    static func expandNamedCRMs(_ tree: ConfigNode) throws(ConfigError) -> ConfigNode {
        guard let crms = tree["crms"], case .mapping(let declared) = crms.kind else { return tree }
        var mappings = tree["mappings"] ?? .emptyMapping(file: DefaultConfig.fileName)
        for entry in declared where CRMKind(rawValue: entry.key) == nil {
            guard let kindNode = entry.value["kind"], let kind = try? kindNode.text("kind"),
                  let base = mappings[kind] else { continue }
            let own = mappings[entry.key]
            mappings = mappings.setting(entry.key, to: own.map { base.merged(with: $0) } ?? base)
        }
        return tree.setting("mappings", to: mappings)
    }
}
