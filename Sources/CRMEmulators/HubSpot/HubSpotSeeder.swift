extension HubSpotEmulator {
    static let stageIDs: [DealStage: String] = [
        .prospecting: "appointmentscheduled", .qualification: "qualifiedtobuy", .proposal: "presentationscheduled",
        .negotiation: "contractsent", .decision: "decisionmakerboughtin", .closedWon: "closedwon", .closedLost: "closedlost",
    ]

    /// Loads a synthetic world slice as companies, contacts, deals and engagements with associations.
    public func seed(_ world: SyntheticWorld) {
        control.store.transaction { tx in
            var companies: [Int: String] = [:], contacts: [Int: String] = [:], deals: [Int: String] = [:]
            func put(_ type: String, _ values: [String: String?]) -> String {
                let id = newID(&tx)
                tx.create(type, id: id, fields: values.compactMapValues { $0.map { JSONValue.string($0) } }, source: "SEED")
                return id
            }
            for c in world.companies {
                companies[c.key] = put("companies", ["name": c.name, "domain": c.domain, "phone": c.phone, "industry": c.industry,
                                                     "city": c.city, "numberofemployees": c.employees.map { String($0) }])
            }
            var emails = Set<String>()
            for p in world.people {
                let email = p.email.flatMap { emails.insert($0.lowercased()).inserted ? $0 : nil }
                let id = put("contacts", ["firstname": p.firstName, "lastname": p.lastName, "email": email, "phone": p.phone, "jobtitle": p.title])
                contacts[p.key] = id
                if let company = p.companyKey.flatMap({ companies[$0] }) {
                    try? associate(fromType: "contacts", fromID: id, toType: "companies", toID: company, typeIDs: [279], tx: &tx)
                }
            }
            for d in world.deals {
                let id = put("deals", ["dealname": d.name, "dealstage": Self.stageIDs[d.stage], "pipeline": "default",
                                       "amount": d.amount.map { String($0) }, "closedate": Timestamps.isoMillis(d.closeDateMs)])
                deals[d.key] = id
                if let company = d.companyKey.flatMap({ companies[$0] }) { try? associate(fromType: "deals", fromID: id, toType: "companies", toID: company, typeIDs: [341], tx: &tx) }
                if let contact = d.personKey.flatMap({ contacts[$0] }) { try? associate(fromType: "deals", fromID: id, toType: "contacts", toID: contact, typeIDs: [3], tx: &tx) }
            }
            for a in world.activities {
                let stamp = Timestamps.isoMillis(a.atMs)
                let (type, values): (String, [String: String?]) = switch a.kind {
                case .note: ("notes", ["hs_note_body": a.body ?? a.subject, "hs_timestamp": stamp])
                case .call: ("calls", ["hs_call_title": a.subject, "hs_call_body": a.body, "hs_call_direction": "OUTBOUND", "hs_timestamp": stamp])
                case .email: ("emails", ["hs_email_subject": a.subject, "hs_email_text": a.body, "hs_email_direction": "EMAIL", "hs_timestamp": stamp])
                case .meeting: ("meetings", ["hs_meeting_title": a.subject, "hs_meeting_body": a.body, "hs_meeting_start_time": stamp, "hs_timestamp": stamp])
                case .task: ("tasks", ["hs_task_subject": a.subject, "hs_task_body": a.body, "hs_task_status": "NOT_STARTED", "hs_timestamp": stamp])
                }
                let id = put(type, values)
                if let contact = a.personKey.flatMap({ contacts[$0] }), let typeID = HubSpotAssociationTypes.defaultType(from: type, to: "contacts") {
                    try? associate(fromType: type, fromID: id, toType: "contacts", toID: contact, typeIDs: [typeID], tx: &tx)
                }
                if let deal = a.dealKey.flatMap({ deals[$0] }), let typeID = HubSpotAssociationTypes.defaultType(from: type, to: "deals") {
                    try? associate(fromType: type, fromID: id, toType: "deals", toID: deal, typeIDs: [typeID], tx: &tx)
                }
            }
        }
    }
}
