import Yams

/// A YAML node that remembers the file, line and column it came from.
///
/// The loader composes each file with Yams into a node tree, converts it to this form (so
/// every node keeps its origin even after the user's file is merged over the defaults), and
/// walks it by hand; nothing is decoded through `Codable`, which would lose positions.
public struct ConfigNode: Sendable {
    /// One `key: value` pair of a mapping.
    public struct Entry: Sendable {
        /// The key text.
        public var key: String
        /// Where the key is.
        public var keyLocation: SourcePosition
        /// The value node.
        public var value: ConfigNode
    }

    /// The shape of a node.
    public enum Kind: Sendable {
        /// A scalar; `isNull` for plain `~`, `null` or an empty value.
        case scalar(String, isNull: Bool, isPlain: Bool)
        /// A mapping, in file order.
        case mapping([Entry])
        /// A sequence.
        case sequence([ConfigNode])
    }

    /// The shape and content.
    public var kind: Kind
    /// Where the node starts.
    public var location: SourcePosition

    /// Creates a node.
    public init(kind: Kind, location: SourcePosition) {
        self.kind = kind
        self.location = location
    }

    /// An empty mapping located at the start of `file`.
    public static func emptyMapping(file: String) -> ConfigNode {
        ConfigNode(kind: .mapping([]), location: SourcePosition(file: file, line: 1, column: 1))
    }

    /// Parses YAML text; an empty document gives an empty mapping.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> ConfigNode {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigNode.syntaxError(error, file: file)
        } catch {
            throw ConfigError(.syntax, at: SourcePosition(file: file, line: 1, column: 1), "\(error)")
        }
        guard let root else { return .emptyMapping(file: file) }
        return try ConfigNode(root, file: file)
    }

    private init(_ node: Node, file: String) throws(ConfigError) {
        func loc(_ mark: Mark?) -> SourcePosition {
            SourcePosition(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
        }
        switch node {
        case .scalar(let s):
            let plain = s.style == .plain || s.style == .any
            let isNull = plain && ["", "~", "null", "Null", "NULL"].contains(s.string)
            self.init(kind: .scalar(s.string, isNull: isNull, isPlain: plain), location: loc(s.mark))
        case .sequence(let seq):
            var items: [ConfigNode] = []
            for n in seq { items.append(try ConfigNode(n, file: file)) }
            self.init(kind: .sequence(items), location: loc(seq.mark))
        case .mapping(let map):
            var entries: [Entry] = []
            for (k, v) in map {
                guard case .scalar(let ks) = k else {
                    throw ConfigError(.wrongShape, at: loc(k.mark), "expected a plain text key, found a complex key")
                }
                entries.append(Entry(key: ks.string, keyLocation: loc(ks.mark), value: try ConfigNode(v, file: file)))
            }
            self.init(kind: .mapping(entries), location: loc(map.mark))
        case .alias(let a):
            throw ConfigError(.wrongShape, at: loc(a.mark), "YAML aliases are not supported; write the value out")
        }
    }

    private static func syntaxError(_ error: YamlError, file: String) -> ConfigError {
        func at(_ m: Mark) -> SourcePosition { SourcePosition(file: file, line: m.line, column: m.column) }
        switch error {
        case .scanner(let ctx, let problem, let mark, _), .parser(let ctx, let problem, let mark, _),
             .composer(let ctx, let problem, let mark, _):
            let context = ctx.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return ConfigError(.syntax, at: at(mark), "invalid YAML: \(problem)\(context)")
        case .duplicatedKeysInMapping(let duplicates, let ctx):
            return ConfigError(.conflict, at: at(ctx.mark),
                               "duplicate key \(duplicates.joined(separator: ", ")) in one mapping; each key may appear once")
        case .reader(let problem, _, _, _):
            return ConfigError(.syntax, at: SourcePosition(file: file, line: 1, column: 1), "unreadable YAML: \(problem)")
        default:
            return ConfigError(.syntax, at: SourcePosition(file: file, line: 1, column: 1), "invalid YAML: \(error)")
        }
    }
}
