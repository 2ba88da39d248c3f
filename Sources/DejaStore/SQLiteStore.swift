import DejaCore
import Foundation
import GRDB
import GRDBSQLite

/// The embedded store: one SQLite database (WAL mode, so readers run during ingest) holding
/// events, signatures, FTS5 indexes of their words (`KeywordTerms`), and signature vectors per model.
public final class SQLiteStore: VectorStore, @unchecked Sendable {
    // @unchecked: GRDB's DatabasePool serializes writes and is safe to share; the vector cache is
    // guarded by `cacheLock`.
    /// 'DEJA' in SQLite's application_id, so that a foreign database is recognized.
    static let applicationID: Int32 = 0x4445_4A41
    static let schemaVersion = 7
    /// How long a connection waits for the database's lock before it gives up.
    static let busyTimeout: TimeInterval = 10

    let pool: DatabasePool
    private let path: String
    private let cacheLock = NSLock()
    private var vectorCache: [String: VectorMatrix] = [:]
    /// Counts vector changes, so that a matrix loaded while one was stored is not cached.
    private var vectorGeneration = 0
    private var frequencyCache: TermFrequencies?
    private var rebuildingFrequencies = false

    /// Opens (creating if needed) the store in `directory`.
    public init(directory: DataDirectory) throws {
        path = directory.database.path
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.prepareDatabase { db in
            // 128 MB of page cache: at a million events the indexes outgrow SQLite's 2 MB default,
            // and the writer would re-read pages it touched moments before. Over 64 MB, together
            // with the writer no longer freeing batches, sustained push rose from 32–36k to 38k
            // events/s with RSS still flat (scripts/bench_serve.py).
            try db.execute(sql: "PRAGMA cache_size = -131072; PRAGMA wal_autocheckpoint = 16384")
            Self.indexFunctions.forEach(db.add(function:))
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB sets NORMAL, under which a commit is durable only at the next checkpoint. The
            // server deletes write-ahead-log segments once their events are committed, so a commit
            // must survive power loss: FULL syncs SQLite's log at each commit (about one a second).
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try pool.write { db in
                let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table'") ?? 0
                if id != Self.applicationID && (id != 0 || tables > 0) { throw StoreError.foreignDatabase(self.path) }
                let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                if version > Self.schemaVersion { throw StoreError.newerSchema(self.path, version) }
                if version < 1 { try Self.createSchema(db) }
                if version == 1 { try Self.migrateToSchema2(db) }
                if version < 3 { try Self.migrateToSchema3(db) }
                if version < 4 { try Self.migrateToSchema4(db) }
                if version < 5 { try Self.migrateToSchema5(db) }
                if version < 6 { try Self.migrateToSchema6(db) }
                if version < 7 { try Self.migrateToSchema7(db) }
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where [.SQLITE_NOTADB, .SQLITE_CORRUPT].contains(error.resultCode) {
            throw StoreError.corruptDatabase(path, error.message ?? "\(error.resultCode)")
        }
    }

    private static func createSchema(_ db: Database) throws {
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
    private static func migrateToSchema3(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE signatures ADD COLUMN indexed_count INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE index_removals (tenant TEXT NOT NULL, service TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (tenant, service, hash));
            PRAGMA user_version = 3;
            """)
    }

    /// Schema 1's (tenant, time) index served no query (a time range is read through a signature's
    /// (signature, time) index) and cost every insert. Its keyword index is rebuilt by schema 4.
    private static func migrateToSchema2(_ db: Database) throws {
        try db.execute(sql: "DROP INDEX IF EXISTS events_by_time")
        try createWALState(db)
    }

    /// Schema 4 indexes a signature's words once, for the signature, and each event's other words
    /// for the event (`KeywordTerms`). Both indexes hold words only (contentless, so no copy of the
    /// text; rows are removed by giving the same words back) and no positions (`detail = none`):
    /// keyword search looks words up, never phrases.
    private static func migrateToSchema4(_ db: Database) throws {
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
    private static func migrateToSchema5(_ db: Database) throws {
        try db.execute(sql: """
            DROP INDEX IF EXISTS events_by_signature;
            CREATE INDEX events_by_segment ON events (id >> \(segmentShift), signature_id, timestamp);
            PRAGMA user_version = 5;
            """)
    }

    /// Schema 6 keeps the time written in a line beside the collector's, when they differ.
    private static func migrateToSchema6(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE events ADD COLUMN line_timestamp INTEGER;
            PRAGMA user_version = 6;
            """)
    }

    /// Schema 7 adds the pattern stage: each signature's pattern, the patterns' templates (a pattern
    /// folded into a wider one names it), and snapshots of each tenant's miner.
    private static func migrateToSchema7(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE signatures ADD COLUMN pattern_id INTEGER;
            CREATE TABLE patterns (tenant TEXT NOT NULL, id INTEGER NOT NULL, template TEXT NOT NULL, merged_into INTEGER,
                                   PRIMARY KEY (tenant, id));
            CREATE INDEX patterns_by_survivor ON patterns (tenant, merged_into) WHERE merged_into IS NOT NULL;
            CREATE TABLE pattern_miners (tenant TEXT PRIMARY KEY, state BLOB NOT NULL, through_signature INTEGER NOT NULL);
            PRAGMA user_version = 7;
            """)
    }

    /// Events are indexed by (segment, signature, time), a segment being 2^18 consecutive event ids,
    /// rather than by (signature, time): a commit then writes the index pages of the newest segment
    /// (at most 1,600) instead of one page per signature it touches, which at 20,000 signatures
    /// was most of what a commit wrote and grew with the store. A signature's events are read with
    /// one index search per segment since its first event.
    static let segmentShift = 18

    /// `column >> segmentShift` in (the segments of) `first...last`, as an SQL condition the
    /// (segment, signature, time) index answers.
    static func inSegments(_ column: String, from first: Int64, through last: Int64) -> String {
        let segments = (max(0, first) >> segmentShift)...(max(0, first, last) >> segmentShift)
        return "(\(column) >> \(segmentShift)) IN (\(segments.map(String.init).joined(separator: ",")))"
    }

    /// The condition on `column` for all segments holding events.
    func inAllSegments(_ column: String, _ db: Database) throws -> String {
        // Two subqueries: each is one index lookup, where `min(id), max(id)` together would scan.
        let row = try Row.fetchOne(db, sql: "SELECT (SELECT min(id) FROM events), (SELECT max(id) FROM events)")!
        let (first, last): (Int64?, Int64?) = (row[0], row[1])  // NULL when there are no events
        return Self.inSegments(column, from: first ?? 0, through: last ?? 0)
    }

    /// `KeywordTerms` in SQL, for rebuilding and removing index rows.
    private static let indexFunctions = [
        DatabaseFunction("deja_event_terms", argumentCount: 2, pure: true) { values in
            guard let body = String.fromDatabaseValue(values[0]), let message = String.fromDatabaseValue(values[1]) else { return nil }
            return KeywordTerms.eventText(body, message: message)
        },
        DatabaseFunction("deja_signature_terms", argumentCount: 1, pure: true) { values in
            String.fromDatabaseValue(values[0]).map(KeywordTerms.signatureText)
        },
    ]

    // MARK: - Events and signatures

    public func ingest(_ batch: [PreparedEvent], patterns: PatternAssigner? = nil) throws -> IngestSummary {
        var taken = false
        return try ingest(batches: {
            defer { taken = true }
            return taken ? nil : (batch, nil)
        }, patterns: patterns)
    }

    /// Stores in one transaction the batches `next` gives until it gives nil, and, in the same
    /// transaction, the last write-ahead-log position given as applied: after a crash, replay
    /// resumes exactly there. One transaction for several batches writes each
    /// index page it touches once, not once per batch.
    /// With `patterns`, each new signature gets its pattern in the same transaction.
    public func ingest(batches next: () throws -> (events: [PreparedEvent], walPosition: UInt64?)?,
                       patterns: PatternAssigner? = nil) throws -> IngestSummary {
        defer { truncateLogIfLarge() }
        do {
            return try write(batches: next, patterns: patterns)
        } catch {
            // What the assigner learned from the rolled-back signatures is not stored: it starts over from what is.
            try patterns?.rolledBack()
            throw error
        }
    }

    private func write(batches next: () throws -> (events: [PreparedEvent], walPosition: UInt64?)?,
                       patterns: PatternAssigner?) throws -> IngestSummary {
        try pool.write { db in
            var summary = IngestSummary()
            var applied: UInt64?
            let findSignature = try db.cachedStatement(sql: "SELECT id FROM signatures WHERE tenant = ? AND service = ? AND hash = ?")
            let insertSignature = try db.cachedStatement(sql: """
                INSERT INTO signatures (tenant, service, hash, message, level, count, first_seen, last_seen, example_event, pattern_id)
                VALUES (?, ?, ?, ?, ?, 0, ?, ?, 0, ?)
                """)
            let insertEvent = try db.cachedStatement(sql: """
                INSERT INTO events (external_id, tenant, service, level, timestamp, labels, body, signature_id, line_timestamp)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertText = try db.cachedStatement(sql: "INSERT INTO events_fts (rowid, terms) VALUES (?, ?)")
            let insertSignatureText = try db.cachedStatement(sql: "INSERT INTO signatures_fts (rowid, terms) VALUES (?, ?)")
            let count = try db.cachedStatement(sql: """
                UPDATE signatures SET count = count + ?1, first_seen = min(first_seen, ?2), last_seen = max(last_seen, ?3),
                    level = max(level, ?4), example_event = CASE WHEN example_event = 0 THEN ?5 ELSE example_event END
                WHERE id = ?6
                """)
            // Counts, times and levels change once per signature per transaction, not once per event.
            var changes: [Int64: SignatureChange] = [:]
            let (find, insertSig, insertRow, index) = (RawStatement(findSignature, in: db), RawStatement(insertSignature, in: db),
                                                       RawStatement(insertEvent, in: db), RawStatement(insertText, in: db))
            var known: [String: Int64] = [:]
            while let (batch, walPosition) = try next() {
                applied = walPosition ?? applied
                for item in batch {
                    let e = item.event
                    let key = e.tenant + "\u{0}" + e.service + "\u{0}" + item.signatureHash
                    var signatureID = known[key]
                    if signatureID == nil {
                        find.bind(1, e.tenant); find.bind(2, e.service); find.bind(3, item.signatureHash)
                        signatureID = try find.fetchInt64()
                    }
                    if signatureID == nil {
                        insertSig.bind(1, e.tenant); insertSig.bind(2, e.service); insertSig.bind(3, item.signatureHash)
                        insertSig.bind(4, item.message); insertSig.bind(5, Int64(e.level.rawValue)); insertSig.bind(6, e.timestamp)
                        insertSig.bind(7, e.timestamp)
                        insertSig.bind(8, patterns?.pattern(tenant: e.tenant, message: item.message))
                        try insertSig.execute()
                        signatureID = insertSig.lastInsertedRowID
                        patterns?.stored(signature: signatureID!, tenant: e.tenant)
                        try insertSignatureText.execute(arguments: [signatureID, KeywordTerms.signatureText(item.message)])
                        summary.newSignatures.append(signatureID!)
                    }
                    known[key] = signatureID
                    insertRow.bind(1, e.externalID); insertRow.bind(2, e.tenant); insertRow.bind(3, e.service); insertRow.bind(4, Int64(e.level.rawValue))
                    insertRow.bind(5, e.timestamp); insertRow.bind(6, item.labelsJSON); insertRow.bind(7, item.body); insertRow.bind(8, signatureID!)
                    insertRow.bind(9, e.lineTimestamp)
                    try insertRow.execute()
                    let eventID = insertRow.lastInsertedRowID
                    index.bind(1, eventID); index.bind(2, item.indexText)
                    try index.execute()
                    changes[signatureID!, default: SignatureChange(firstEvent: eventID)].add(e)
                    summary.events += 1
                }
            }
            if let applied {
                try db.execute(sql: "INSERT OR REPLACE INTO wal_state (id, applied) VALUES (1, ?)", arguments: [Int64(applied)])
            }
            for (id, change) in changes {
                try count.execute(arguments: [change.count, change.firstSeen, change.lastSeen, change.level, change.firstEvent, id])
            }
            if let update = try patterns?.pendingUpdate() { try Self.write(update, db) }
            return summary
        }
    }

    /// Past this size SQLite's log is checkpointed and truncated after a commit: when searches
    /// never pause, there is always a reader when the automatic checkpoint would start it over,
    /// and it would grow without end.
    var logTruncateBytes = 1 << 30

    private func truncateLogIfLarge() {
        guard let size = try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int,
              size > logTruncateBytes else { return }
        // Waits a moment for the log's readers to finish, not the writer's whole busy timeout:
        // when one is still reading, the next commit tries again.
        try? pool.writeWithoutTransaction { db in
            sqlite3_busy_timeout(db.sqliteConnection, 200)
            defer { sqlite3_busy_timeout(db.sqliteConnection, Int32(Self.busyTimeout * 1000)) }
            _ = try db.checkpoint(.truncate)
        }
    }

    /// The write-ahead-log position of the last batch stored through it (0 when none).
    public func walApplied() throws -> UInt64 {
        UInt64(try pool.read { db in try Int64.fetchOne(db, sql: "SELECT applied FROM wal_state WHERE id = 1") } ?? 0)
    }

    /// Term frequencies. Once built, a search never waits for them: when signatures have grown by
    /// a tenth since, they are rebuilt on another thread (a build reads every signature, seconds at
    /// a hundred thousand) and searches use the previous ones meanwhile. They only order and
    /// pre-filter words; a word they do not know yet is counted in the index exactly.
    func termFrequencies(_ db: Database) throws -> TermFrequencies {
        // Ids only grow, and the newest is one index lookup away where a count would scan.
        let newest = try Int64.fetchOne(db, sql: "SELECT max(id) FROM signatures") ?? 0
        let (cached, stale) = cacheLock.withLock { () -> (TermFrequencies?, Bool) in
            guard let cached = frequencyCache else { return (nil, false) }
            let stale = newest * 10 > cached.newestSignature * 11 && !rebuildingFrequencies
            if stale { rebuildingFrequencies = true }
            return (cached, stale)
        }
        guard let cached else {
            let fresh = try TermFrequencies(db: db)
            cacheLock.withLock { frequencyCache = fresh }
            return fresh
        }
        if stale {
            DispatchQueue.global(qos: .utility).async { [self] in
                let fresh = try? pool.read { try TermFrequencies(db: $0) }
                cacheLock.withLock {
                    if let fresh, frequencyCache != nil { frequencyCache = fresh }
                    rebuildingFrequencies = false
                }
            }
        }
        return cached
    }

    func appendFilter(_ filter: SearchFilter, to sql: inout String, _ arguments: inout StatementArguments, table: String) {
        if !filter.services.isEmpty {
            sql += " AND \(table).service IN (\(Array(repeating: "?", count: filter.services.count).joined(separator: ",")))"
            arguments += StatementArguments(filter.services)
        }
        if !filter.levels.isEmpty {
            sql += " AND \(table).level IN (\(Array(repeating: "?", count: filter.levels.count).joined(separator: ",")))"
            arguments += StatementArguments(filter.levels.map(\.rawValue))
        }
        if let since = filter.since { sql += " AND \(table).timestamp >= ?"; arguments += [since] }
        if let until = filter.until { sql += " AND \(table).timestamp <= ?"; arguments += [until] }
        for (key, value) in filter.labels.sorted(by: { $0.key < $1.key }) {
            sql += " AND json_extract(\(table).labels, ?) = ?"
            arguments += ["$.\"\(key.replacingOccurrences(of: "\"", with: ""))\"", value]
        }
    }

    /// Events by id, in the order asked; only `tenant`'s (nil: any tenant's, for the embedder).
    public func events(ids: [Int64], tenant: String?) throws -> [StoredEvent] {
        guard !ids.isEmpty else { return [] }
        let rows = try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events WHERE id IN (\(ids.map(String.init).joined(separator: ",")))"
                             + (tenant == nil ? "" : " AND tenant = ?"), arguments: StatementArguments([tenant].compactMap { $0 }))
        }
        let byID = Dictionary(uniqueKeysWithValues: rows.map { (($0["id"] as Int64), Self.event(from: $0)) })
        return ids.compactMap { byID[$0] }
    }

    public func event(externalID: String, tenant: String) throws -> StoredEvent? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM events WHERE tenant = ? AND external_id = ? ORDER BY id DESC LIMIT 1",
                             arguments: [tenant, externalID]).map(Self.event)
        }
    }

    /// Signatures by id, in the order asked; only `tenant`'s (nil: any tenant's, for the embedder).
    public func signatures(ids: [Int64], tenant: String?) throws -> [Signature] {
        guard !ids.isEmpty else { return [] }
        let rows = try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.*, p.template FROM signatures s LEFT JOIN patterns p ON p.tenant = s.tenant AND p.id = s.pattern_id
                WHERE s.id IN (\(ids.map(String.init).joined(separator: ",")))
                """ + (tenant == nil ? "" : " AND s.tenant = ?"), arguments: StatementArguments([tenant].compactMap { $0 }))
        }
        let byID = Dictionary(uniqueKeysWithValues: rows.map { row -> (Int64, Signature) in
            (row["id"], Signature(id: row["id"], tenant: row["tenant"], service: row["service"], message: row["message"],
                                  level: Severity(rawValue: row["level"]) ?? .unknown, count: row["count"],
                                  firstSeen: row["first_seen"], lastSeen: row["last_seen"], exampleEventID: row["example_event"],
                                  pattern: row["template"], patternID: row["pattern_id"]))
        })
        return ids.compactMap { byID[$0] }
    }

    public func events(signature: Int64, filter: SearchFilter, limit: Int) throws -> (events: [StoredEvent], total: Int) {
        try pool.read { db in
            // Tenant and service belong to the signature: checked once, not on every event row.
            var sql = "SELECT count, example_event FROM signatures WHERE id = ? AND tenant = ?"
            var arguments: StatementArguments = [signature, filter.tenant]
            appendFilter(SearchFilter(tenant: filter.tenant, services: filter.services), to: &sql, &arguments, table: "signatures")
            guard let found = try Row.fetchOne(db, sql: sql, arguments: arguments) else { return ([], 0) }
            var rest = filter
            rest.services = []
            var condition = " AND signature_id = ?"
            var conditionArguments: StatementArguments = [signature]
            appendFilter(rest, to: &condition, &conditionArguments, table: "events")
            // The signature's first event (its example) is in the first segment holding its events.
            let first: Int64 = found["example_event"]
            let newest = max(first, try Int64.fetchOne(db, sql: "SELECT max(id) FROM events") ?? 0)
            let total = rest == SearchFilter(tenant: filter.tenant) ? found["count"] : try Int.fetchOne(
                db, sql: "SELECT count(*) FROM events WHERE " + Self.inSegments("id", from: first, through: newest) + condition,
                arguments: conditionArguments) ?? 0
            // The newest of each segment, then the newest of those.
            let newestOfSegment = try db.cachedStatement(
                sql: "SELECT * FROM events WHERE (id >> \(Self.segmentShift)) = ?" + condition + " ORDER BY timestamp DESC LIMIT \(limit)")
            var events: [StoredEvent] = []
            for segment in (first >> Self.segmentShift)...(newest >> Self.segmentShift) {
                events += try Row.fetchAll(newestOfSegment, arguments: [segment] + conditionArguments).map(Self.event)
            }
            return (Array(events.sorted { ($0.timestamp, $0.id) > ($1.timestamp, $1.id) }.prefix(limit)), total)
        }
    }

    /// Signatures with events in `since...until` (nanoseconds), each with its event counts in
    /// `buckets` equal slices of that range, the most frequent `limit` first. Reads the
    /// (segment, signature, time) index of the signatures active in the range.
    /// `signatures`, when given, limits the answer to those (sparklines of search results).
    public func signatureCounts(filter: SearchFilter, since: Int64, until: Int64, buckets: Int, limit: Int,
                                signatures wanted: [Int64] = []) throws -> [SignatureCounts] {
        let buckets = max(1, buckets)
        let width = Self.bucketWidth(since: since, until: until, buckets: buckets)
        var counts: [Int64: [Int]] = [:]
        try pool.read { db in
            // CROSS JOIN: the signatures active in the range first, then each one's events through the index.
            var sql = """
                SELECT e.signature_id, (e.timestamp - ?) / ?, count(*) FROM signatures s
                CROSS JOIN events e ON \(try inAllSegments("e.id", db)) AND e.signature_id = s.id AND e.timestamp BETWEEN ? AND ?
                WHERE s.tenant = ? AND s.last_seen >= ? AND s.first_seen <= ?
                """
            var arguments: StatementArguments = [since, width, since, until, filter.tenant, since, until]
            // Services and levels are the signature's; the range is the events'.
            appendFilter(SearchFilter(tenant: filter.tenant, services: filter.services, levels: filter.levels), to: &sql, &arguments, table: "s")
            if !wanted.isEmpty { sql += " AND s.id IN (\(wanted.map(String.init).joined(separator: ",")))" }
            let rows = try Row.fetchCursor(db, sql: sql + " GROUP BY 1, 2", arguments: arguments)
            while let row = try rows.next() {
                let bucket = min(buckets - 1, max(0, Int(row[1] as Int64)))
                counts[row[0], default: Array(repeating: 0, count: buckets)][bucket] += row[2] as Int
            }
        }
        let top = counts.sorted { ($0.value.reduce(0, +), $1.key) > ($1.value.reduce(0, +), $0.key) }.prefix(limit)
        let signatures = Dictionary(uniqueKeysWithValues: try signatures(ids: top.map(\.key), tenant: filter.tenant).map { ($0.id, $0) })
        return top.compactMap { id, buckets in signatures[id].map { SignatureCounts(signature: $0, counts: buckets) } }
    }

    /// Nanoseconds each of `buckets` equal slices of `since...until` spans (the last may be shorter).
    public static func bucketWidth(since: Int64, until: Int64, buckets: Int) -> Int64 {
        // Any two Int64 are at most UInt64.max apart: the width is computed without overflow.
        let width = UInt64(bitPattern: until &- since) / UInt64(max(1, buckets))
        return width >= UInt64(Int64.max) ? Int64.max : Int64(width) + 1
    }

    /// Time of the tenant's oldest event (its signatures' earliest first-seen), or nil when it has none.
    public func earliestEvent(tenant: String) throws -> Int64? {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT min(first_seen) FROM signatures WHERE tenant = ?", arguments: [tenant]) }
    }

    /// Removes `tenant`'s events older than `cutoff`, and its signatures left with none.
    public func removeEvents(olderThan cutoff: Int64, tenant: String) throws -> (events: Int, signatures: Int) {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO events_fts (events_fts, rowid, terms)
                SELECT 'delete', e.id, deja_event_terms(e.body, s.message) FROM events e JOIN signatures s ON s.id = e.signature_id
                WHERE e.timestamp < ? AND e.tenant = ?
                """, arguments: [cutoff, tenant])
            try db.execute(sql: "DELETE FROM events WHERE timestamp < ? AND tenant = ?", arguments: [cutoff, tenant])
            let events = db.changesCount
            let emptied = "tenant = ? AND id NOT IN (SELECT DISTINCT signature_id FROM events)"
            try db.execute(sql: """
                DELETE FROM vectors WHERE tenant = ? AND signature_id NOT IN (SELECT DISTINCT signature_id FROM events)
                """, arguments: [tenant])
            // An external index learns of removed signatures through the outbox.
            try db.execute(sql: """
                INSERT OR IGNORE INTO index_removals (tenant, service, hash)
                SELECT tenant, service, hash FROM signatures WHERE indexed_count <> 0 AND \(emptied)
                """, arguments: [tenant])
            try db.execute(sql: """
                INSERT INTO signatures_fts (signatures_fts, rowid, terms)
                SELECT 'delete', id, deja_signature_terms(message) FROM signatures WHERE \(emptied)
                """, arguments: [tenant])
            try db.execute(sql: "DELETE FROM signatures WHERE \(emptied)", arguments: [tenant])
            let signatures = db.changesCount
            // Counts and first-seen follow the events that remain; a published signature is published again.
            let ofSignature = try inAllSegments("id", db) + " AND signature_id = signatures.id"
            try db.execute(sql: """
                UPDATE signatures SET count = (SELECT count(*) FROM events WHERE \(ofSignature)),
                    first_seen = (SELECT min(timestamp) FROM events WHERE \(ofSignature)),
                    indexed_count = CASE indexed_count WHEN 0 THEN 0 ELSE -1 END
                WHERE first_seen < ? AND tenant = ?
                """, arguments: [cutoff, tenant])
            cacheLock.withLock { vectorCache.removeAll(); vectorGeneration += 1; frequencyCache = nil }
            return (events, signatures)
        }
    }

    private static func event(from row: Row) -> StoredEvent {
        let labelsText: String = row["labels"]
        let labels = (try? JSONDecoder().decode([String: String].self, from: Data(labelsText.utf8))) ?? [:]
        return StoredEvent(id: row["id"], externalID: row["external_id"], tenant: row["tenant"], service: row["service"],
                           level: Severity(rawValue: row["level"]) ?? .unknown, timestamp: row["timestamp"],
                           labels: labels, body: row["body"], signatureID: row["signature_id"], lineTimestamp: row["line_timestamp"])
    }

    // MARK: - VectorStore

    public func upsert(_ records: [VectorRecord], model: String) throws {
        guard !records.isEmpty else { return }
        try pool.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO vectors (model, signature_id, tenant, service, level, vector) VALUES (?, ?, ?, ?, ?, ?)
                """)
            for record in records {
                let blob = record.vector.withUnsafeBufferPointer { Data(buffer: $0) }
                try statement.execute(arguments: [model, record.signatureID, record.tenant, record.service, record.level.rawValue, blob])
            }
        }
        // New signatures' vectors join the cached matrix: while the background embedder stores a
        // batch every few moments, reloading every vector for each search would cost more than it.
        cacheLock.withLock {
            vectorGeneration += 1
            if vectorCache[model]?.append(records) == false { vectorCache[model] = nil }
        }
    }

    public func missing(model: String, among ids: [Int64]) throws -> [Int64] {
        guard !ids.isEmpty else { return [] }
        let present = try pool.read { db in
            Set(try Int64.fetchAll(db, sql: "SELECT signature_id FROM vectors WHERE model = ? AND signature_id IN (\(ids.map(String.init).joined(separator: ",")))",
                                   arguments: [model]))
        }
        return ids.filter { !present.contains($0) }
    }

    /// Signatures that have no vector under `model` (all tenants), oldest first.
    public func signaturesWithoutVectors(model: String, limit: Int) throws -> [Signature] {
        let ids = try pool.read { db in
            try Int64.fetchAll(db, sql: """
                SELECT id FROM signatures WHERE id NOT IN (SELECT signature_id FROM vectors WHERE model = ?) ORDER BY id LIMIT ?
                """, arguments: [model, limit])
        }
        return try signatures(ids: ids, tenant: nil)
    }

    public func search(_ query: [Float], model: String, filter: SearchFilter, k: Int) throws -> [VectorHit] {
        try matrix(model: model).search(query, filter: filter, k: k)
    }

    /// All vectors of `model`, loaded once and kept until they change.
    private func matrix(model: String) throws -> VectorMatrix {
        let (cached, generation) = cacheLock.withLock { (vectorCache[model], vectorGeneration) }
        if let cached { return cached }
        let rows = try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT signature_id, tenant, service, level, vector FROM vectors WHERE model = ?", arguments: [model])
        }
        let matrix = VectorMatrix(rows: rows.map { row in
            let blob: Data = row["vector"]
            let vector = blob.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            return VectorRecord(signatureID: row["signature_id"], tenant: row["tenant"], service: row["service"],
                                level: Severity(rawValue: row["level"]) ?? .unknown, vector: vector)
        })
        cacheLock.withLock { if vectorGeneration == generation { vectorCache[model] = matrix } }
        return matrix
    }
}

/// What one ingest batch does to a signature's count, first and last seen, and level.
private struct SignatureChange {
    var count = 0
    var firstSeen = Int64.max
    var lastSeen = Int64.min
    var level = 0
    /// The batch's first event of the signature: its example when it has none yet.
    let firstEvent: Int64

    init(firstEvent: Int64) { self.firstEvent = firstEvent }

    mutating func add(_ event: LogEvent) {
        count += 1
        firstSeen = min(firstSeen, event.timestamp)
        lastSeen = max(lastSeen, event.timestamp)
        level = max(level, event.level.rawValue)
    }
}
