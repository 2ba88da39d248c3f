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
        (2, [
            // What the grouping leader decided of each signature: its pattern (and the order the
            // miner learned it in) and its issue. A table apart from the counted rows, so that
            // grouping never waits on, nor deadlocks with, replicas counting the same signatures.
            """
            CREATE TABLE deja_signature_groups (
                signature_id bigint PRIMARY KEY REFERENCES deja_signatures (id) ON DELETE CASCADE,
                tenant text NOT NULL, pattern_id bigint NOT NULL, mined_seq bigint NOT NULL, issue_id bigint)
            """,
            "CREATE INDEX deja_signature_groups_mined ON deja_signature_groups (tenant, mined_seq)",
            "CREATE INDEX deja_signature_groups_unplaced ON deja_signature_groups (signature_id) WHERE issue_id IS NULL",
            "CREATE INDEX deja_signature_groups_issue ON deja_signature_groups (tenant, issue_id) WHERE issue_id IS NOT NULL",
            // Each tenant's patterns (a folded pattern names the one it joined) and miner.
            """
            CREATE TABLE deja_patterns (
                tenant text NOT NULL, id bigint NOT NULL, template text NOT NULL, merged_into bigint, PRIMARY KEY (tenant, id))
            """,
            "CREATE TABLE deja_pattern_miners (tenant text PRIMARY KEY, state bytea NOT NULL, through_seq bigint NOT NULL)",
            // Issues merged into others, and pairs a user split apart.
            "CREATE TABLE deja_issues (tenant text NOT NULL, id bigint NOT NULL, merged_into bigint, PRIMARY KEY (tenant, id))",
            """
            CREATE TABLE deja_issue_splits (
                tenant text NOT NULL, first bigint NOT NULL, second bigint NOT NULL, PRIMARY KEY (tenant, first, second))
            """,
            // Users' merges and splits, asked of any replica and done by the grouping leader.
            """
            CREATE TABLE deja_issue_requests (
                id bigserial PRIMARY KEY, tenant text NOT NULL, issue bigint NOT NULL, into_issue bigint, signatures int8[],
                done boolean NOT NULL DEFAULT false, result bigint, asked timestamptz NOT NULL DEFAULT now())
            """,
            "CREATE INDEX deja_issue_requests_open ON deja_issue_requests (id) WHERE NOT done",
            // Work one replica at a time does (grouping), held by renewing it before it expires.
            "CREATE TABLE deja_leases (name text PRIMARY KEY, holder text NOT NULL, expires timestamptz NOT NULL)",
        ]),
        (3, [
            // Alert occurrences, as the embedded alert store keeps them: whichever replica
            // Alertmanager's webhook reaches records and enriches, every replica lists.
            """
            CREATE TABLE deja_alerts (
                tenant text NOT NULL, fingerprint text NOT NULL, starts_at bigint NOT NULL, name text NOT NULL, status text NOT NULL,
                alert text NOT NULL, group_key text NOT NULL, receiver text NOT NULL, external_url text NOT NULL,
                first_received bigint NOT NULL, last_received bigint NOT NULL, notifications integer NOT NULL, enrichment text,
                PRIMARY KEY (tenant, fingerprint, starts_at))
            """,
            "CREATE INDEX deja_alerts_by_name ON deja_alerts (tenant, name, starts_at)",
            "CREATE INDEX deja_alerts_by_time ON deja_alerts (tenant, last_received)",
            "CREATE INDEX deja_alerts_unenriched ON deja_alerts (first_received) WHERE enrichment IS NULL",
            """
            CREATE TABLE deja_alert_payloads (
                id bigserial PRIMARY KEY, tenant text NOT NULL, received bigint NOT NULL, version text NOT NULL, body bytea NOT NULL)
            """,
            // Metric documents and their vectors, per tenant.
            """
            CREATE TABLE deja_metrics (
                tenant text NOT NULL, name text NOT NULL, type text NOT NULL, help text NOT NULL, unit text NOT NULL,
                labels text NOT NULL, jobs text NOT NULL, document text NOT NULL, last_seen bigint NOT NULL, model text, vector bytea,
                PRIMARY KEY (tenant, name))
            """,
        ]),
        (4, [
            // Counting events rewrites their signatures' rows. With `last_seen` indexed no such
            // update could be HOT (heap-only): each one added the row's words to the text index
            // again, and keyword search read through a growing pending list and dead entries under
            // ingest. Without that index (the tenant prefix of the unique key serves its reads) and
            // with room left on each page, counts are rewritten in place and no index is touched.
            "DROP INDEX deja_signatures_by_tenant",
            "ALTER TABLE deja_signatures SET (fillfactor = 70)",
            "ALTER TABLE deja_signature_minutes SET (fillfactor = 80)",
            // New signatures go into the text index at once: searches never scan a pending list.
            "ALTER INDEX deja_signatures_text SET (fastupdate = off)",
            "SELECT gin_clean_pending_list('deja_signatures_text')",
        ]),
        (5, [
            // Each tenant's streams (distinct label sets) and each signature's counts per stream and
            // minute: a label filter is answered from what every replica counted. Events counted
            // before this table existed have no stream: filters by labels do not find them.
            """
            CREATE TABLE deja_streams (
                id bigserial PRIMARY KEY, tenant text NOT NULL, labels_key text NOT NULL, labels jsonb NOT NULL)
            """,
            // A label set may be long: its key is unique through a digest.
            "CREATE UNIQUE INDEX deja_streams_key ON deja_streams (tenant, md5(labels_key))",
            "CREATE INDEX deja_streams_labels ON deja_streams USING gin (labels jsonb_path_ops)",
            """
            CREATE TABLE deja_stream_minutes (
                signature_id bigint NOT NULL REFERENCES deja_signatures (id) ON DELETE CASCADE,
                stream_id bigint NOT NULL REFERENCES deja_streams (id) ON DELETE CASCADE,
                minute bigint NOT NULL, count bigint NOT NULL, PRIMARY KEY (signature_id, stream_id, minute))
                WITH (fillfactor = 80)
            """,
        ]),
        (6, [
            // Each issue's most counted members, ranked by the grouping leader: search reads them
            // on every query, and ranking live sorted every member of a large issue each time.
            """
            CREATE TABLE deja_issue_top_members (
                tenant text NOT NULL, issue_id bigint NOT NULL, rank integer NOT NULL, signature_id bigint NOT NULL,
                PRIMARY KEY (tenant, issue_id, rank))
            """,
        ]),
        (7, [
            // Signatures retention removed, whose ChromaDB records the grouping leader deletes:
            // queued in the transaction that removes them, so a ChromaDB outage loses none.
            "CREATE TABLE deja_index_removals (tenant text NOT NULL, service text NOT NULL, hash text NOT NULL, PRIMARY KEY (tenant, service, hash))",
        ]),
    ]

    static var latestVersion: Int { migrations.last?.version ?? 0 }
}
