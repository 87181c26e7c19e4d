import ConcordConnectors
import ConcordMapping

/// An in-memory CRM that implements ``CRMConnector``: the engine's loopback twin for tests,
/// like NIOEmbedded for channels. It keeps records per object with a modification sequence,
/// pulls by that sequence, pushes with upsert by key, counts calls, and has fault knobs.
///
/// It is deliberately not any real CRM's wire format (the emulators are that); it tests the
/// engine's logic: identity, diffing, stamping, planning, parking and recovery.
public actor InMemoryCRM: CRMConnector {
    struct Row {
        var fields: [String: WireValue]
        var modifiedAt: UInt64
        var seq: UInt64
        var deleted = false
        var mergedIDs: [String] = []
    }

    public nonisolated let name: String
    public nonisolated let kind: CRMKind
    public nonisolated let pushBatchSize: Int
    public nonisolated let pullPageSize: Int

    var objects: [String: [String: Row]] = [:]
    var seq: UInt64 = 0
    var nextID = 1
    var calls: [String: Int] = [:]
    /// The CRM's clock (Unix ms); each write moves it forward by at least 1 ms.
    public var now: UInt64

    /// When true, every call fails as a transient error (connection refused).
    public var offline = false
    /// The next this many push calls fail as rate limited.
    public var throttledPushes = 0
    /// Fields an update writes by a call of its own that fails (as a HubSpot association
    /// can): the record is written without them and they are reported unwritten.
    public var failWritesOf: Set<String> = []
    /// Items whose fields contain this value are refused as a validation error.
    public var rejectValue: WireValue?
    /// When set, the next push applies its creates and then fails before answering (the
    /// acknowledgement is lost, as when Concord is killed mid-push).
    public var loseNextAcknowledgement = false
    /// Ids deleted with no pull showing it yet (``deleteUnseen(_:_:)``).
    var unseenDeletes: Set<String> = []
    /// When set, the next push to this object fails as a transient error with no answer:
    /// after applying its writes (`afterCommit`, the answer lost) or before (nothing landed).
    /// To Concord the two look alike: the outcome is unknown.
    public var unansweredPush: (object: String, afterCommit: Bool)?
    /// Fields whose values must be unique per object (HubSpot contact email): a create with
    /// a taken value fails as a 409 naming the existing record, as HubSpot does.
    public var uniqueFields: [String: String] = [:]
    /// Ids a lookup reports as unknown (``setUnreadableOnLookup(_:)``).
    var unreadableOnLookup: Set<String> = []
    /// Objects with a purge (``purge(_:_:)``): their next pull page reports `deletesUnknownSince`.
    var deleteLogPurged: Set<String> = []
    /// Every write a push made: `(operation, object, id)`.
    public private(set) var writes: [(String, String, String)] = []

    /// A CRM named `name`, with its clock starting at `now`.
    public init(name: String, kind: CRMKind, now: UInt64, pushBatchSize: Int = 100, pullPageSize: Int = 100) {
        self.name = name
        self.kind = kind
        self.now = now
        self.pushBatchSize = pushBatchSize
        self.pullPageSize = pullPageSize
    }

    // MARK: fault knobs and the "human user"

    /// Sets the fault knobs.
    public func setFaults(offline: Bool? = nil, throttledPushes: Int? = nil, rejectValue: WireValue?? = nil,
                          loseNextAcknowledgement: Bool? = nil, uniqueFields: [String: String]? = nil, failWritesOf: Set<String>? = nil) {
        if let failWritesOf { self.failWritesOf = failWritesOf }
        if let uniqueFields { self.uniqueFields = uniqueFields }
        if let offline { self.offline = offline }
        if let throttledPushes { self.throttledPushes = throttledPushes }
        if let rejectValue { self.rejectValue = rejectValue }
        if let loseNextAcknowledgement { self.loseNextAcknowledgement = loseNextAcknowledgement }
    }

    /// The order a push's items reach the CRM: HubSpot's connector sends one batch call per
    /// endpoint (creates, then updates, then archives), so a create lands before an archive
    /// of the same push; the others send items in order.
    static func sentOrder(_ items: [PushItem], kind: CRMKind) -> [PushItem] {
        guard kind == .hubspot else { return items }
        func rank(_ item: PushItem) -> Int {
            switch item.operation {
            case .create: 0
            case .update: 1
            case .delete: 2
            }
        }
        return items.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }

    /// Makes the next push to `object` go unanswered (see ``unansweredPush``).
    public func leaveNextPushUnanswered(_ object: String, afterCommit: Bool) {
        unansweredPush = (object, afterCommit)
    }

    /// Moves the CRM's clock.
    public func advance(by millis: UInt64) { now += millis }

    /// A person creates a record; returns its id.
    @discardableResult
    public func userCreate(_ object: String, _ fields: [String: WireValue]) -> String {
        let id = "\(name.prefix(2))-\(nextID)"
        nextID += 1
        write(object, id) { $0.fields = fields }
        return id
    }

    /// A person edits fields of a record.
    public func userUpdate(_ object: String, _ id: String, _ fields: [String: WireValue]) {
        write(object, id) { row in for (k, v) in fields { row.fields[k] = v } }
    }

    /// A person deletes a record.
    public func userDelete(_ object: String, _ id: String) {
        write(object, id) { $0.deleted = true }
    }

    /// A person merges `loser` into `survivor` (HubSpot-style): the loser disappears and the
    /// survivor lists it in its merged ids; with `movingReferences`, references to the loser
    /// now name the survivor, unseen by pulls.
    public func userMerge(_ object: String, survivor: String, loser: String, movingReferences: Bool = false) {
        guard let gone = objects[object]?[loser] else { return }
        objects[object]?[loser] = nil
        if movingReferences {
            // HubSpot moves the loser's associations to the survivor without touching the
            // associated records (their modification time and sequence stay: no pull shows it).
            for (type, rows) in objects {
                for (id, row) in rows where row.fields.values.contains(.string(loser)) {
                    objects[type]?[id]?.fields = row.fields.mapValues { $0 == .string(loser) ? .string(survivor) : $0 }
                }
            }
        }
        write(object, survivor) { row in
            for (k, v) in gone.fields where row.fields[k] == nil || row.fields[k] == .null { row.fields[k] = v }
            row.mergedIDs.append(loser)
        }
    }

    /// A record is deleted and no pull shows it yet (it is still inside the change feed's
    /// settle window): reads by id miss it, and a write naming it is refused as Salesforce
    /// refuses one, `INVALID_CROSS_REFERENCE_KEY`.
    public func deleteUnseen(_ object: String, _ id: String) {
        objects[object]?[id] = nil
        unseenDeletes.insert(id)
    }

    /// A record vanishes without a trace (its delete has aged out of the CRM's delete log),
    /// and the next pull says that deletes since the cursor are unknown.
    public func purge(_ object: String, _ id: String) {
        objects[object]?[id] = nil
        deleteLogPurged.insert(object)
    }

    /// The live records of an object: id to fields.
    public func records(_ object: String) -> [String: [String: WireValue]] {
        (objects[object] ?? [:]).filter { !$0.value.deleted }.mapValues(\.fields)
    }

    private func write(_ object: String, _ id: String, _ change: (inout Row) -> Void) {
        seq += 1
        now += 1
        var row = objects[object]?[id] ?? Row(fields: [:], modifiedAt: now, seq: seq)
        change(&row)
        row.modifiedAt = now
        row.seq = seq
        objects[object, default: [:]][id] = row
    }

    private func count(_ kind: String) throws(ConnectorError) {
        calls[kind, default: 0] += 1
        if offline { throw ConnectorError(.transient, crm: name, message: "connection refused (offline)") }
    }

    // MARK: CRMConnector

    public func pull(_ request: PullRequest) async throws(ConnectorError) -> PullPage {
        try count("pull")
        let after = request.cursor.flatMap { UInt64($0) } ?? 0
        let rows = (objects[request.object] ?? [:]).filter { $0.value.seq > after }.sorted { $0.value.seq < $1.value.seq }
        let page = rows.prefix(min(request.pageSize, pullPageSize))
        let wanted = Set(request.fields)
        let records = page.map { id, row in
            CRMRecord(id: id, fields: row.fields.filter { wanted.contains($0.key) }, modifiedAt: row.modifiedAt,
                      isDeleted: row.deleted, mergedIDs: row.mergedIDs)
        }
        let unknown = deleteLogPurged.remove(request.object) != nil ? now : nil
        return PullPage(records: records, cursor: String(page.last?.value.seq ?? after), hasMore: rows.count > page.count,
                        deletesUnknownSince: unknown)
    }

    public func fetch(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> [CRMRecord] {
        try count("fetch")
        return ids.compactMap { id in
            objects[object]?[id].map { CRMRecord(id: id, fields: $0.fields, modifiedAt: $0.modifiedAt, isDeleted: $0.deleted) }
        }
    }

    /// As ``fetch(object:ids:fields:)``; the ids in ``unreadableOnLookup`` come back unknown
    /// (as a per-item read error would leave them), whatever their state.
    public func lookup(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> LookupResult {
        let unknown = Set(ids).intersection(unreadableOnLookup)
        let records = try await fetch(object: object, ids: ids.filter { !unknown.contains($0) }, fields: fields)
        return LookupResult(records: records, unknown: unknown)
    }

    /// Makes lookups report these ids as unknown (a per-item error, an unreadable row).
    public func setUnreadableOnLookup(_ ids: Set<String>) { unreadableOnLookup = ids }

    public func find(object: String, field: String, values: [String], fields: [String]) async throws(ConnectorError) -> [CRMRecord] {
        try count("find")
        return (objects[object] ?? [:]).filter { !$0.value.deleted && values.contains($0.value.fields[field]?.text ?? "\u{0}") }
            .map { CRMRecord(id: $0.key, fields: $0.value.fields, modifiedAt: $0.value.modifiedAt) }
    }

    public func push(object: String, items: [PushItem]) async throws(ConnectorError) -> [PushResult] {
        try count("push")
        if throttledPushes > 0 {
            throttledPushes -= 1
            throw ConnectorError(.rateLimited, crm: name, status: 429, message: "too many requests", retryAfterMillis: 1000)
        }
        guard items.count <= pushBatchSize else {
            throw ConnectorError(.permanent, crm: name, status: 400, message: "batch of \(items.count) exceeds \(pushBatchSize)")
        }
        let unanswered = unansweredPush?.object == object ? unansweredPush : nil
        if unanswered != nil { unansweredPush = nil }
        if unanswered?.afterCommit == false {
            throw ConnectorError(.transient, crm: name, message: "timed out; the request did not reach the CRM")
        }
        var results: [PushResult] = []
        for item in Self.sentOrder(items, kind: kind) {
            if case .create(let fields, _) = item.operation, let refused = refusedReference(fields) {
                results.append(PushResult(key: item.key, outcome: .failure(refused)))
                continue
            }
            if case .update(_, let fields, _) = item.operation, let refused = refusedReference(fields) {
                results.append(PushResult(key: item.key, outcome: .failure(refused)))
                continue
            }
            switch item.operation {
            case .create(let fields, let key):
                if let bad = rejectValue, fields.values.contains(bad) {
                    results.append(PushResult(key: item.key, outcome: .failure(
                        ConnectorError(.validation, crm: name, status: 400, crmCode: "INVALID_VALUE", message: "the value '\(bad.text ?? "")' is not allowed; refused"))))
                    continue
                }
                var all = fields
                if let key { all[key.field] = .string(key.value) }
                if let unique = uniqueFields[object], let value = fields[unique]?.text?.lowercased(),
                   let taken = (objects[object] ?? [:]).first(where: { !$0.value.deleted && $0.value.fields[unique]?.text?.lowercased() == value
                       && (key == nil || $0.value.fields[key!.field] != .string(key!.value)) }) {
                    var error = ConnectorError(.validation, crm: name, status: 409, crmCode: "CONFLICT",
                                               message: "Contact already exists. Existing ID: \(taken.key)")
                    error.existingID = taken.key
                    results.append(PushResult(key: item.key, outcome: .failure(error)))
                    continue
                }
                if let key, let existing = (objects[object] ?? [:]).first(where: { !$0.value.deleted && $0.value.fields[key.field] == .string(key.value) }) {
                    write(object, existing.key) { row in for (k, v) in all { row.fields[k] = v } }
                    writes.append(("update", object, existing.key))
                    results.append(PushResult(key: item.key, outcome: .success(existing.key), matchedExisting: true))
                } else {
                    let id = userCreate(object, all)
                    writes.append(("create", object, id))
                    results.append(PushResult(key: item.key, outcome: .success(id)))
                }
            case .update(let id, let fields, _):
                guard let row = objects[object]?[id], !row.deleted else {
                    results.append(PushResult(key: item.key, outcome: .failure(ConnectorError(.notFound, crm: name, status: 404, message: "no \(id)"))))
                    continue
                }
                if let bad = rejectValue, fields.values.contains(bad) {
                    results.append(PushResult(key: item.key, outcome: .failure(
                        ConnectorError(.validation, crm: name, status: 400, crmCode: "INVALID_VALUE", message: "the value '\(bad.text ?? "")' is not allowed; refused"))))
                    continue
                }
                // Fields written by a call of their own that fails (HubSpot associations):
                // the record is written without them.
                let failing = fields.keys.filter { failWritesOf.contains($0) }
                userUpdate(object, id, fields.filter { !failWritesOf.contains($0.key) })
                writes.append(("update", object, id))
                results.append(PushResult(key: item.key, outcome: .success(id), unwritten: Dictionary(uniqueKeysWithValues: failing.map {
                    ($0, ConnectorError(.rateLimited, crm: name, status: 429, message: "the association call was throttled"))
                })))
            case .delete(let id):
                userDelete(object, id)
                writes.append(("delete", object, id))
                results.append(PushResult(key: item.key, outcome: .success(id)))
            }
        }
        if unanswered?.afterCommit == true {
            throw ConnectorError(.transient, crm: name, message: "timed out after the CRM committed the writes")
        }
        if loseNextAcknowledgement {
            loseNextAcknowledgement = false
            throw ConnectorError(.transient, crm: name, message: "connection lost before the response")
        }
        return results
    }

    /// The refusal of a write naming a record deleted unseen, as Salesforce words it.
    private func refusedReference(_ fields: [String: WireValue]) -> ConnectorError? {
        guard let (field, _) = fields.first(where: { $0.value.text.map(unseenDeletes.contains) ?? false }) else { return nil }
        return ConnectorError(.validation, crm: name, status: 400, crmCode: "INVALID_CROSS_REFERENCE_KEY",
                              message: "invalid cross reference id", fields: [field])
    }

    public func apiCalls() async -> APICallCounts { APICallCounts(byKind: calls) }
}
