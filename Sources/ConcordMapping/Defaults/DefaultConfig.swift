/// The shipped defaults: canonical objects and their mappings for all three CRMs.
///
/// Kept as YAML text, in the same syntax users write, so `concord mappings doc` documents
/// them and a user file overrides them key by key. One fragment per object; fragments are
/// deep-merged in order.
public enum DefaultConfig {
    /// The file name used in error messages about the defaults.
    public static let fileName = "<defaults>"

    /// The fragments, merged in order.
    public static let fragments: [String] = [contact, company, deal, tasksAndCalls, emailsMeetingsNotes]
}
