import Foundation

/// What a human user may do in one CRM: which types, which text fields, how to create and name records.
public struct DriverProfile: Sendable {
    public var crm: String
    public var store: RecordStore
    /// Record type -> text fields a person would edit.
    public var editableFields: [String: [String]]
    /// Minimal valid fields for a new record of a type.
    public var newFields: @Sendable (String, inout SeededRandom) -> [String: JSONValue]
    /// A new id for a type.
    public var newID: @Sendable (String, inout StoreTransaction) -> String
    /// Types that may be merged.
    public var mergeable: Set<String>
    /// Whether a person can still work on a live record (a Dataverse merge's subordinate is
    /// inactive and read-only: nobody edits, deletes or merges it again).
    public var workable: @Sendable (StoredRecord) -> Bool = { _ in true }
    /// How this CRM merges `mergedID` into `primaryID` of a type (what its own merge does
    /// to related records and to the merged-away one); the store's plain merge by default.
    public var merge: @Sendable (_ type: String, _ primaryID: String, _ mergedID: String, inout StoreTransaction) throws -> StoredRecord
        = { type, primary, merged, tx in try tx.merge(type, primaryID: primary, mergedID: merged, source: "CRM_UI") }
}

/// One change made by the driver.
public struct DriverChange: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case edit, create, delete, merge }
    public var crm: String
    public var type: String
    public var id: String
    public var kind: Kind
    public var field: String?
    public var value: JSONValue?
    public var mergedID: String?
    /// The record's modification timestamp after the change (the CRM's clock).
    public var at: Int64

    public init(crm: String, type: String, id: String, kind: Kind, field: String? = nil, value: JSONValue? = nil,
                mergedID: String? = nil, at: Int64) {
        self.crm = crm
        self.type = type
        self.id = id
        self.kind = kind
        self.field = field
        self.value = value
        self.mergedID = mergedID
        self.at = at
    }
}

/// Simulates people editing the CRMs: random edits, creates, deletes and merges, each logged.
public final class HumanUserDriver: Sendable {
    private let profiles: [DriverProfile]
    private let state: Locked<(rng: SeededRandom, log: [DriverChange])>

    public init(profiles: [DriverProfile], seed: UInt64) {
        self.profiles = profiles
        self.state = Locked((SeededRandom(seed: seed), []))
    }

    /// Every change made so far, in order.
    public var log: [DriverChange] { state.withLock { $0.log } }

    /// Performs one random operation (edit 70%, create 15%, delete 10%, merge 5%); nil if nothing applicable.
    @discardableResult
    public func step() -> DriverChange? {
        var rng = state.withLock { s -> SeededRandom in
            let copy = s.rng
            _ = s.rng.next()
            return copy
        }
        guard let profile = rng.pick(profiles), let type = rng.pick(Array(profile.editableFields.keys).sorted()) else { return nil }
        let roll = rng.int(in: 0...99)
        let change: DriverChange? = profile.store.transaction { tx in
            let live = tx.all(type).filter(profile.workable).sorted { $0.id < $1.id }
            if roll < 70, let record = rng.pick(live), let field = rng.pick(profile.editableFields[type] ?? []) {
                let value = JSONValue.string("\(field) edit \(rng.int(in: 1000...9999))")
                guard let updated = try? tx.update(type, id: record.id, changes: [field: value], source: "CRM_UI") else { return nil }
                return DriverChange(crm: profile.crm, type: type, id: record.id, kind: .edit, field: field, value: value, at: updated.modifiedAt)
            }
            if roll < 85 || live.count < 3 {
                let created = tx.create(type, id: profile.newID(type, &tx), fields: profile.newFields(type, &rng), source: "CRM_UI")
                return DriverChange(crm: profile.crm, type: type, id: created.id, kind: .create, at: created.modifiedAt)
            }
            if roll < 95, let record = rng.pick(live) {
                guard let deleted = try? tx.delete(type, id: record.id, source: "CRM_UI") else { return nil }
                return DriverChange(crm: profile.crm, type: type, id: record.id, kind: .delete, at: deleted.modifiedAt)
            }
            guard profile.mergeable.contains(type), let a = rng.pick(live), let b = rng.pick(live), a.id != b.id,
                let merged = try? profile.merge(type, a.id, b.id, &tx)
            else { return nil }
            return DriverChange(crm: profile.crm, type: type, id: a.id, kind: .merge, mergedID: b.id, at: merged.modifiedAt)
        }
        state.withLock { s in
            s.rng = rng
            if let change { s.log.append(change) }
        }
        return change
    }

    /// Runs `step()` at `perSecond` until the returned task is cancelled.
    public func start(perSecond: Double) -> Task<Void, Never> {
        let interval = UInt64(1_000_000_000 / max(0.001, perSecond))
        return Task {
            while !Task.isCancelled {
                step()
                try? await Task.sleep(nanoseconds: interval)
            }
        }
    }
}

extension DriverProfile {
    /// Contacts, Accounts and Opportunities of a Salesforce emulator.
    public static func salesforce(_ emulator: SalesforceEmulator) -> DriverProfile {
        DriverProfile(
            crm: emulator.name, store: emulator.control.store,
            editableFields: ["Contact": ["FirstName", "Title", "Phone"], "Account": ["Phone", "BillingCity"], "Opportunity": ["Description"]],
            newFields: { type, rng in
                switch type {
                case "Contact": ["LastName": .string("Human \(rng.int(in: 1...99999))")]
                case "Account": ["Name": .string("Human Co \(rng.int(in: 1...99999))")]
                default: ["Name": .string("Human Deal \(rng.int(in: 1...99999))"), "StageName": "Prospecting", "CloseDate": "2025-06-30"]
                }
            },
            newID: { type, tx in SalesforceIDs.make(prefix: SalesforceSchema.prefixes[type] ?? "a00", counter: tx.nextCounter()) },
            mergeable: ["Contact", "Account"],
            merge: { type, primary, merged, tx in
                // Salesforce's merge: related records move to the master (their lookups are
                // rewritten, which stamps them), and the deleted loser keeps MasterRecordId.
                for other in SalesforceSchema.objects.keys.sorted() {
                    for record in tx.all(other) {
                        let moved = record.fields.filter { $0.value == .string(merged) }.mapValues { _ in JSONValue.string(primary) }
                        if !moved.isEmpty { _ = try tx.update(other, id: record.id, changes: moved, source: "CRM_UI") }
                    }
                }
                _ = try tx.update(type, id: merged, changes: ["MasterRecordId": .string(primary)], source: "CRM_UI")
                return try tx.merge(type, primaryID: primary, mergedID: merged, source: "CRM_UI")
            })
    }

    /// Contacts, companies and deals of a HubSpot emulator.
    public static func hubspot(_ emulator: HubSpotEmulator) -> DriverProfile {
        let base = emulator.idBase
        return DriverProfile(
            crm: emulator.name, store: emulator.control.store,
            editableFields: ["contacts": ["firstname", "jobtitle", "phone"], "companies": ["phone", "city"], "deals": ["description"]],
            newFields: { type, rng in
                switch type {
                case "contacts": ["lastname": .string("Human \(rng.int(in: 1...99999))")]
                case "companies": ["name": .string("Human Co \(rng.int(in: 1...99999))")]
                default: ["dealname": .string("Human Deal \(rng.int(in: 1...99999))"), "dealstage": "appointmentscheduled", "pipeline": "default"]
                }
            },
            newID: { _, tx in String(base + tx.nextCounter()) },
            mergeable: ["contacts", "companies"],
            merge: { type, primary, merged, tx in
                // HubSpot's merge moves the merged record's associations to the primary.
                emulator.moveAssociations(type: type, from: merged, to: primary, tx: &tx)
                return try tx.merge(type, primaryID: primary, mergedID: merged, source: "CRM_UI")
            })
    }

    /// Contacts, accounts and opportunities of a Dataverse emulator.
    public static func dynamics(_ emulator: DataverseEmulator) -> DriverProfile {
        DriverProfile(
            crm: emulator.name, store: emulator.control.store,
            editableFields: ["contact": ["firstname", "jobtitle", "telephone1"], "account": ["telephone1", "address1_city"], "opportunity": ["description"]],
            newFields: { type, rng in
                switch type {
                case "contact": ["lastname": .string("Human \(rng.int(in: 1...99999))"), "statecode": 0]
                case "account": ["name": .string("Human Co \(rng.int(in: 1...99999))"), "statecode": 0]
                default: ["name": .string("Human Deal \(rng.int(in: 1...99999))"), "statecode": 0]
                }
            },
            newID: { _, _ in emulator.newGUID() },
            mergeable: ["contact", "account"],
            workable: { $0.fields["merged"] != .bool(true) },
            merge: { type, primary, merged, tx in
                // Dataverse's Merge re-parents the subordinate's related records to the master
                // (lookups naming it, activities regarding it, notes on it: each one an update
                // of that record), and alternate keys stay with their own record.
                for entity in DataverseSchema.entities {
                    // `masterid` records a past merge; Merge does not move it.
                    for lookup in entity.lookups where lookup.name != "masterid" {
                        for record in tx.all(entity.logicalName) {
                            guard case .object(var target)? = record.fields[lookup.name], target["id"] == .string(merged) else { continue }
                            target["id"] = .string(primary)
                            _ = try tx.update(entity.logicalName, id: record.id, changes: [lookup.name: .object(target)], source: "CRM_UI")
                        }
                    }
                }
                return try tx.merge(type, primaryID: primary, mergedID: merged, source: "CRM_UI",
                                    keeping: Set(DataverseSchema.entity(logicalName: type)?.alternateKeys ?? []),
                                    retiring: DataverseSchema.retiredByMerge(into: primary, table: type))
            })
    }
}
