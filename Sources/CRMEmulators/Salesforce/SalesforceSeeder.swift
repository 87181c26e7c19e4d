extension SalesforceEmulator {
    static let stageNames: [DealStage: String] = [
        .prospecting: "Prospecting", .qualification: "Qualification", .proposal: "Proposal/Price Quote",
        .negotiation: "Negotiation/Review", .decision: "Id. Decision Makers", .closedWon: "Closed Won", .closedLost: "Closed Lost",
    ]

    /// Loads a synthetic world slice as Accounts, Contacts, Opportunities, Tasks, Events and Notes.
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
                let account = Self.account(what: what, who: who, tx: tx)
                let body = a.body.map { JSONValue.string($0) } ?? .null
                switch a.kind {
                case .meeting:
                    tx.create("Event", id: newID("Event"), fields: [
                        "Subject": .string(a.subject), "StartDateTime": .string(Timestamps.salesforce(a.atMs)),
                        "EndDateTime": .string(Timestamps.salesforce(a.atMs + 1_800_000)), "DurationInMinutes": 30,
                        "ActivityDateTime": .string(Timestamps.salesforce(a.atMs)), "ActivityDate": .string(Timestamps.dateOnly(a.atMs)),
                        "IsAllDayEvent": false, "WhoId": who, "WhatId": what, "AccountId": account, "Description": body,
                    ], source: "SEED")
                case .note:
                    // Classic notes hang off one parent record; a note with none cannot exist.
                    let parent = what.isNull ? (who.isNull ? account : who) : what
                    guard !parent.isNull else { continue }
                    tx.create("Note", id: newID("Note"), fields: [
                        "Title": .string(String(a.subject.prefix(80))), "Body": a.body.map { .string($0) } ?? .string(a.subject),
                        "ParentId": parent, "IsPrivate": false,
                    ], source: "SEED")
                case .task, .call, .email:
                    // Logged calls and emails are closed tasks; to-dos start open.
                    let logged = a.kind != .task
                    let subtype: JSONValue = a.kind == .call ? "Call" : a.kind == .email ? "Email" : "Task"
                    var fields: [String: JSONValue] = [
                        "Subject": .string(a.subject), "Status": logged ? "Completed" : "Not Started", "Priority": "Normal",
                        "ActivityDate": .string(Timestamps.dateOnly(a.atMs)), "TaskSubtype": subtype,
                        "WhoId": who, "WhatId": what, "AccountId": account, "Description": body,
                    ]
                    if logged { fields["CompletedDateTime"] = .string(Timestamps.salesforce(a.atMs)) }
                    if a.kind == .call { fields["CallType"] = a.key % 3 == 0 ? "Inbound" : "Outbound"; fields["Type"] = "Call" }
                    if a.kind == .email { fields["Type"] = "Email" }
                    tx.create("Task", id: newID("Task"), fields: fields, source: "SEED")
                }
            }
        }
    }
}
