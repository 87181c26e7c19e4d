import ConcordHTTP

extension SalesforceConnector {
    /// One page of changes since the cursor, deletes included.
    ///
    /// A cycle runs one `queryAll ... ORDER BY SystemModstamp, Id` and follows its
    /// `nextRecordsUrl` page by page; when the locator expired it resumes with
    /// `SystemModstamp > :ts OR (SystemModstamp = :ts AND Id > :id)` from the last row read.
    /// A cycle starts at `SystemModstamp > :ts` when every row up to `ts` was read before the
    /// overlap window, else at `>= :rewind`. Deleted rows come
    /// with `IsDeleted = true`. When a cycle completes, the position is rewound to the
    /// cycle's start minus ``SalesforceOptions/overlapMillis``, so a transaction that
    /// committed late is read next time; rows already delivered with the same stamp are
    /// skipped. A cycle that starts from a cursor older than
    /// ``SalesforceOptions/deleteLogCheckAfterMillis`` first asks getDeleted whether the
    /// delete log still reaches the cursor and sets ``PullPage/deletesUnknownSince`` if not.
    public func pull(_ request: PullRequest) async throws(ConnectorError) -> PullPage {
        try checkIdentifiers([request.object] + request.fields + Array(request.discriminator.keys))
        var cursor = try SalesforceCursor.decode(request.cursor, object: request.object, crm: name)
        let now = wallClock.nowMillis()
        var records: [CRMRecord] = []
        var unknownSince: UInt64?
        if cursor.started == nil {
            cursor.started = now
            if let synced = cursor.synced, now >= synced, now - synced >= options.deleteLogCheckAfterMillis {
                let check = try await checkDeleteLog(object: request.object, since: synced, now: now)
                records += check.deleted
                unknownSince = check.unknownSince
            }
        }
        let pageSize = min(pullPageSize, max(1, request.pageSize))
        var page: SalesforceQueryPage
        if let next = cursor.next {
            do throws(ConnectorError) {
                page = try await queryMore(next, batchSize: pageSize, kind: .pull)
            } catch {
                guard error.crmCode == "INVALID_QUERY_LOCATOR" else { throw error }
                page = try await runQuery(soql(request, from: cursor), all: true, batchSize: pageSize, kind: .pull)
            }
        } else {
            page = try await runQuery(soql(request, from: cursor), all: true, batchSize: pageSize, kind: .pull)
        }
        let overlapStart = now >= options.overlapMillis ? now - options.overlapMillis : 0
        var delivered = Set(records.map(\.id))
        var read: [CRMRecord] = []
        read.reserveCapacity(page.records.count)
        for row in page.records {
            guard let record = SalesforceWire.record(row) else {
                throw ConnectorError.malformed("a query row without Id", crm: name)
            }
            read.append(record)
            let stamp = record.modifiedAt ?? 0
            let digest = Self.digest(record)
            (cursor.ts, cursor.id, cursor.strict) = (stamp, record.id, false)
            if cursor.seen[record.id] == stamp, cursor.digests?[record.id] == digest { continue }
            if stamp >= overlapStart, cursor.seen.count < options.maxRememberedInOverlap {
                cursor.seen[record.id] = stamp
                if cursor.digests == nil { cursor.digests = [:] }
                cursor.digests?[record.id] = digest
            }
            if delivered.insert(record.id).inserted { records.append(record) }
        }
        observe(read, fields: request.fields)
        let hasMore = !page.done && page.nextRecordsURL != nil
        if hasMore {
            cursor.next = page.nextRecordsURL
        } else {
            let started = cursor.started ?? now
            let rewind = started >= options.overlapMillis ? started - options.overlapMillis : 0
            if cursor.ts > rewind {
                (cursor.ts, cursor.id, cursor.strict) = (rewind, "", false)
            } else {
                (cursor.id, cursor.strict) = ("", true)
            }
            cursor.seen = cursor.seen.filter { $0.value >= cursor.ts }
            cursor.digests = cursor.digests?.filter { cursor.seen[$0.key] != nil }
            cursor.next = nil
            cursor.synced = started
            cursor.started = nil
        }
        return PullPage(records: records, cursor: cursor.encoded, hasMore: hasMore, deletesUnknownSince: unknownSince)
    }

    /// A digest of a row's fields and deletion (FNV-1a over the sorted fields, stable
    /// across processes), to tell a same-second edit from a row read before.
    nonisolated static func digest(_ record: CRMRecord) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) {
            for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0100_0000_01b3 }
            h = (h ^ 0x1f) &* 0x0100_0000_01b3
        }
        mix(record.isDeleted ? "deleted" : "live")
        for (k, v) in record.fields.sorted(by: { $0.key < $1.key }) { mix(k); mix(v.description) }
        return h
    }

    nonisolated func soql(_ request: PullRequest, from cursor: SalesforceCursor) -> String {
        let stamp = WireTime.iso(cursor.ts)
        var conditions = [cursor.id.isEmpty ? "SystemModstamp \(cursor.strict ? ">" : ">=") \(stamp)"
            : "(SystemModstamp > \(stamp) OR (SystemModstamp = \(stamp) AND Id > \(SalesforceWire.literal(cursor.id))))"]
        for (field, value) in request.discriminator.sorted(by: { $0.key < $1.key }) {
            conditions.append("\(field) = \(SalesforceWire.literal(value))")
        }
        return "SELECT \(SalesforceWire.selectList(request.fields, object: request.object).joined(separator: ", ")) FROM \(request.object)"
            + " WHERE " + conditions.joined(separator: " AND ") + " ORDER BY SystemModstamp, Id"
    }

    /// Asks getDeleted about `[since - overlap, now]`: the deletes it lists, and whether its
    /// log still reaches back to `since` (else the engine must reconcile from `since`).
    private func checkDeleteLog(object: String, since: UInt64, now: UInt64) async throws(ConnectorError)
        -> (deleted: [CRMRecord], unknownSince: UInt64?)
    {
        let horizon = now > options.deleteLogRetentionMillis ? now - options.deleteLogRetentionMillis + 60_000 : 0
        let wanted = since > options.overlapMillis ? since - options.overlapMillis : 0
        if since < horizon { return ([], since) }
        let start = max(wanted, horizon)
        guard start < now else { return ([], nil) }
        let response = try await send(.pull) { session in
            var request = HTTPRequest(url: apiBase(session) + "/sobjects/\(object)/deleted/")
            request.query = [("start", WireTime.iso(start / 1000 * 1000)), ("end", WireTime.iso(now))]
            return request
        }
        guard response.isSuccess else {
            let error = SalesforceErrors.responseError(response, crm: name)
            if error.crmCode == "INVALID_REPLICATION_DATE" { return ([], since) }
            throw error
        }
        guard let json = response.exactJSON else { throw ConnectorError.malformed("getDeleted without a body", crm: name) }
        let deleted = (json["deletedRecords"]?.arrayValue ?? []).compactMap { item -> CRMRecord? in
            guard let id = item["id"]?.stringValue else { return nil }
            return CRMRecord(id: id, modifiedAt: item["deletedDate"]?.stringValue.flatMap(WireTime.parse), isDeleted: true)
        }
        let earliest = json["earliestDateAvailable"]?.stringValue.flatMap(WireTime.parse)
        let unknown = earliest.map { $0 > since } ?? false
        return (deleted, unknown ? since : nil)
    }
}
