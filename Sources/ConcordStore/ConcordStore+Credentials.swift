extension ConcordStore {
    /// A credential a CRM rotated, with the basis it was saved with (see the connectors'
    /// `CredentialVault`). The store file is readable by its owner only.
    public func credential(_ name: String) throws(StoreError) -> (value: String, basis: String)? {
        let s = try db.prepare("SELECT value, basis FROM credentials WHERE name = ?")
        s.bind(1, name)
        guard try s.step() else { return nil }
        return (s.text(0), s.text(1))
    }

    /// Saves (or replaces) a rotated credential.
    public func saveCredential(_ name: String, value: String, basis: String) throws(StoreError) {
        try writeTransaction { () throws(StoreError) in
            let s = try db.prepare("""
                INSERT INTO credentials(name, value, basis, updated_at) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT(name) DO UPDATE SET value = ?2, basis = ?3, updated_at = ?4
                """)
            s.bind(1, name); s.bind(2, value); s.bind(3, basis); s.bind(4, wallClock.nowMillis())
            try s.run()
        }
    }
}
