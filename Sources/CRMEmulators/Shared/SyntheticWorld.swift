/// A seeded set of realistic people, companies, deals and activities, sliced per CRM with
/// controlled overlap, near-duplicates and blanks.
public struct SyntheticWorld: Sendable {
    public struct Company: Sendable, Equatable {
        public var key: Int
        public var name: String
        public var domain: String?
        public var phone: String?
        public var industry: String?
        public var city: String?
        public var employees: Int?
    }

    public struct Person: Sendable, Equatable {
        public var key: Int
        public var firstName: String?
        public var lastName: String
        public var email: String?
        public var phone: String?
        public var title: String?
        public var companyKey: Int?
        /// Key of the person this one is a near-duplicate of.
        public var duplicateOf: Int?
    }

    public struct Deal: Sendable, Equatable {
        public var key: Int
        public var name: String
        /// Neutral stage index 0...6 (6 won, 5 lost... see `DealStage`).
        public var stage: DealStage
        public var amount: Int?
        public var closeDateMs: Int64
        public var companyKey: Int?
        public var personKey: Int?
    }

    public struct Activity: Sendable, Equatable {
        public var key: Int
        public var kind: ActivityKind
        public var subject: String
        public var body: String?
        public var atMs: Int64
        public var personKey: Int?
        public var dealKey: Int?
    }

    public var companies: [Company] = []
    public var people: [Person] = []
    public var deals: [Deal] = []
    public var activities: [Activity] = []

    /// Options for `generate`.
    public struct Options: Sendable {
        /// Number of people; companies, deals and activities scale from it.
        public var size: Int
        /// Probability that a person/company appears in a given CRM's slice besides its home CRM.
        public var overlap: Double = 0.4
        /// Probability that a record is followed by a near-duplicate.
        public var nearDuplicateRate: Double = 0.05
        /// Probability that an optional field is blank.
        public var blankRate: Double = 0.1

        public init(size: Int) { self.size = size }
    }

    /// Builds a world deterministically from `seed`.
    public static func generate(seed: UInt64, options: Options) -> SyntheticWorld {
        var rng = SeededRandom(seed: seed)
        var world = SyntheticWorld()
        let companyCount = max(1, options.size / 4)
        let base: Int64 = 1_704_067_200_000  // 2024-01-01
        for key in 0..<companyCount { world.companies.append(NameBank.company(key: key, rng: &rng, blankRate: options.blankRate)) }
        var key = 0
        while world.people.count < options.size {
            let person = NameBank.person(key: key, companies: world.companies, rng: &rng, blankRate: options.blankRate)
            world.people.append(person)
            key += 1
            if world.people.count < options.size, rng.chance(options.nearDuplicateRate) {
                world.people.append(NameBank.nearDuplicate(of: person, key: key, rng: &rng))
                key += 1
            }
        }
        for dealKey in 0..<max(1, options.size / 3) {
            let company = rng.pick(world.companies)
            let person = world.people.filter { $0.companyKey == company?.key }.first
            let stage = rng.pick(DealStage.allCases) ?? .prospecting
            world.deals.append(Deal(
                key: dealKey, name: "\(company?.name ?? "Direct") - \(rng.pick(NameBank.dealSuffixes) ?? "Deal")",
                stage: stage, amount: rng.chance(options.blankRate) ? nil : rng.int(in: 5...500) * 1000,
                closeDateMs: base + Int64(rng.int(in: 0...400)) * 86_400_000,
                companyKey: company?.key, personKey: person?.key))
        }
        for activityKey in 0..<max(1, options.size / 2) {
            let kind = rng.pick(ActivityKind.allCases) ?? .task
            let person = rng.pick(world.people)
            let deal = rng.chance(0.5) ? rng.pick(world.deals) : nil
            world.activities.append(Activity(
                key: activityKey, kind: kind, subject: "\(kind.verb) \(person?.firstName ?? person?.lastName ?? "contact")",
                body: rng.chance(options.blankRate) ? nil : rng.pick(NameBank.notes),
                atMs: base + Int64(rng.int(in: 0...(400 * 86400))) * 1000, personKey: person?.key, dealKey: deal?.key))
        }
        return world
    }

    /// The part of the world a CRM holds: each record has a home CRM (`key % crmCount`) and
    /// appears in the others with probability `overlap`.
    public func slice(crmIndex: Int, crmCount: Int = 3, overlap: Double, seed: UInt64) -> SyntheticWorld {
        var rng = SeededRandom(seed: seed &+ UInt64(crmIndex) &* 0x9E37)
        func keep(_ key: Int) -> Bool { key % crmCount == crmIndex || rng.chance(overlap) }
        var part = SyntheticWorld()
        part.companies = companies.filter { keep($0.key) }
        let companyKeys = Set(part.companies.map(\.key))
        part.people = people.filter { keep($0.key) }.map { p in
            var p = p
            if let c = p.companyKey, !companyKeys.contains(c) { p.companyKey = nil }
            return p
        }
        let personKeys = Set(part.people.map(\.key))
        part.deals = deals.filter { keep($0.key) }.map { d in
            var d = d
            if let c = d.companyKey, !companyKeys.contains(c) { d.companyKey = nil }
            if let p = d.personKey, !personKeys.contains(p) { d.personKey = nil }
            return d
        }
        let dealKeys = Set(part.deals.map(\.key))
        part.activities = activities.filter { keep($0.key) }.map { a in
            var a = a
            if let p = a.personKey, !personKeys.contains(p) { a.personKey = nil }
            if let d = a.dealKey, !dealKeys.contains(d) { a.dealKey = nil }
            return a
        }
        return part
    }
}

/// CRM-neutral deal stage; each emulator maps it to its own picklist.
public enum DealStage: Int, Sendable, CaseIterable {
    case prospecting, qualification, proposal, negotiation, decision, closedWon, closedLost
}

/// CRM-neutral activity kind.
public enum ActivityKind: String, Sendable, CaseIterable {
    case task, call, email, meeting, note

    var verb: String {
        switch self {
        case .task: "Follow up with"
        case .call: "Call"
        case .email: "Email"
        case .meeting: "Meet"
        case .note: "Note about"
        }
    }
}
