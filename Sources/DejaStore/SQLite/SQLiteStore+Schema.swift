import DejaCore
import Foundation
import GRDB

/// The schema and its migrations, one step per version (`PRAGMA user_version`).
extension SQLiteStore {
    static func createSchema(_ db: Database) throws {
        try db.execute(sql: """
            PRAGMA application_id = \(applicationID);
            CREATE TABLE signatures (
                id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, service TEXT NOT NULL, hash TEXT NOT NULL,
                message TEXT NOT NULL, level INTEGER NOT NULL, count INTEGER NOT NULL,
                first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, example_event INTEGER NOT NULL, pattern TEXT,
                UNIQUE (tenant, service, hash));
            CREATE TABLE events (
                id INTEGER PRIMARY KEY, external_id TEXT, tenant TEXT NOT NULL, service TEXT NOT NULL,
                level INTEGER NOT NULL, timestamp INTEGER NOT NULL, labels TEXT NOT NULL, body TEXT NOT NULL,
                signature_id INTEGER NOT NULL REFERENCES signatures(id));
            CREATE INDEX events_by_signature ON events (signature_id, timestamp);
            CREATE INDEX events_by_external_id ON events (tenant, external_id) WHERE external_id IS NOT NULL;
            CREATE TABLE vectors (
                model TEXT NOT NULL, signature_id INTEGER NOT NULL, tenant TEXT NOT NULL, service TEXT NOT NULL,
                level INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model, signature_id));
            """)
        try createWALState(db)
    }

    /// What schema 2 adds beside the keyword index: the write-ahead-log position applied.
    private static func createWALState(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE wal_state (id INTEGER PRIMARY KEY CHECK (id = 1), applied INTEGER NOT NULL);
            PRAGMA user_version = 2;
            """)
    }

    /// Schema 3 keeps an outbox for an external vector index (ChromaDB): the count each signature
    /// had when last published, and signatures removed after they were published.
    static func migrateToSchema3(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE signatures ADD COLUMN indexed_count INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE index_removals (tenant TEXT NOT NULL, service TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (tenant, service, hash));
            PRAGMA user_version = 3;
            """)
    }

    /// Schema 1's (tenant, time) index served no query (a time range is read through a signature's
    /// (signature, time) index) and cost every insert. Its keyword index is rebuilt by schema 4.
    static func migrateToSchema2(_ db: Database) throws {
        try db.execute(sql: "DROP INDEX IF EXISTS events_by_time")
        try createWALState(db)
    }

    /// Schema 4 indexes a signature's words once, for the signature, and each event's other words
    /// for the event (`KeywordTerms`). Both indexes hold words only (contentless, so no copy of the
    /// text; rows are removed by giving the same words back) and no positions (`detail = none`):
    /// keyword search looks words up, never phrases.
    static func migrateToSchema4(_ db: Database) throws {
        try db.execute(sql: """
            DROP TABLE IF EXISTS events_fts;
            CREATE VIRTUAL TABLE events_fts USING fts5(terms, content = '', detail = none);
            CREATE VIRTUAL TABLE signatures_fts USING fts5(terms, content = '', detail = none);
            INSERT INTO signatures_fts (rowid, terms) SELECT id, deja_signature_terms(message) FROM signatures;
            INSERT INTO events_fts (rowid, terms)
                SELECT e.id, deja_event_terms(e.body, s.message) FROM events e JOIN signatures s ON s.id = e.signature_id;
            PRAGMA user_version = 4;
            """)
    }

    /// Schema 5 indexes a signature's events per segment of event ids (`segmentShift`).
    static func migrateToSchema5(_ db: Database) throws {
        try db.execute(sql: """
            DROP INDEX IF EXISTS events_by_signature;
            CREATE INDEX events_by_segment ON events (id >> \(segmentShift), signature_id, timestamp);
            PRAGMA user_version = 5;
            """)
    }

    /// Schema 6 keeps the time written in a line beside the collector's, when they differ.
    static func migrateToSchema6(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE events ADD COLUMN line_timestamp INTEGER;
            PRAGMA user_version = 6;
            """)
    }

    /// Schema 7 adds the pattern stage: each signature's pattern, the patterns' templates (a pattern
    /// folded into a wider one names it), and snapshots of each tenant's miner.
    static func migrateToSchema7(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE signatures ADD COLUMN pattern_id INTEGER;
            CREATE TABLE patterns (tenant TEXT NOT NULL, id INTEGER NOT NULL, template TEXT NOT NULL, merged_into INTEGER,
                                   PRIMARY KEY (tenant, id));
            CREATE INDEX patterns_by_survivor ON patterns (tenant, merged_into) WHERE merged_into IS NOT NULL;
            CREATE TABLE pattern_miners (tenant TEXT PRIMARY KEY, state BLOB NOT NULL, through_signature INTEGER NOT NULL);
            PRAGMA user_version = 7;
            """)
    }

    /// Schema 8 adds metric search: each tenant's metrics with the document embedded for them
    /// (its vector is dropped when the document changes, to be embedded again).
    static func migrateToSchema8(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE metrics (tenant TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, help TEXT NOT NULL,
                                  unit TEXT NOT NULL, labels TEXT NOT NULL, jobs TEXT NOT NULL, document TEXT NOT NULL,
                                  model TEXT, vector BLOB, last_seen INTEGER NOT NULL, PRIMARY KEY (tenant, name)) WITHOUT ROWID;
            PRAGMA user_version = 8;
            """)
    }

    /// Schema 9 adds the issue stage: each signature's issue, issues merged into others (the merged
    /// id keeps resolving), and issues a user split apart.
    static func migrateToSchema9(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE signatures ADD COLUMN issue_id INTEGER;
            CREATE TABLE issues (tenant TEXT NOT NULL, id INTEGER NOT NULL, merged_into INTEGER, PRIMARY KEY (tenant, id)) WITHOUT ROWID;
            CREATE TABLE issue_splits (tenant TEXT NOT NULL, first INTEGER NOT NULL, second INTEGER NOT NULL, PRIMARY KEY (tenant, first, second)) WITHOUT ROWID;
            PRAGMA user_version = 9;
            """)
    }

    /// Schema 10 indexes signatures by issue: search ranks an issue's members together.
    static func migrateToSchema10(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX signatures_by_issue ON signatures (tenant, issue_id) WHERE issue_id IS NOT NULL;
            PRAGMA user_version = 10;
            """)
    }

    /// Schema 11 records how each vector was made beside the model (`VectorRecord.recipe`): the
    /// vectors of an earlier release are embedded again in the background. Those stored before
    /// have none, and are the first embedded again.
    static func migrateToSchema11(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE vectors ADD COLUMN recipe TEXT NOT NULL DEFAULT '';
            PRAGMA user_version = 11;
            """)
    }
}
