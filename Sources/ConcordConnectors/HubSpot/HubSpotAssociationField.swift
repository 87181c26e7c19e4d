/// How HubSpot references appear among a record's fields.
///
/// HubSpot stores references as associations, not properties. The connector exposes them as
/// pseudo-fields named `associations.<toObjectType>` (`associations.companies`,
/// `associations.contacts`, `associations.deals`): on pull, the value is a WireValue string
/// holding the id of the *first* associated record (a record marked primary, when HubSpot
/// says which; otherwise the lowest id), or `.null` when there is none. On push, a non-blank
/// value creates a default (unlabelled) association to that id after the record is written.
public enum HubSpotAssociationField {
    /// `associations.`
    public static let prefix = "associations."

    /// Whether `field` names an association rather than a property.
    public static func isAssociation(_ field: String) -> Bool { field.hasPrefix(prefix) }

    /// The associated object type of `associations.companies` (`companies`).
    public static func targetType(_ field: String) -> String? {
        guard isAssociation(field) else { return nil }
        let type = String(field.dropFirst(prefix.count))
        return type.isEmpty ? nil : type
    }

    /// The pseudo-field for associations to `type`.
    public static func field(for type: String) -> String { prefix + type }
}
