import ConcordMapping

extension HubSpotConnector {
    /// Records per batch read with `propertiesWithHistory` (HubSpot lowers its limits then).
    public static let historyBatchSize = 50

    /// After updates: reads the written properties with history and sets, per property, the
    /// value it held just before Concord's write (``PushResult/preceding``).
    ///
    /// HubSpot has no conditional writes, so an edit made between Concord's read and its
    /// write (or before a write sent again after a lost answer) is overwritten. The history
    /// shows it: newest first, Concord's write, then (past any repeats of the same value) the
    /// value it replaced. The engine compares that value with what it last saw in HubSpot.
    /// A read that fails leaves the writes unverified; they still stand.
    func attachPreceding(object: String, inputs: [HubSpotPushInput], results: inout [Int64: PushResult]) async {
        let updated = inputs.filter { input in
            guard input.endpoint == .update, !input.properties.isEmpty, let result = results[input.key] else { return false }
            if case .success = result.outcome { return true }
            return false
        }
        guard !updated.isEmpty else { return }
        let names = Array(Set(updated.flatMap(\.properties.keys))).sorted()
        var read: [String: HubSpotObject] = [:]
        for chunk in Self.chunks(updated.compactMap(\.id), of: Self.historyBatchSize) {
            do {
                for object in try await batchRead(object, ids: chunk, properties: [], history: names, kind: "verify") { read[object.id] = object }
            } catch {
                continue
            }
        }
        for input in updated {
            guard let id = input.id, let record = read[id] else { continue }
            let preceding = Self.preceding(written: input.properties, history: record.history)
            if !preceding.isEmpty { results[input.key]?.preceding = preceding }
        }
    }

    /// HubSpot keeps every property's history.
    public var hasFieldTimes: Bool { true }

    /// When each property's current value was set: the newest entry of its history (50
    /// records per call; archived ones in a second call). Association pseudo-fields have none.
    public func fieldTimes(object: String, ids: [String], fields: [String]) async throws(ConnectorError) -> [String: [String: UInt64]] {
        let properties = fields.filter { HubSpotAssociationField.targetType($0) == nil }
        guard !properties.isEmpty else { return [:] }
        var out: [String: [String: UInt64]] = [:]
        for chunk in Self.chunks(ids, of: Self.historyBatchSize) {
            var found = try await batchRead(object, ids: chunk, properties: [], history: properties, kind: "history")
            // Archived records (taken in for their last values where deletes are ignored) are
            // read apart: a batch read returns either live or archived records.
            let live = Set(found.map(\.id))
            let rest = chunk.filter { !live.contains($0) }
            if !rest.isEmpty { found += try await batchRead(object, ids: rest, properties: [], history: properties, kind: "history", archived: true) }
            for read in found {
                out[read.id] = read.history.compactMapValues { entries in entries.compactMap(\.timestamp).max().map { UInt64(clamping: $0) } }
            }
        }
        return out
    }

    /// Per written property, the newest history entry older than Concord's write of it that
    /// holds another value.
    static func preceding(written: [String: String], history: [String: [HubSpotHistoryEntry]]) -> [String: PrecedingValue] {
        var out: [String: PrecedingValue] = [:]
        for (name, value) in written {
            guard let entries = history[name], let mine = entries.firstIndex(where: { ($0.value ?? "") == value }),
                  let before = entries[mine...].first(where: { ($0.value ?? "") != value }), let at = before.timestamp else { continue }
            let text = before.value ?? ""
            out[name] = PrecedingValue(value: text.isEmpty ? .null : .string(text), at: UInt64(clamping: at))
        }
        return out
    }
}
