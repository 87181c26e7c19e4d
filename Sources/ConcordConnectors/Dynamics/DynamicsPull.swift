import ConcordHTTP

extension DynamicsConnector {
    /// One page of changes since the cursor.
    ///
    /// The first cycle reads every row with `Prefer: odata.track-changes` (page by page via
    /// `@odata.nextLink`) and keeps the `@odata.deltaLink` of the last page; later cycles
    /// read the delta link: changed rows, then `$deletedEntity` / `@removed` tombstones. If
    /// the delta token expired, the page says ``PullPage/deletesUnknownSince`` (the last
    /// good sync) and the cursor obtains a new delta token, then catches up on rows with
    /// `modifiedon` at or after the last good sync minus the overlap, then resumes tracking.
    public func pull(_ request: PullRequest) async throws(ConnectorError) -> PullPage {
        try check([request.object] + request.fields)
        var cursor = try DynamicsCursor.decode(request.cursor, object: request.object, crm: name)
        let key = options.primaryKey(request.object)
        let pageSize = min(pullPageSize, max(1, request.pageSize))
        let now = wallClock.nowMillis()
        if cursor.started == nil { cursor.started = now }
        switch cursor.mode {
        case .track:
            let selected = request.fields + request.discriminator.keys.sorted()
            let url = cursor.next ?? cursor.delta ?? initialURL(request, key: key, select: DynamicsWire.select(selected, primaryKey: key, object: request.object))
            let json: ExactJSON
            do throws(ConnectorError) {
                json = try await get(url, pageSize: pageSize, tracking: true)
            } catch {
                guard cursor.next == nil, cursor.delta != nil, DynamicsErrors.isExpiredDeltaToken(error) else { throw error }
                let lastGood = cursor.synced ?? 0
                cursor = DynamicsCursor(object: request.object, mode: .rebase, synced: lastGood,
                                        since: lastGood > options.overlapMillis ? lastGood - options.overlapMillis : 0)
                return PullPage(records: [], cursor: cursor.encoded, hasMore: true, deletesUnknownSince: lastGood)
            }
            // Change tracking takes no $filter: a discriminator is applied here (tombstones pass).
            let records = try rows(json, key: key).filter { record in
                record.isDeleted || request.discriminator.allSatisfy { record.fields[$0.key]?.text == $0.value }
            }
            if let next = json["@odata.nextLink"]?.stringValue {
                cursor.next = next
                return PullPage(records: records, cursor: cursor.encoded, hasMore: true)
            }
            guard let delta = json["@odata.deltaLink"]?.stringValue else {
                throw ConnectorError(.permanent, crm: name, message: "\(request.object) returned no delta link: is change tracking enabled for the table?")
            }
            cursor.next = nil
            cursor.delta = delta
            cursor.synced = cursor.started
            cursor.started = nil
            return PullPage(records: records, cursor: cursor.encoded, hasMore: false)
        case .rebase:
            let url = cursor.next ?? initialURL(request, key: key, select: key)
            let json = try await get(url, pageSize: pullPageSize, tracking: true)
            if let next = json["@odata.nextLink"]?.stringValue {
                cursor.next = next
            } else {
                cursor.pendingDelta = json["@odata.deltaLink"]?.stringValue
                cursor.next = nil
                cursor.mode = .modified
                cursor.started = now
            }
            return PullPage(records: [], cursor: cursor.encoded, hasMore: true)
        case .modified:
            let url = cursor.next ?? modifiedURL(request, key: key, since: cursor.since)
            let json = try await get(url, pageSize: pageSize, tracking: false)
            let records = try rows(json, key: key)
            if let next = json["@odata.nextLink"]?.stringValue {
                cursor.next = next
                return PullPage(records: records, cursor: cursor.encoded, hasMore: true)
            }
            cursor = DynamicsCursor(object: request.object, mode: .track, delta: cursor.pendingDelta, synced: cursor.started)
            return PullPage(records: records, cursor: cursor.encoded, hasMore: cursor.delta == nil)
        }
    }

    private func initialURL(_ request: PullRequest, key: String, select: String) -> String {
        URLText.appendingQuery([("$select", select)], to: apiBase + "/" + request.object)
    }

    private func modifiedURL(_ request: PullRequest, key: String, since: UInt64) -> String {
        var filter = "modifiedon ge \(WireTime.iso(since / 1000 * 1000))"
        for (field, value) in request.discriminator.sorted(by: { $0.key < $1.key }) {
            filter += " and \(field) eq \(DynamicsWire.literal(value))"
        }
        return URLText.appendingQuery([
            ("$select", DynamicsWire.select(request.fields, primaryKey: key, object: request.object)), ("$filter", filter),
            ("$orderby", "modifiedon asc,\(key) asc"),
        ], to: apiBase + "/" + request.object)
    }

    /// GETs `url` (a link the service gave is used as is) with the paging preferences.
    func get(_ url: String, pageSize: Int, tracking: Bool, kind: APICallKind = .pull) async throws(ConnectorError) -> ExactJSON {
        var request = HTTPRequest(url: url)
        var prefer = ["odata.include-annotations=\"*\"", "odata.maxpagesize=\(pageSize)"]
        if tracking { prefer.append("odata.track-changes") }
        request.headers.add(name: "Prefer", value: prefer.joined(separator: ","))
        request.headers.add(name: "If-None-Match", value: "null")
        let response = try await send(kind, request)
        guard response.isSuccess else {
            throw DynamicsErrors.error(status: response.status, headers: response.headers, body: response.body, crm: name)
        }
        guard let json = response.exactJSON else { throw ConnectorError.malformed("a collection without a JSON body", crm: name) }
        return json
    }

    /// The rows of a collection page as records.
    func rows(_ json: ExactJSON, key: String) throws(ConnectorError) -> [CRMRecord] {
        guard let values = json["value"]?.arrayValue else { throw ConnectorError.malformed("a collection without value", crm: name) }
        return values.compactMap { DynamicsWire.record($0, primaryKey: key) }
    }

    /// Refuses entity set and column names that are not plain identifiers.
    func check(_ names: [String]) throws(ConnectorError) {
        for name in names where !DynamicsWire.isIdentifier(name) {
            throw ConnectorError(.permanent, crm: self.name, message: "'\(name)' is not a valid Dataverse entity set or column name")
        }
    }
}
