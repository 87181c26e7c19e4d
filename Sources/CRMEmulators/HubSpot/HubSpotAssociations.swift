import Foundation

/// One stored association: target id and type ids.
struct HubSpotLink: Sendable {
    var id: String
    var typeIDs: [Int]
}

extension HubSpotEmulator {
    private static func bucket(_ from: String, _ to: String) -> String { "assoc:\(from)>\(to)" }
    /// The field of a stored link naming its source record (indexed, so listing one record's
    /// links does not scan every link).
    private static let fromField = "from"

    /// Records both directions of an association (type ids translated for the inverse).
    func associate(fromType: String, fromID: String, toType: String, toID: String, typeIDs: [Int], tx: inout StoreTransaction) throws {
        guard tx.get(fromType, fromID) != nil else { throw HubSpotError.notFound(fromID) }
        guard tx.get(toType, toID) != nil else { throw HubSpotError.notFound(toID) }
        for typeID in typeIDs where !HubSpotAssociationTypes.isValid(from: fromType, to: toType, typeID: typeID) {
            throw HubSpotError.validation("\(typeID) is not a valid association type between \(fromType) and \(toType)")
        }
        func add(_ from: String, _ fid: String, _ to: String, _ tid: String, _ ids: [Int]) {
            let key = "\(fid)>\(tid)"
            let bucket = Self.bucket(from, to)
            let existing = (tx.get(bucket, key)?.fields["types"]?.arrayValue ?? []).compactMap(\.intValue).map { Int($0) }
            let merged = Array(Set(existing + ids)).sorted()
            if tx.get(bucket, key) != nil {
                _ = try? tx.update(bucket, id: key, changes: ["types": .array(merged.map { .int(Int64($0)) })])
            } else {
                tx.create(bucket, id: key, fields: ["types": .array(merged.map { .int(Int64($0)) }), Self.fromField: .string(fid)])
            }
        }
        add(fromType, fromID, toType, toID, typeIDs)
        add(toType, toID, fromType, fromID, typeIDs.map { HubSpotAssociationTypes.inverse(from: fromType, to: toType, typeID: $0) })
    }

    /// Removes both directions.
    func dissociate(fromType: String, fromID: String, toType: String, toID: String, tx: inout StoreTransaction) {
        if tx.get(Self.bucket(fromType, toType), "\(fromID)>\(toID)") != nil { _ = try? tx.delete(Self.bucket(fromType, toType), id: "\(fromID)>\(toID)") }
        if tx.get(Self.bucket(toType, fromType), "\(toID)>\(fromID)") != nil { _ = try? tx.delete(Self.bucket(toType, fromType), id: "\(toID)>\(fromID)") }
    }

    func associationLinks(fromType: String, fromID: String, toType: String) -> [HubSpotLink] {
        let prefix = "\(fromID)>"
        return control.store.lookup(Self.bucket(fromType, toType), field: Self.fromField, equals: .string(fromID))
            .filter { $0.id.hasPrefix(prefix) }
            .map { HubSpotLink(id: String($0.id.dropFirst(prefix.count)), typeIDs: ($0.fields["types"]?.arrayValue ?? []).compactMap(\.intValue).map { Int($0) }) }
            .sorted { Self.idOrder($0.id, $1.id) }
    }

    /// On merge, the merged record's associations move to the primary.
    func moveAssociations(type: String, from oldID: String, to newID: String, tx: inout StoreTransaction) {
        for other in HubSpotSchema.objectTypes {
            let prefix = "\(oldID)>"
            for link in tx.lookup(Self.bucket(type, other), field: Self.fromField, equals: .string(oldID)) where link.id.hasPrefix(prefix) {
                let target = String(link.id.dropFirst(prefix.count))
                let ids = (link.fields["types"]?.arrayValue ?? []).compactMap(\.intValue).map { Int($0) }
                dissociate(fromType: type, fromID: oldID, toType: other, toID: target, tx: &tx)
                if target != newID { try? associate(fromType: type, fromID: newID, toType: other, toID: target, typeIDs: ids, tx: &tx) }
            }
        }
    }

    private func typesJSON(from: String, to: String, _ ids: [Int]) -> JSONValue {
        .array(ids.map { id in
            ["category": HubSpotAssociationTypes.label(from: from, to: to, typeID: id) == nil ? "HUBSPOT_DEFINED" : "HUBSPOT_DEFINED",
             "typeId": .int(Int64(id)), "label": HubSpotAssociationTypes.label(from: from, to: to, typeID: id).map { .string($0) } ?? .null]
        })
    }

    /// `/crm/v4/objects/{type}/{id}/associations/...`.
    func associationsRoute(_ request: EmulatorRequest, rest: [String]) throws -> EmulatorResponse {
        guard rest.count >= 4, rest[2] == "associations" else { throw HubSpotError.notFound() }
        let fromType = try objectType(rest[0]), fromID = rest[1]
        let now = Timestamps.isoMillis(EmulatorClock.systemMillis())
        switch (request.method, rest.count) {
        case ("GET", 4):
            let toType = try objectType(rest[3])
            guard control.store.get(fromType, fromID) != nil else { throw HubSpotError.notFound(fromID) }
            let links = associationLinks(fromType: fromType, fromID: fromID, toType: toType)
            let limit = Int(request.queryValue("limit") ?? "500") ?? 500
            let after = Int64(request.queryValue("after") ?? "") ?? 0
            let remaining = links.filter { (Int64($0.id) ?? 0) >= after }
            var body: [String: JSONValue] = ["results": .array(remaining.prefix(limit).map { ["toObjectId": .string($0.id), "associationTypes": typesJSON(from: fromType, to: toType, $0.typeIDs)] })]
            if remaining.count > limit { body["paging"] = ["next": ["after": .string(remaining[limit].id)]] }
            return .json(200, .object(body))
        case ("PUT", 6) where rest[3] == "default":
            let toType = try objectType(rest[4])
            guard let typeID = HubSpotAssociationTypes.defaultType(from: fromType, to: toType) else { throw HubSpotError.validation("no default association from \(fromType) to \(toType)") }
            try control.store.transaction { tx in try associate(fromType: fromType, fromID: fromID, toType: toType, toID: rest[5], typeIDs: [typeID], tx: &tx) }
            return .json(200, ["status": "COMPLETE", "startedAt": .string(now), "completedAt": .string(now), "results": [[
                "from": ["id": .string(fromID)], "to": ["id": .string(rest[5])],
                "associationSpec": ["associationCategory": "HUBSPOT_DEFINED", "associationTypeId": .int(Int64(typeID))],
            ]]])
        case ("PUT", 5):
            let toType = try objectType(rest[3])
            let body = try json(request)
            let ids = (body.arrayValue ?? []).compactMap { $0["associationTypeId"]?.intValue }.map { Int($0) }
            guard !ids.isEmpty else { throw HubSpotError.validation("at least one association type is required") }
            try control.store.transaction { tx in try associate(fromType: fromType, fromID: fromID, toType: toType, toID: rest[4], typeIDs: ids, tx: &tx) }
            return .json(201, [
                "fromObjectTypeId": .string(HubSpotSchema.typeIDs[fromType] ?? ""), "fromObjectId": .string(fromID),
                "toObjectTypeId": .string(HubSpotSchema.typeIDs[toType] ?? ""), "toObjectId": .string(rest[4]),
                "labels": .array(ids.compactMap { HubSpotAssociationTypes.label(from: fromType, to: toType, typeID: $0) }.map { .string($0) }),
            ])
        case ("DELETE", 5):
            let toType = try objectType(rest[3])
            control.store.transaction { tx in dissociate(fromType: fromType, fromID: fromID, toType: toType, toID: rest[4], tx: &tx) }
            return .empty(204)
        default:
            throw HubSpotError.notFound()
        }
    }

    /// `/crm/v4/associations/{from}/{to}/batch/{create,read,archive,associate/default}`.
    func associationBatch(_ request: EmulatorRequest, rest: [String]) throws -> EmulatorResponse {
        guard request.method == "POST", rest.count >= 4, rest[2] == "batch" else { throw HubSpotError.notFound() }
        let fromType = try objectType(rest[0]), toType = try objectType(rest[1])
        let inputs = try json(request)["inputs"]?.arrayValue ?? []
        let now = Timestamps.isoMillis(EmulatorClock.systemMillis())
        var results: [JSONValue] = []
        var errors: [HubSpotError] = []
        let operation = rest.dropFirst(3).joined(separator: "/")
        guard inputs.count <= (operation == "read" ? 1000 : 100) else { throw HubSpotError.validation("Batch input limit exceeded") }
        for input in inputs {
            let fromID = input["from"]?["id"]?.textForm ?? input["id"]?.textForm ?? ""
            let toID = input["to"]?["id"]?.textForm ?? ""
            do {
                switch operation {
                case "read":
                    guard control.store.get(fromType, fromID) != nil else { throw HubSpotError.notFound(fromID) }
                    let links = associationLinks(fromType: fromType, fromID: fromID, toType: toType)
                    results.append(["from": ["id": .string(fromID)], "to": .array(links.map { ["toObjectId": .string($0.id), "associationTypes": typesJSON(from: fromType, to: toType, $0.typeIDs)] })])
                case "create", "associate/default":
                    let ids = operation == "create"
                        ? (input["types"]?.arrayValue ?? []).compactMap { $0["associationTypeId"]?.intValue }.map { Int($0) }
                        : [HubSpotAssociationTypes.defaultType(from: fromType, to: toType)].compactMap { $0 }
                    try control.store.transaction { tx in try associate(fromType: fromType, fromID: fromID, toType: toType, toID: toID, typeIDs: ids, tx: &tx) }
                    if operation == "create" {
                        results.append(["fromObjectTypeId": .string(HubSpotSchema.typeIDs[fromType] ?? ""), "fromObjectId": .string(fromID),
                                        "toObjectTypeId": .string(HubSpotSchema.typeIDs[toType] ?? ""), "toObjectId": .string(toID), "labels": []])
                    } else {
                        results.append(["from": ["id": .string(fromID)], "to": ["id": .string(toID)],
                                        "associationSpec": ["associationCategory": "HUBSPOT_DEFINED", "associationTypeId": .int(Int64(ids.first ?? 0))]])
                    }
                case "archive", "labels/archive":
                    for target in (input["to"]?.arrayValue ?? [input["to"] ?? .null]).compactMap({ $0["id"]?.textForm }) {
                        control.store.transaction { tx in dissociate(fromType: fromType, fromID: fromID, toType: toType, toID: target, tx: &tx) }
                    }
                default:
                    throw HubSpotError.notFound()
                }
            } catch let error as HubSpotError {
                errors.append(error)
            }
        }
        if operation.hasSuffix("archive") { return .empty(204) }
        var body: [String: JSONValue] = ["status": "COMPLETE", "results": .array(results), "startedAt": .string(now), "completedAt": .string(now)]
        if !errors.isEmpty {
            body["numErrors"] = .int(Int64(errors.count))
            body["errors"] = .array(errors.map(\.standardJSON))
        }
        let success = operation == "create" ? 201 : 200
        return .json(errors.isEmpty ? success : (operation == "associate/default" ? 200 : 207), .object(body))
    }
}
