/// The store's schema as an ordered list of migrations.
///
/// Migration `n` (1-based) takes a store from schema version `n - 1` to `n`. A store
/// records its version in `PRAGMA user_version` and in `meta`; opening a store whose
/// version is newer than ``Schema/currentVersion`` is an error, never a guess.
///
/// Layout (chosen by measurement, see README "Store layout"): one row per record holding a
/// packed vector of its field registers (``PackedRegisters``), rather than one row per
/// field. Field names are interned in `fields`, object types in `object_types`, so custom
/// fields need no schema change.
enum Schema {
    /// `PRAGMA application_id` of every Concord store: "CNCD".
    static let applicationID: Int32 = 0x434E_4344

    /// The newest schema version this code knows.
    static var currentVersion: Int { migrations.count }

    /// The migrations, oldest first.
    static let migrations: [String] = [
        """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID;
        CREATE TABLE object_types(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE fields(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE entities(
            id INTEGER PRIMARY KEY,
            gid BLOB NOT NULL UNIQUE,
            object_type INTEGER NOT NULL REFERENCES object_types(id),
            cl INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            registers BLOB NOT NULL
        );
        CREATE INDEX entities_seq ON entities(seq);
        CREATE TABLE shadows(
            replica TEXT NOT NULL,
            gid BLOB NOT NULL,
            fields BLOB NOT NULL,
            PRIMARY KEY(replica, gid)
        ) WITHOUT ROWID;
        CREATE TABLE links(
            replica TEXT NOT NULL,
            object_type TEXT NOT NULL,
            external_id TEXT NOT NULL,
            gid BLOB NOT NULL,
            PRIMARY KEY(replica, object_type, external_id)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX links_gid ON links(gid, replica);
        CREATE TABLE cursors(
            replica TEXT NOT NULL,
            object_type TEXT NOT NULL,
            cursor TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY(replica, object_type)
        ) WITHOUT ROWID;
        CREATE TABLE outbox(
            id INTEGER PRIMARY KEY,
            replica TEXT NOT NULL,
            object_type TEXT NOT NULL,
            gid BLOB NOT NULL,
            operation TEXT NOT NULL,
            payload BLOB NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL,
            last_error TEXT
        );
        CREATE INDEX outbox_pending ON outbox(replica, state, id);
        CREATE UNIQUE INDEX outbox_one_per_record ON outbox(replica, gid) WHERE state IN ('pending', 'sending');
        CREATE TABLE inbox(
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            received_at INTEGER NOT NULL,
            headers TEXT NOT NULL,
            body BLOB NOT NULL,
            processed_at INTEGER
        );
        CREATE TABLE match_keys(
            object_type TEXT NOT NULL,
            field TEXT NOT NULL,
            value BLOB NOT NULL,
            gid BLOB NOT NULL,
            PRIMARY KEY(object_type, field, value, gid)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX match_keys_gid ON match_keys(gid, field);
        CREATE TABLE replica_state(
            replica TEXT PRIMARY KEY,
            last_error TEXT,
            last_pass_at INTEGER NOT NULL,
            day INTEGER NOT NULL,
            calls_today INTEGER NOT NULL,
            circuit TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE conflicts(
            id INTEGER PRIMARY KEY,
            gid BLOB NOT NULL,
            field TEXT NOT NULL,
            winner BLOB NOT NULL,
            winner_hlc INTEGER NOT NULL,
            winner_site INTEGER NOT NULL,
            loser BLOB NOT NULL,
            loser_hlc INTEGER NOT NULL,
            loser_site INTEGER NOT NULL,
            at INTEGER NOT NULL
        );
        CREATE INDEX conflicts_gid ON conflicts(gid, field, id);
        CREATE TABLE quarantine(
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            object_type TEXT NOT NULL,
            replica TEXT NOT NULL,
            record_key TEXT NOT NULL,
            input BLOB NOT NULL,
            rule TEXT NOT NULL,
            reason TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        """,
        // 2: pushes read the outbox one object type at a time, in pages; merges that a CRM
        // reported (HubSpot, Salesforce) redirect the merged-away record to its survivor.
        """
        CREATE INDEX outbox_object ON outbox(replica, object_type, state, id);
        CREATE INDEX outbox_record ON outbox(replica, gid);
        CREATE TABLE merged_into(
            gid BLOB PRIMARY KEY,
            survivor BLOB NOT NULL,
            replica TEXT NOT NULL,
            at INTEGER NOT NULL
        ) WITHOUT ROWID;
        """,
        // 3: deletes inferred from absence that the deletion guard holds until approved.
        """
        CREATE TABLE deletion_holds(
            replica TEXT NOT NULL,
            object_type TEXT NOT NULL,
            deletes INTEGER NOT NULL,
            linked INTEGER NOT NULL,
            detected_at INTEGER NOT NULL,
            approved INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY(replica, object_type)
        ) WITHOUT ROWID;
        """,
        // 4: credentials a CRM rotated (an OAuth refresh token), kept across restarts.
        """
        CREATE TABLE credentials(
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            basis TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        """,
        // 5: the webhook inbox: one row per delivered event, committed before the CRM is
        // answered; pending rows (done_at NULL) are the targeted work, done rows stay a while
        // so a redelivered event id is known (deduplication), then are pruned. It replaces
        // the raw-body inbox of schema 1, which nothing ever wrote.
        """
        DROP TABLE inbox;
        CREATE TABLE inbox(
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            replica TEXT NOT NULL,
            crm_object TEXT NOT NULL,
            crm_id TEXT NOT NULL,
            event_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            occurred_at INTEGER NOT NULL,
            received_at INTEGER NOT NULL,
            done_at INTEGER,
            UNIQUE(replica, event_id)
        );
        CREATE INDEX inbox_pending ON inbox(seq) WHERE done_at IS NULL;
        CREATE INDEX inbox_done ON inbox(done_at) WHERE done_at IS NOT NULL;
        """,
        // 6: store-to-store replication. `replication_cursors`: per peer store (site and
        // incarnation) and stream, how far this store has applied that peer's changes, moved in
        // the same transaction as the batch. `replication_peers`: per peer this store sends to,
        // how far the peer has acknowledged this store's changes and when it was last reached.
        """
        CREATE TABLE replication_cursors(
            peer_site INTEGER NOT NULL,
            incarnation INTEGER NOT NULL,
            stream TEXT NOT NULL,
            through INTEGER NOT NULL,
            floor INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY(peer_site, incarnation, stream)
        ) WITHOUT ROWID;
        CREATE TABLE replication_peers(
            peer TEXT PRIMARY KEY,
            peer_site INTEGER,
            acked_through INTEGER NOT NULL DEFAULT 0,
            acked_floor INTEGER NOT NULL DEFAULT 0,
            skip_to INTEGER NOT NULL DEFAULT 0,
            incoming_pending INTEGER NOT NULL DEFAULT 0,
            last_contact INTEGER,
            last_attempt INTEGER,
            last_error TEXT
        ) WITHOUT ROWID;
        """,
    ]
}
