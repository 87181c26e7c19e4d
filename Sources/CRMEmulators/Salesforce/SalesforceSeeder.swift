extension SalesforceEmulator {
    static let stageNames: [DealStage: String] = [
        .prospecting: "Prospecting", .qualification: "Qualification", .proposal: "Proposal/Price Quote",
        .negotiation: "Negotiation/Review", .decision: "Id. Decision Makers", .closedWon: "Closed Won", .closedLost: "Closed Lost",
    ]

    /// Loads a synthetic world slice as Accounts, Contacts, Opportunities, Tasks and Events.
    public func seed(_ world: SyntheticWorld) {
        control.store.transaction { tx in
            func newID(_ type: String) -> String { SalesforceIDs.make(prefix: SalesforceSchema.prefixes[type] ?? "a00", counter: tx.nextCounter()) }
            var accounts: [Int: String] = [:], contacts: [Int: String] = [:], opportunities: [Int: String] = [:]
            for c in world.companies {
                let id = newID("Account")
                accounts[c.key] = id
                tx.create("Account", id: id, fields: [
                    "Name": .string(c.name), "Website": c.domain.map { .string("https://\($0)") } ?? .null,
                    "Phone": c.phone.map { .string($0) } ?? .null, "Industry": c.industry.map { .string($0) } ?? .null,
                    "BillingCity": c.city.map { .string($0) } ?? .null, "NumberOfEmployees": c.employees.map { .int(Int64($0)) } ?? .null,
                ], source: "SEED")
            }
            for p in world.people {
                let id = newID("Contact")
                contacts[p.key] = id
                tx.create("Contact", id: id, fields: [
                    "FirstName": p.firstName.map { .string($0) } ?? .null, "LastName": .string(p.lastName),
                    "Email": p.email.map { .string($0) } ?? .null, "Phone": p.phone.map { .string($0) } ?? .null,
                    "Title": p.title.map { .string($0) } ?? .null,
                    "AccountId": p.companyKey.flatMap { accounts[$0] }.map { .string($0) } ?? .null,
                ], source: "SEED")
            }
            for d in world.deals {
                let id = newID("Opportunity")
                opportunities[d.key] = id
                tx.create("Opportunity", id: id, fields: [
                    "Name": .string(d.name), "StageName": .string(Self.stageNames[d.stage] ?? "Prospecting"),
                    "CloseDate": .string(Timestamps.dateOnly(d.closeDateMs)), "Amount": d.amount.map { .double(Double($0)) } ?? .null,
                    "AccountId": d.companyKey.flatMap { accounts[$0] }.map { .string($0) } ?? .null,
                    "ContactId": d.personKey.flatMap { contacts[$0] }.map { .string($0) } ?? .null,
                ], source: "SEED")
            }
            for a in world.activities {
                let who = a.personKey.flatMap { contacts[$0] }.map { JSONValue.string($0) } ?? .null
                let what = a.dealKey.flatMap { opportunities[$0] }.map { JSONValue.string($0) } ?? .null
                if a.kind == .meeting {
                    tx.create("Event", id: newID("Event"), fields: [
                        "Subject": .string(a.subject), "StartDateTime": .string(Timestamps.salesforce(a.atMs)),
                        "EndDateTime": .string(Timestamps.salesforce(a.atMs + 1_800_000)), "DurationInMinutes": 30,
                        "WhoId": who, "WhatId": what, "Description": a.body.map { .string($0) } ?? .null,
                    ], source: "SEED")
                } else {
                    let subtype: JSONValue = a.kind == .call ? "Call" : a.kind == .email ? "Email" : "Task"
                    tx.create("Task", id: newID("Task"), fields: [
                        "Subject": .string(a.subject), "Status": "Not Started", "Priority": "Normal",
                        "ActivityDate": .string(Timestamps.dateOnly(a.atMs)), "TaskSubtype": subtype,
                        "WhoId": who, "WhatId": what, "Description": a.body.map { .string($0) } ?? .null,
                    ], source: "SEED")
                }
            }
        }
    }
}
