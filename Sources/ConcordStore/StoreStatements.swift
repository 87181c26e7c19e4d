/// The prepared statements of the hot paths, prepared once when the store opens.
final class StoreStatements {
    let insertField: SQLiteStatement
    let insertType: SQLiteStatement
    let getMeta: SQLiteStatement
    let setMeta: SQLiteStatement
    let selectByGID: SQLiteStatement
    let insertEntity: SQLiteStatement
    let updateEntity: SQLiteStatement
    let insertQuarantine: SQLiteStatement

    init(db: SQLiteConnection) throws(StoreError) {
        insertField = try db.prepareDedicated("INSERT INTO fields(name) VALUES (?)")
        insertType = try db.prepareDedicated("INSERT INTO object_types(name) VALUES (?)")
        getMeta = try db.prepareDedicated("SELECT value FROM meta WHERE key = ?")
        setMeta = try db.prepareDedicated("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        selectByGID = try db.prepareDedicated("SELECT id, object_type, cl, registers, seq FROM entities WHERE gid = ?")
        insertEntity = try db.prepareDedicated("INSERT INTO entities(gid, object_type, cl, seq, registers) VALUES (?, ?, ?, ?, ?)")
        updateEntity = try db.prepareDedicated("UPDATE entities SET cl = ?, seq = ?, registers = ? WHERE id = ?")
        insertQuarantine = try db.prepareDedicated("""
            INSERT INTO quarantine(key, object_type, replica, record_key, input, rule, reason, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(key) DO UPDATE SET object_type = excluded.object_type, replica = excluded.replica,
                record_key = excluded.record_key, input = excluded.input, rule = excluded.rule, reason = excluded.reason
            """)
    }
}
