import CSQLite

/// Checking the store file for damage.
extension ConcordStore {
    /// Reads every page of the store and checks its structure (SQLite's `integrity_check`).
    ///
    /// Costs a full read of the file, so it is not run on every open; run it after a disk
    /// problem or a crash you doubt.
    ///
    /// ```swift
    /// try store.checkIntegrity()   // throws StoreError(.corrupt) naming the file and the damage
    /// ```
    /// - Throws: ``StoreError`` with code `corrupt`, listing the first problems found.
    public func checkIntegrity() throws(StoreError) {
        var problems: [String] = []
        do {
            let s = try db.prepare("PRAGMA integrity_check(20)")
            while try s.step() { problems.append(s.text(0)) }
        } catch where error.code == .corrupt {
            // Damage that stops the check itself.
            problems.append("stopped, SQLite: \(String(cString: sqlite3_errmsg(db.handle)))")
        }
        guard problems != ["ok"] else { return }
        throw StoreError(.corrupt, "\(path) is damaged (integrity check: \(problems.prefix(5).joined(separator: "; "))); "
                         + "restore it from a backup, or move it aside (with its -wal and -shm files) and run "
                         + "`concord sync` to rebuild it from the CRMs", path: path)
    }
}
