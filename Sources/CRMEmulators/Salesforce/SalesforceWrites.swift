extension SalesforceEmulator {
    static func schema(_ name: String) throws -> ObjectSchema {
        guard let canonical = SalesforceSchema.objectName(name), let schema = SalesforceSchema.objects[canonical] else {
            throw SalesforceError(status: 404, code: "NOT_FOUND", message: "The requested resource does not exist")
        }
        return schema
    }

    static func exists(_ id: String, in tx: StoreTransaction) -> Bool {
        guard let type = SalesforceIDs.objectName(forID: id) else { return false }
        return tx.get(type, id) != nil
    }

    private static func checkUnique(_ values: [String: JSONValue], object: ObjectSchema, except id: String?, tx: StoreTransaction) throws {
        for field in object.fields where field.unique {
            guard let value = values[field.name], !value.isNull else { continue }
            if let other = tx.lookup(object.name, field: field.name, equals: value).first(where: { $0.fields[field.name] == value && $0.id != id }) {
                throw SalesforceError(status: 400, code: "DUPLICATE_VALUE", message: "duplicate value found: \(field.name) duplicates value on record with id: \(other.id)", fields: [field.name])
            }
        }
    }

    /// Validates and inserts one record.
    func create(_ object: ObjectSchema, body: JSONValue, tx: inout StoreTransaction) throws -> StoredRecord {
        let snapshot = tx
        var values = try SalesforceValidation.validate(body, object: object, existing: nil) { Self.exists($0, in: snapshot) }
        try Self.checkUnique(values, object: object, except: nil, tx: tx)
        Self.deriveActivity(&values, object: object, existing: nil, tx: tx, now: control.store.clock.now())
        let id = SalesforceIDs.make(prefix: SalesforceSchema.prefixes[object.name] ?? "a00", counter: tx.nextCounter())
        return tx.create(object.name, id: id, fields: values, source: Self.callSource)
    }

    /// Validates and applies an update to one record.
    func update(_ object: ObjectSchema, id rawID: String, body: JSONValue, tx: inout StoreTransaction) throws -> StoredRecord {
        guard let id = SalesforceIDs.normalise(rawID) else {
            throw SalesforceError(status: 400, code: "MALFORMED_ID", message: "malformed id \(rawID)")
        }
        guard let existing = tx.get(object.name, id) else {
            if tx.get(object.name, id, includeDeleted: true) != nil {
                throw SalesforceError(status: 404, code: "ENTITY_IS_DELETED", message: "entity is deleted")
            }
            throw SalesforceError.notFound("Provided external ID field does not exist or is not accessible: \(id)")
        }
        let snapshot = tx
        var values = try SalesforceValidation.validate(body, object: object, existing: existing) { Self.exists($0, in: snapshot) }
        try Self.checkUnique(values, object: object, except: id, tx: tx)
        Self.deriveActivity(&values, object: object, existing: existing, tx: tx, now: control.store.clock.now())
        return try tx.update(object.name, id: id, changes: values, source: Self.callSource)
    }

    /// Soft-deletes one record.
    func delete(_ object: ObjectSchema, id rawID: String, tx: inout StoreTransaction) throws {
        guard let id = SalesforceIDs.normalise(rawID), tx.get(object.name, id) != nil else {
            if let id = SalesforceIDs.normalise(rawID), tx.get(object.name, id, includeDeleted: true) != nil {
                throw SalesforceError(status: 404, code: "ENTITY_IS_DELETED", message: "entity is deleted")
            }
            throw SalesforceError(status: 404, code: "NOT_FOUND", message: "Provided external ID field does not exist or is not accessible: \(rawID)")
        }
        try tx.delete(object.name, id: id, source: Self.callSource)
    }

    /// Upsert by external id: returns the record and whether it was created. Throws 300 on several matches.
    func upsert(_ object: ObjectSchema, field rawField: String, value: String, body: JSONValue, base: String,
                tx: inout StoreTransaction) throws -> (StoredRecord, Bool) {
        guard let field = object.fieldIgnoringCase(rawField), field.unique || field.name == "Id" else {
            throw SalesforceError(status: 404, code: "NOT_FOUND", message: "Provided external ID field does not exist or is not accessible: \(rawField)")
        }
        if field.name == "Id" {
            if value.isEmpty { return (try create(object, body: body, tx: &tx), true) }
            return (try update(object, id: value, body: body, tx: &tx), false)
        }
        let matches = tx.lookup(object.name, field: field.name, equals: .string(value))
        if matches.count > 1 {
            throw SalesforceError(status: 300, code: "MULTIPLE_CHOICES", message: matches.map { "\(base)/sobjects/\(object.name)/\($0.id)" }.joined(separator: ", "))
        }
        var fields = body.objectValue ?? [:]
        if let existing = matches.first {
            fields.removeValue(forKey: field.name)
            return (try update(object, id: existing.id, body: .object(fields), tx: &tx), false)
        }
        fields[field.name] = .string(value)
        return (try create(object, body: .object(fields), tx: &tx), true)
    }
}
