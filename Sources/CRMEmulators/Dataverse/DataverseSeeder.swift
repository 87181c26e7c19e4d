extension DataverseEmulator {
    static let salesStages: [DealStage: Int64] = [.prospecting: 0, .qualification: 0, .proposal: 2, .negotiation: 2, .decision: 1, .closedWon: 3, .closedLost: 3]

    /// Loads a synthetic world slice as accounts, contacts, opportunities and activities.
    public func seed(_ world: SyntheticWorld) {
        control.store.transaction { tx in
            var accounts: [Int: String] = [:], contacts: [Int: String] = [:], opportunities: [Int: String] = [:]
            func put(_ type: String, _ values: [String: JSONValue?]) -> String {
                let id = newGUID()
                tx.create(type, id: id, fields: values.compactMapValues { $0 }, source: "SEED")
                return id
            }
            for c in world.companies {
                accounts[c.key] = put("account", ["name": .string(c.name), "websiteurl": c.domain.map { .string("https://\($0)") },
                                                  "telephone1": c.phone.map { .string($0) }, "address1_city": c.city.map { .string($0) },
                                                  "numberofemployees": c.employees.map { .int(Int64($0)) }, "statecode": 0])
            }
            for p in world.people {
                contacts[p.key] = put("contact", [
                    "firstname": p.firstName.map { .string($0) }, "lastname": .string(p.lastName), "emailaddress1": p.email.map { .string($0) },
                    "telephone1": p.phone.map { .string($0) }, "jobtitle": p.title.map { .string($0) }, "statecode": 0,
                    "parentcustomerid": p.companyKey.flatMap { accounts[$0] }.map { ["id": .string($0), "type": "account"] },
                ])
            }
            for d in world.deals {
                let state: Int64 = d.stage == .closedWon ? 1 : d.stage == .closedLost ? 2 : 0
                opportunities[d.key] = put("opportunity", [
                    "name": .string(d.name), "estimatedvalue": d.amount.map { .double(Double($0)) },
                    "estimatedclosedate": .string(Timestamps.dateOnly(d.closeDateMs)), "salesstage": .int(Self.salesStages[d.stage] ?? 0),
                    "statecode": .int(state), "customerid": d.companyKey.flatMap { accounts[$0] }.map { ["id": .string($0), "type": "account"] },
                    "parentcontactid": d.personKey.flatMap { contacts[$0] }.map { ["id": .string($0), "type": "contact"] },
                ])
            }
            for a in world.activities {
                let regarding: JSONValue? = a.dealKey.flatMap { opportunities[$0] }.map { ["id": .string($0), "type": "opportunity"] }
                    ?? a.personKey.flatMap { contacts[$0] }.map { ["id": .string($0), "type": "contact"] }
                switch a.kind {
                case .note:
                    guard let regarding else { continue }
                    _ = put("annotation", ["subject": .string(a.subject), "notetext": .string(a.body ?? a.subject), "isdocument": false,
                                           "objectid": regarding, "objecttypecode": regarding["type"]])
                case .meeting:
                    _ = put("appointment", ["subject": .string(a.subject), "description": a.body.map { .string($0) },
                                            "scheduledstart": .string(Timestamps.isoSeconds(a.atMs)),
                                            "scheduledend": .string(Timestamps.isoSeconds(a.atMs + 1_800_000)), "scheduleddurationminutes": 30,
                                            "isalldayevent": false, "statecode": 3, "prioritycode": 1, "regardingobjectid": regarding])
                case .call, .email:
                    // Logged calls and emails are completed activities.
                    _ = put(a.kind == .call ? "phonecall" : "email", [
                        "subject": .string(a.subject), "description": a.body.map { .string($0) }, "scheduledend": .string(Timestamps.isoSeconds(a.atMs)),
                        "actualend": .string(Timestamps.isoSeconds(a.atMs)), "statecode": 1, "prioritycode": 1, "directioncode": .bool(a.key % 3 != 0),
                        "regardingobjectid": regarding,
                    ])
                case .task:
                    _ = put("task", ["subject": .string(a.subject), "description": a.body.map { .string($0) },
                                     "scheduledend": .string(Timestamps.isoSeconds(a.atMs)), "statecode": 0, "prioritycode": 1, "regardingobjectid": regarding])
                }
            }
        }
    }
}
