/// Which instance annotations a request asked for with `Prefer: odata.include-annotations`.
///
/// As in the Dataverse Web API: `"*"` includes every annotation, `"Microsoft.Dynamics.CRM.*"`
/// one namespace, `"Microsoft.Dynamics.CRM.lookuplogicalname"` or
/// `"OData.Community.Display.V1.FormattedValue"` one term; several patterns may be given
/// separated by commas, and a pattern starting with `-` excludes (exclusions win). Without
/// the preference no annotation is returned.
struct DataverseAnnotations: Sendable, Equatable {
    /// The table of a lookup value.
    static let lookupLogicalName = "Microsoft.Dynamics.CRM.lookuplogicalname"
    /// The navigation property that binds a lookup value.
    static let associatedNavigationProperty = "Microsoft.Dynamics.CRM.associatednavigationproperty"
    /// The display label of an option set, boolean or money value.
    static let formattedValue = "OData.Community.Display.V1.FormattedValue"

    /// The patterns, as given (`*`, `Namespace.*`, `Namespace.Term`, `-...`).
    var patterns: [String]

    /// No annotations.
    static let none = DataverseAnnotations(patterns: [])
    /// Every annotation.
    static let all = DataverseAnnotations(patterns: ["*"])

    /// The preference's value: `odata.include-annotations="a,b"` gives `["a", "b"]`.
    init(preferences: [String]) {
        let prefix = "odata.include-annotations="
        guard let pref = preferences.first(where: { $0.lowercased().hasPrefix(prefix) }) else { self = .none; return }
        var value = pref.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
        patterns = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    init(patterns: [String]) { self.patterns = patterns }

    /// Whether annotation `term` (`Microsoft.Dynamics.CRM.lookuplogicalname`) is returned.
    func includes(_ term: String) -> Bool {
        func matches(_ pattern: String) -> Bool {
            if pattern == "*" { return true }
            if pattern.hasSuffix(".*") { return term.hasPrefix(pattern.dropLast()) }
            return pattern == term
        }
        if patterns.contains(where: { $0.hasPrefix("-") && matches(String($0.dropFirst())) }) { return false }
        return patterns.contains { !$0.hasPrefix("-") && matches($0) }
    }

    /// Whether any annotation is returned.
    var isEmpty: Bool {
        ![Self.lookupLogicalName, Self.associatedNavigationProperty, Self.formattedValue].contains(where: includes)
    }

    /// The `Preference-Applied` form.
    var applied: String { "odata.include-annotations=\"" + patterns.joined(separator: ",") + "\"" }
}
