import DejaCore
import Foundation
import GRDB
import GRDBSQLite

/// The embedded store: one SQLite database (WAL mode, so readers run during ingest) holding
/// events, signatures, FTS5 indexes of their words (`KeywordTerms`), and signature vectors per model.
public final class SQLiteStore: @unchecked Sendable {
    // @unchecked: GRDB's DatabasePool serializes writes and is safe to share; the vector cache is
    // guarded by `cacheLock`.
    /// 'DEJA' in SQLite's application_id, so that a foreign database is recognized.
    static let applicationID: Int32 = 0x4445_4A41
    static let schemaVersion = 11
    /// How long a connection waits for the database's lock before it gives up.
    static let busyTimeout: TimeInterval = 10

    let pool: DatabasePool
    let path: String
    let cacheLock = NSLock()
    var vectorCache: [String: VectorMatrix] = [:]
    /// Counts vector changes, so that a matrix loaded while one was stored is not cached.
    var vectorGeneration = 0
    var frequencyCache: TermFrequencies?
    var rebuildingFrequencies = false
    /// Past this size SQLite's log is checkpointed and truncated after a commit: when searches
    /// never pause, there is always a reader when the automatic checkpoint would start it over,
    /// and it would grow without end.
    var logTruncateBytes = 1 << 30

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
            pool = try Self.openPool(path: path, configuration: configuration)
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
                if version < 8 { try Self.migrateToSchema8(db) }
                if version < 9 { try Self.migrateToSchema9(db) }
                if version < 10 { try Self.migrateToSchema10(db) }
                if version < 11 { try Self.migrateToSchema11(db) }
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where [.SQLITE_NOTADB, .SQLITE_CORRUPT].contains(error.resultCode) {
            throw StoreError.corruptDatabase(path, error.message ?? "\(error.resultCode)")
        }
    }

    /// The pool over `path`. Opening sets WAL mode, which needs a lock that SQLite does not wait
    /// for with the busy handler: two processes opening one new store at once (two `deja ingest`s)
    /// saw `database is locked` at once. A busy open is tried again for up to `busyTimeout`.
    private static func openPool(path: String, configuration: Configuration) throws -> DatabasePool {
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
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
        let range = try Self.eventIDs(db)
        return Self.inSegments(column, from: range?.first ?? 0, through: range?.last ?? 0)
    }

    /// The lowest and highest event id, nil when there are no events.
    static func eventIDs(_ db: Database) throws -> (first: Int64, last: Int64)? {
        // Two subqueries: each is one index lookup, where `min(id), max(id)` together would scan.
        let row = try Row.fetchOne(db, sql: "SELECT (SELECT min(id) FROM events), (SELECT max(id) FROM events)")!
        guard let first: Int64 = row[0], let last: Int64 = row[1] else { return nil }
        return (first, last)
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
}
