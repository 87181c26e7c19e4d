@testable import ConcordMapping

/// `concord.yaml`: Yams composes the text, ConfigNode converts it, the loader merges it over
/// the shipped defaults and decodes it. Anything but a ``ConfigError`` is a failure (the
/// throwing signatures are typed, so a crash or trap is the only other way out).
enum ConfigTarget {
    /// The shipped defaults, parsed once (the loader re-reads them on every load).
    static let defaults: ConfigNode = {
        do { return try ConfigLoader.defaultTree() } catch { fatalError("the shipped defaults do not load: \(error)") }
    }()

    static func run(_ bytes: [UInt8]) {
        // The loader reads files as UTF-8 and refuses anything else before YAML sees it.
        guard let text = String(validating: bytes, as: UTF8.self) else { return }
        _ = try? ConfigLoader.load(text: text, file: "fuzz.yaml", defaults: defaults)
    }
}
