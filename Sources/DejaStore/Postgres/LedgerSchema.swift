/// The shared state's tables, as numbered migrations: a replica applies the ones the database lacks,
/// in order, while it holds an advisory lock, so that replicas starting together migrate once.
enum LedgerSchema {
    /// Key of the advisory lock held while migrating.
    static let migrationLock: Int64 = 0x6465_6A61_6D69_6772  // "dejamigr"

    static let migrations: [(version: Int, statements: [String])] = [
        (1, [
            // One row per tenant, service and message signature, whichever replica saw it first;
            // counts add up what every replica stored.
            """
            CREATE TABLE deja_signatures (
                id bigserial PRIMARY KEY, tenant text NOT NULL, service text NOT NULL, hash text NOT NULL,
                message text NOT NULL, level smallint NOT NULL, count bigint NOT NULL,
                first_seen bigint NOT NULL, last_seen bigint NOT NULL,
                example_body text NOT NULL, example_time bigint NOT NULL, example_labels text NOT NULL,
                search_terms text NOT NULL,
                search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_terms)) STORED,
                UNIQUE (tenant, service, hash))
            """,
            "CREATE INDEX deja_signatures_by_tenant ON deja_signatures (tenant, last_seen)",
            // Keyword search in cluster mode covers signature messages and their example events
            // (`KeywordTerms`, as the embedded store indexes them).
            "CREATE INDEX deja_signatures_text ON deja_signatures USING gin (search_vector)",
            // Counts per signature and minute: counts over any range of whole minutes are exact.
            """
            CREATE TABLE deja_signature_minutes (
                signature_id bigint NOT NULL REFERENCES deja_signatures (id) ON DELETE CASCADE,
                minute bigint NOT NULL, count bigint NOT NULL, PRIMARY KEY (signature_id, minute))
            """,
            // How far each replica's write-ahead log is counted: moved in the transaction that
            // counts, so a replayed record is never counted twice.
            """
            CREATE TABLE deja_replicas (
                replica text PRIMARY KEY, applied bigint NOT NULL, updated timestamptz NOT NULL DEFAULT now())
            """,
        ]),
    ]

    static var latestVersion: Int { migrations.last?.version ?? 0 }
}
