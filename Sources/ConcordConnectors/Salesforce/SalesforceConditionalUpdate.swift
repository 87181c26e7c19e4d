import ConcordHTTP
import ConcordMapping

/// What Concord last read of one Salesforce record.
///
/// Salesforce stamps `LastModifiedDate` in whole seconds and `If-Unmodified-Since` compares
/// whole seconds, so a guard of `T` misses an edit made later *within* second `T`. The guard
/// is sound once a read has shown the record unchanged at a moment the org's clock had left
/// second `T`: any edit after that read is stamped later than `T`. The org's clock is not
/// ours, but a record showing `T` means the org's clock had reached `T` when it was read, so
/// a read at least one second (measured on a monotonic clock) after the first read that
/// showed `T` happened past `T`.
struct SalesforceObservation: Sendable {
    /// `LastModifiedDate`, Unix ms.
    var modified: UInt64
    /// The content read (``SalesforceConnector/digest(_:)``), to tell a same-second edit.
    var digest: UInt64
    /// The fields that read asked for (a re-read asks for the same).
    var fields: [String]
    /// The first read that showed ``modified``.
    var since: ContinuousClock.Instant
    /// The latest read.
    var lastRead: ContinuousClock.Instant
    /// Whether that read showed the record deleted.
    var deleted = false

    /// Whether a read one second after ``modified`` was first seen showed it unchanged.
    var isSettled: Bool { lastRead - since >= .seconds(1) }
}

extension SalesforceConnector {
    /// Notes what `records` show, read with `fields`.
    func observe(_ records: [CRMRecord], fields: [String]) {
        let now = monotonic.now
        for record in records {
            if record.isDeleted {
                observed[record.id] = SalesforceObservation(modified: 0, digest: 0, fields: fields, since: now, lastRead: now, deleted: true)
                continue
            }
            guard let modified = record.version.flatMap(UInt64.init) else {
                observed[record.id] = nil
                continue
            }
            // The fields asked for only: system fields differ between queries (MasterRecordId).
            var asked = record
            asked.fields = record.fields.filter { fields.contains($0.key) }
            let digest = Self.digest(asked)
            if var seen = observed[record.id], seen.modified == modified {
                (seen.digest, seen.fields, seen.lastRead) = (digest, fields, now)
                observed[record.id] = seen
            } else {
                observed[record.id] = SalesforceObservation(modified: modified, digest: digest, fields: fields, since: now, lastRead: now)
            }
        }
    }

    /// Updates through Composite, 25 per call, each `PATCH /sobjects/{object}/{id}` with
    /// `If-Unmodified-Since` set to the `LastModifiedDate` the engine last merged
    /// (``PushItem/Operation/update(id:fields:ifMatch:)``): a record edited since answers 412,
    /// a conflict the engine merges next pass instead of overwriting. An item whose guard is
    /// not settled yet (``SalesforceObservation/isSettled``) is read again once the second
    /// has passed: unchanged, it is written; changed, it is a conflict without a write.
    /// Being conditional, a Composite call is safe to send again after a lost answer.
    func conditionalUpdates(_ items: [PushItem], object: String) async throws(ConnectorError) -> [PushResult] {
        var results: [PushResult] = []
        var guarded: [(item: PushItem, modified: UInt64)] = []
        var unsettled: [(item: PushItem, modified: UInt64)] = []
        for item in items {
            guard case .update(let id, _, let ifMatch) = item.operation else { continue }
            let seen = observed[id]
            if seen?.deleted == true {
                results.append(PushResult(key: item.key, outcome: .failure(
                    ConnectorError(.notFound, crm: name, crmCode: "ENTITY_IS_DELETED", message: "record \(id) is deleted"))))
                continue
            }
            guard let modified = ifMatch.flatMap(UInt64.init) ?? seen?.modified else {
                results.append(PushResult(key: item.key, outcome: .failure(Self.notRead(id, crm: name))))
                continue
            }
            if let seen, seen.modified != modified {
                results.append(PushResult(key: item.key, outcome: .failure(Self.changed(id, crm: name))))
            } else if seen?.isSettled == true {
                guarded.append((item, modified))
            } else {
                unsettled.append((item, modified))
            }
        }
        if !unsettled.isEmpty {
            let (settled, changed) = try await settle(unsettled, object: object)
            guarded += settled
            results += changed.map { PushResult(key: $0.key, outcome: .failure(Self.changed(Self.updateID($0) ?? "", crm: name))) }
        }
        for (index, chunk) in chunked(guarded, size: SalesforceConnector.compositeLimit).enumerated() {
            do throws(ConnectorError) {
                results += try await composite(chunk, object: object)
            } catch {
                if index == 0 && results.isEmpty { throw error }
                results += chunk.map { PushResult(key: $0.item.key, outcome: .failure(error)) }
            }
        }
        return results
    }

    /// Subrequests per Composite call.
    static let compositeLimit = 25

    /// Waits until a second has passed since each record's stamp was first seen, reads the
    /// records again, and splits them into unchanged (now safely guarded) and changed.
    private func settle(_ items: [(item: PushItem, modified: UInt64)], object: String) async throws(ConnectorError)
        -> (settled: [(item: PushItem, modified: UInt64)], changed: [PushItem])
    {
        let latest = items.compactMap { Self.updateID($0.item).flatMap { observed[$0]?.since } }.max()
        // Real time, on the clock the observations were taken with (not the injected sleep,
        // which tests shorten): the org's clock must have left the second.
        if let latest { try? await monotonic.sleep(until: latest + .seconds(1)) }
        var before: [String: UInt64] = [:]
        var byFields: [[String]: [String]] = [:]
        for (item, _) in items {
            guard let id = Self.updateID(item) else { continue }
            let seen = observed[id]
            before[id] = seen?.digest
            byFields[seen?.fields ?? [], default: []].append(id)
        }
        for (fields, ids) in byFields { _ = try await fetch(object: object, ids: ids, fields: fields) }
        var settled: [(item: PushItem, modified: UInt64)] = []
        var changed: [PushItem] = []
        for (item, modified) in items {
            guard let id = Self.updateID(item), let seen = observed[id], seen.modified == modified, seen.isSettled,
                  before[id] == nil || before[id] == seen.digest else {
                changed.append(item)
                continue
            }
            settled.append((item, modified))
        }
        return (settled, changed)
    }

    private func composite(_ chunk: [(item: PushItem, modified: UInt64)], object: String) async throws(ConnectorError) -> [PushResult] {
        let response = try await send(.push) { session in
            let base = "/services/data/" + options.apiVersion + "/sobjects/" + object + "/"
            let subrequests: [ExactJSON] = chunk.enumerated().map { index, entry in
                var fields: [String: ExactJSON] = [:]
                if case .update(_, let values, _) = entry.item.operation { for (k, v) in values { fields[k] = ExactJSON(v) } }
                return .object(["method": .string("PATCH"), "url": .string(base + (Self.updateID(entry.item) ?? "")),
                                "referenceId": .string("u\(index)"), "body": .object(fields),
                                "httpHeaders": .object(["If-Unmodified-Since": .string(WireTime.httpDate(entry.modified))])])
            }
            let body = ExactJSON.object(["allOrNone": .bool(false), "compositeRequest": .array(subrequests)])
            var request = HTTPRequest(method: .post, url: apiBase(session) + "/composite", body: body.serialized, isSafeToRetry: true)
            request.headers.add(name: "Content-Type", value: "application/json")
            return request
        }
        guard response.isSuccess else { throw SalesforceErrors.responseError(response, crm: name) }
        guard let answers = response.exactJSON?["compositeResponse"]?.arrayValue, answers.count == chunk.count else {
            throw ConnectorError.malformed("Composite returned a response list that does not match the request", crm: name,
                                           status: response.status)
        }
        var results: [PushResult] = []
        for (index, entry) in chunk.enumerated() {
            let id = Self.updateID(entry.item) ?? ""
            let answer = answers.first { $0["referenceId"]?.stringValue == "u\(index)" } ?? answers[index]
            let status = answer["httpStatusCode"]?.textValue.flatMap { Int($0) } ?? 0
            observed[id] = nil  // Concord's own write moved the stamp: the next write needs a new read.
            if (200..<300).contains(status) {
                results.append(PushResult(key: entry.item.key, outcome: .success(id)))
            } else if status == 412 {
                results.append(PushResult(key: entry.item.key, outcome: .failure(Self.changed(id, crm: name))))
            } else {
                var error = SalesforceErrors.recordError(answer["body"]?.arrayValue?.first, crm: name)
                error.status = status
                results.append(PushResult(key: entry.item.key, outcome: .failure(error)))
            }
        }
        return results
    }

    static func updateID(_ item: PushItem) -> String? {
        if case .update(let id, _, _) = item.operation { return id }
        return nil
    }

    static func changed(_ id: String, crm: String) -> ConnectorError {
        ConnectorError(.conflict, crm: crm, status: 412, crmCode: "PRECONDITION_FAILED",
                       message: "record \(id) changed since Concord read it; merged and written next pass")
    }

    static func notRead(_ id: String, crm: String) -> ConnectorError {
        ConnectorError(.conflict, crm: crm, message: "record \(id) has not been read with its LastModifiedDate; read and written next pass")
    }
}
