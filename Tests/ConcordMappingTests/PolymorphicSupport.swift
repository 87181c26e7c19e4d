import ConcordCore
import ConcordMapping

/// Links for the polymorphic-group tests: records `1` and `2` of deal, contact and company in
/// each CRM, with CRM ids like `dynamics-contact-1` and global ids that differ per object.
enum Poly {
    static let objects = ["deal", "contact", "company"]

    /// The global id of record `n` of `object`.
    static func id(_ object: String, _ n: Int = 1) -> RecordID {
        RecordID(high: UInt64(objects.firstIndex(of: object).map { $0 + 1 } ?? 9), low: UInt64(n))
    }

    /// A reference to record `n` of `object`.
    static func ref(_ object: String, _ n: Int = 1) -> Value { .reference(id(object, n)) }

    /// The id of record `n` of `object` in `crm`.
    static func ext(_ crm: String, _ object: String, _ n: Int = 1) -> String { "\(crm)-\(object)-\(n)" }

    static let links: TableReferenceResolver = {
        var links = TableReferenceResolver()
        for crm in CRMKind.allCases.map(\.rawValue) {
            for object in objects {
                for n in 1...2 { links.link(crm: crm, object: object, externalID: ext(crm, object, n), to: id(object, n)) }
            }
        }
        return links
    }()

    static let config: ConcordConfig = {
        do { return try ConfigLoader.defaults() } catch { fatalError("the shipped defaults do not load: \(error)") }
    }()

    static let mapper = RecordMapper(config: config, resolver: links)

    static func mapping(_ crm: String, _ object: String) -> ObjectMapping {
        guard let m = config.mapping(crm: crm, object: object) else { fatalError("no default mapping of \(object) in \(crm)") }
        return m
    }

    /// What a CRM stores under the write fields of `out`, as it returns them under the read
    /// fields: a Dataverse bind `/contacts(x)` reads back as the bare id `x`.
    static func readBack(_ out: [String: WireValue], mapping: ObjectMapping) -> [String: WireValue] {
        var raw: [String: WireValue] = [:]
        for fm in mapping.fields where !fm.readOnly {
            guard let w = out[fm.writeField] else { continue }
            if case .string(let s) = w, s.hasPrefix("/"), s.hasSuffix(")"), let open = s.firstIndex(of: "(") {
                raw[fm.crmField] = .string(String(s[s.index(after: open)..<s.index(before: s.endIndex)]))
            } else {
                raw[fm.crmField] = w
            }
        }
        return raw
    }
}
