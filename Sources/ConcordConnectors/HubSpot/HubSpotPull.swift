import ConcordMapping

extension HubSpotConnector {
    /// The last-modified property HubSpot keeps for `object` (contacts differ from the rest).
    static func modifiedProperty(_ object: String) -> String {
        object == "contacts" ? "lastmodifieddate" : "hs_lastmodifieddate"
    }

    /// Reads one page of changes or deletes; see ``HubSpotCursor`` for the cycle.
    public func pull(_ request: PullRequest) async throws(ConnectorError) -> PullPage {
        // HubSpot's clock, not ours: its stamps come from it, and a clock running ahead of
        // ours would otherwise hide its newest changes (or, behind, show them unsettled).
        // The `Date` header has whole seconds and an answer can arrive late on a loaded
        // machine: an offset under five seconds is noise, not a clock set wrong.
        let offset = await session.serverOffsetMillis
        let serverNow = Int64(clamping: options.wallClock.nowMillis()) + (abs(offset) < 5_000 ? 0 : offset)
        let horizon = serverNow - Int64(clamping: options.settleMillis)
        var cursor: HubSpotCursor
        if let text = request.cursor {
            guard let decoded = HubSpotCursor(text) else {
                throw ConnectorError(.permanent, crm: name, message: "not a HubSpot cursor: \(text.prefix(80))")
            }
            cursor = decoded
        } else {
            cursor = HubSpotCursor(archivedAfter: Int64.min)
        }
        let pageSize = max(1, min(request.pageSize, pullPageSize))
        switch cursor.phase {
        case .changes:
            let (found, serverTime) = try await pullChanges(request, cursor: &cursor, horizon: horizon, pageSize: pageSize)
            if cursor.archivedAfter == Int64.min {
                // A full pull: archives before it started are irrelevant; later ones are found
                // by the deletes scan. HubSpot's clock (its `Date` header) marks the start.
                cursor.archivedAfter = serverTime ?? horizon
            }
            let records = try await complete(found, request: request)
            return PullPage(records: records, cursor: cursor.encoded, hasMore: true)
        case .deletes:
            let records = try await pullDeletes(request, cursor: &cursor, horizon: horizon)
            return PullPage(records: records, cursor: cursor.encoded, hasMore: cursor.phase == .deletes)
        }
    }

    /// One search page of changes (two when a page-full of records shares one timestamp).
    private func pullChanges(_ request: PullRequest, cursor: inout HubSpotCursor, horizon: Int64,
                             pageSize: Int) async throws(ConnectorError) -> ([HubSpotObject], Int64?) {
        let modified = Self.modifiedProperty(request.object)
        let properties = Self.searchProperties(request)
        let scope = request.discriminator.sorted { $0.key < $1.key }.map { Self.filter($0.key, "EQ", $0.value) }
        var firstServerTime: Int64?
        if cursor.tieTimestamp == nil {
            var filters = scope + [Self.filter(modified, "LT", String(horizon))]
            if let after = cursor.modifiedAfter { filters.append(Self.filter(modified, "GT", String(after))) }
            let (found, serverTime) = try await search(request.object, filters: filters, sort: modified, properties: properties, limit: pageSize + 1)
            firstServerTime = serverTime
            guard found.count > pageSize else {
                // Everything up to the newest timestamp seen is in. HubSpot's own timestamps
                // are kept (not the local horizon), so a local clock running ahead of
                // HubSpot's cannot push the cursor past changes HubSpot has yet to stamp.
                if let last = found.last.flatMap({ Self.modifiedAt($0, modified) }) {
                    cursor.modifiedAfter = max(cursor.modifiedAfter ?? last, last)
                }
                cursor.phase = .deletes
                return (found, firstServerTime)
            }
            // Everything before the look-ahead record's timestamp is complete for its timestamps.
            let cutoff = Self.modifiedAt(found[pageSize], modified)
            let complete = found.prefix { Self.modifiedAt($0, modified).map { t in cutoff.map { t < $0 } ?? false } ?? false }
            if let last = complete.last.flatMap({ Self.modifiedAt($0, modified) }) {
                cursor.modifiedAfter = last
                return (Array(complete), firstServerTime)
            }
            guard let tie = cutoff else {
                throw ConnectorError(.permanent, crm: name, message: "HubSpot returned \(request.object) without \(modified)")
            }
            cursor.tieTimestamp = tie
            cursor.tieAfterID = nil
        }
        guard let tie = cursor.tieTimestamp else { return ([], firstServerTime) }
        var filters = scope + [Self.filter(modified, "EQ", String(tie))]
        if let id = cursor.tieAfterID { filters.append(Self.filter("hs_object_id", "GT", id)) }
        let (found, serverTime) = try await search(request.object, filters: filters, sort: "hs_object_id", properties: properties, limit: pageSize + 1)
        if found.count > pageSize {
            cursor.tieAfterID = found[pageSize - 1].id
            return (Array(found.prefix(pageSize)), firstServerTime ?? serverTime)
        }
        cursor.tieTimestamp = nil
        cursor.tieAfterID = nil
        cursor.modifiedAfter = tie
        return (found, firstServerTime ?? serverTime)
    }

    /// One page of the archived listing: records archived inside the scan's window, with
    /// their last values (the wanted properties, stamped with their last modification): where
    /// deletes are ignored the record lives on elsewhere, and an edit made just before the
    /// archive, which no search showed yet, must not go with it.
    private func pullDeletes(_ request: PullRequest, cursor: inout HubSpotCursor,
                             horizon: Int64) async throws(ConnectorError) -> [CRMRecord] {
        let object = request.object
        let modified = Self.modifiedProperty(object)
        var query: [(name: String, value: String)] = [("archived", "true"), ("limit", "100"),
                                                      ("properties", Self.searchProperties(request).joined(separator: ","))]
        if let page = cursor.archivedPage { query.append(("after", page)) }
        let (status, json, serverTime) = try await call("pull", .get, objectPath(object), query: query, readOnly: true)
        let page: HubSpotPage
        do { page = try HubSpotPage(json: json ?? .null) } catch {
            throw HubSpotErrors.malformed("\(error)", crm: name, status: status)
        }
        // A scan returns archives up to HubSpot's time when it started; later ones (which the
        // id-ordered listing may or may not show) are left to the next scan.
        let until: Int64
        if let running = cursor.archivedUntil { until = running } else { until = max(cursor.archivedAfter, serverTime ?? horizon) }
        let deleted = page.results.compactMap { record -> CRMRecord? in
            guard let at = record.archivedAt ?? record.updatedAt, at > cursor.archivedAfter, at <= until else { return nil }
            // A survivor archived after a merge still names what it took in: the merge counts
            // (references move to it) even though the survivor itself is gone.
            return CRMRecord(id: record.id, fields: record.properties,
                             modifiedAt: UInt64(clamping: min(at, Self.modifiedAt(record, modified) ?? at)), isDeleted: true,
                             mergedIDs: Self.mergedIDs(record))
        }
        if let next = page.nextAfter {
            cursor.archivedPage = next
            cursor.archivedUntil = until
        } else {
            cursor.archivedPage = nil
            cursor.archivedUntil = nil
            cursor.archivedAfter = until
            cursor.phase = .changes
        }
        return deleted
    }

    /// `POST /crm/v3/objects/{object}/search` with one filter group and one sort.
    func search(_ object: String, filters: [ExactJSON], sort: String, properties: [String],
                limit: Int) async throws(ConnectorError) -> ([HubSpotObject], Int64?) {
        let body: ExactJSON = .object([
            "filterGroups": .array([.object(["filters": .array(filters)])]),
            "sorts": .array([.object(["propertyName": .string(sort), "direction": .string("ASCENDING")])]),
            "properties": .array(properties.map(ExactJSON.string)),
            "limit": .number(String(limit)),
        ])
        let (status, json, serverTime) = try await call("pull", .post, objectPath(object, "/search"), body: body, readOnly: true)
        do { return (try HubSpotPage(json: json ?? .null).results, serverTime) } catch {
            throw HubSpotErrors.malformed("\(error)", crm: name, status: status)
        }
    }

    static func filter(_ property: String, _ op: String, _ value: String) -> ExactJSON {
        .object(["propertyName": .string(property), "operator": .string(op), "value": .string(value)])
    }

    static func filter(_ property: String, in values: [String]) -> ExactJSON {
        .object(["propertyName": .string(property), "operator": .string("IN"), "values": .array(values.map(ExactJSON.string))])
    }

    /// The HubSpot properties to ask for: the wanted fields (associations apart) plus the id,
    /// the last-modified property and the merged ids.
    static func searchProperties(_ request: PullRequest) -> [String] {
        properties(request.fields, object: request.object)
    }

    static func properties(_ fields: [String], object: String) -> [String] {
        var names = fields.filter { !HubSpotAssociationField.isAssociation($0) }
        for extra in ["hs_object_id", modifiedProperty(object), "hs_merged_object_ids"] where !names.contains(extra) {
            names.append(extra)
        }
        return names
    }

    static func modifiedAt(_ record: HubSpotObject, _ property: String) -> Int64? {
        record.properties[property]?.text.flatMap(WireTime.hubSpotMillis) ?? record.updatedAt
    }
}
