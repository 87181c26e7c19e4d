/// HubSpot-defined association type ids (from the python client's `AssociationType`).
enum HubSpotAssociationTypes {
    /// Default (unlabelled) type id from one object type to another.
    static let defaults: [String: Int] = [
        "contacts>companies": 279, "companies>contacts": 280, "deals>contacts": 3, "contacts>deals": 4,
        "deals>companies": 341, "companies>deals": 342,
        "notes>contacts": 202, "notes>companies": 190, "notes>deals": 214,
        "tasks>contacts": 204, "tasks>companies": 192, "tasks>deals": 216,
        "calls>contacts": 194, "calls>companies": 182, "calls>deals": 206,
        "emails>contacts": 198, "emails>companies": 186, "emails>deals": 210,
        "meetings>contacts": 200, "meetings>companies": 188, "meetings>deals": 212,
        "contacts>notes": 201, "contacts>tasks": 203, "contacts>calls": 193, "contacts>emails": 197, "contacts>meetings": 199,
        "companies>notes": 189, "companies>tasks": 191, "companies>calls": 181, "companies>emails": 185, "companies>meetings": 187,
        "deals>notes": 213, "deals>tasks": 215, "deals>calls": 205, "deals>emails": 209, "deals>meetings": 211,
    ]

    /// Labelled types: primary company (1 / 2), primary deal company (5 / 6).
    static let labelled: [String: [Int: (String, Int)]] = [
        "contacts>companies": [1: ("Primary", 2)], "companies>contacts": [2: ("Primary", 1)],
        "deals>companies": [5: ("Primary", 6)], "companies>deals": [6: ("Primary", 5)],
    ]

    static func defaultType(from: String, to: String) -> Int? { defaults["\(from)>\(to)"] }

    /// The type id seen from the other side.
    static func inverse(from: String, to: String, typeID: Int) -> Int {
        if let label = labelled["\(from)>\(to)"]?[typeID] { return label.1 }
        return defaultType(from: to, to: from) ?? typeID
    }

    static func label(from: String, to: String, typeID: Int) -> String? { labelled["\(from)>\(to)"]?[typeID]?.0 }

    /// Whether `typeID` is valid between the two types.
    static func isValid(from: String, to: String, typeID: Int) -> Bool {
        defaultType(from: from, to: to) == typeID || labelled["\(from)>\(to)"]?[typeID] != nil
    }
}
