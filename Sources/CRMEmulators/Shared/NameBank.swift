import Foundation

/// Word lists and helpers for `SyntheticWorld`.
enum NameBank {
    static let firstNames = [
        "Ann", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kwame", "Lena", "Marco",
        "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe",
        "José", "Zoë", "Björn", "Siobhán",
    ]
    static let lastNames = [
        "Smith", "Garcia", "Müller", "Okafor", "Tanaka", "Kowalski", "Nguyen", "Rossi", "Dubois", "Andersson", "Patel",
        "O'Brien", "Silva", "Cohen", "Ivanova", "Haddad", "Larsen", "Moreau", "Schmidt", "Fernández", "Kim", "Novak",
    ]
    static let companyStems = [
        "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent", "Tyrell", "Cyberdyne",
        "Wonka", "Gringotts", "Oscorp", "Aperture", "Massive", "Dunder", "Pied Piper", "Bluth", "Monarch",
    ]
    static let companySuffixes = ["Inc", "GmbH", "Ltd", "LLC", "SA", "Group", "Labs", "Holdings"]
    static let industries = ["Technology", "Manufacturing", "Retail", "Finance", "Healthcare", "Education", "Energy"]
    static let cities = ["Berlin", "Austin", "Lagos", "Osaka", "Lyon", "Toronto", "São Paulo", "Pune", "Oslo", "Denver"]
    static let titles = ["CEO", "CTO", "VP Sales", "Buyer", "Engineer", "Office Manager", "Head of Ops", "Analyst"]
    static let dealSuffixes = ["Renewal", "Expansion", "New Business", "Pilot", "Upgrade", "Services"]
    static let notes = [
        "Asked for a quote.", "Wants a demo next week.", "Budget approved.", "Left a voicemail.",
        "Sent the contract.", "Prefers email contact.", "Multi-line\nnote with \"quotes\".",
    ]

    static func slug(_ text: String) -> String {
        let folded = text.lowercased().applyingFold()
        return String(folded.filter { $0.isLetter || $0.isNumber })
    }

    static func phone(_ rng: inout SeededRandom) -> String {
        let styles = ["+1 555-%03d-%04d", "(555) %03d-%04d", "+44 20 %04d %04d", "555.%03d.%04d"]
        let style = rng.pick(styles) ?? styles[0]
        let a = rng.int(in: 100...999), b = rng.int(in: 1000...9999)
        return style.replacingFirst("%03d", with: String(a)).replacingFirst("%04d", with: String(b))
            .replacingFirst("%04d", with: String(b))
    }

    static func company(key: Int, rng: inout SeededRandom, blankRate: Double) -> SyntheticWorld.Company {
        let stem = companyStems[key % companyStems.count]
        let round = key / companyStems.count
        let name = round == 0 ? "\(stem) \(rng.pick(companySuffixes) ?? "Inc")" : "\(stem) \(round + 1) \(rng.pick(companySuffixes) ?? "Inc")"
        let domain = "\(slug(stem))\(round == 0 ? "" : String(round + 1)).example.com"
        return SyntheticWorld.Company(
            key: key, name: name, domain: rng.chance(blankRate) ? nil : domain,
            phone: rng.chance(blankRate) ? nil : phone(&rng), industry: rng.chance(blankRate) ? nil : rng.pick(industries),
            city: rng.chance(blankRate) ? nil : rng.pick(cities), employees: rng.chance(blankRate) ? nil : rng.int(in: 2...20000))
    }

    static func person(key: Int, companies: [SyntheticWorld.Company], rng: inout SeededRandom, blankRate: Double) -> SyntheticWorld.Person {
        let first = rng.pick(firstNames) ?? "Ann"
        let last = rng.pick(lastNames) ?? "Smith"
        let company = rng.chance(0.85) ? rng.pick(companies) : nil
        let domain = company?.domain ?? "mail.example.org"
        let email = "\(slug(first)).\(slug(last)).\(key)@\(domain)"
        return SyntheticWorld.Person(
            key: key, firstName: rng.chance(blankRate / 2) ? nil : first, lastName: last,
            email: rng.chance(blankRate) ? nil : email, phone: rng.chance(blankRate) ? nil : phone(&rng),
            title: rng.chance(blankRate) ? nil : rng.pick(titles), companyKey: company?.key, duplicateOf: nil)
    }

    /// A copy with small differences: email case, a typo, another phone format, a blank.
    static func nearDuplicate(of person: SyntheticWorld.Person, key: Int, rng: inout SeededRandom) -> SyntheticWorld.Person {
        var copy = person
        copy.key = key
        copy.duplicateOf = person.key
        switch rng.int(in: 0...3) {
        case 0: copy.email = person.email?.uppercased()
        case 1: copy.lastName = String(person.lastName.dropLast()) + (person.lastName.last.map { String($0) + String($0) } ?? "")
        case 2: copy.phone = person.phone.map { String($0.filter(\.isNumber)) }
        default: copy.title = nil
        }
        return copy
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }

    func applyingFold() -> String {
        folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
    }
}
