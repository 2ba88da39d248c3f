import DejaCore
import Foundation
import PostgresNIO
import Synchronization

/// Cluster mode's shared state in PostgreSQL: every replica's signatures, their counts per minute and
/// an example event each, so that any replica answers counts with what all of them stored. Each
/// replica's write-ahead-log position is moved in the transaction that counts its events, so a record
/// replayed after a crash (or sent again after a commit whose answer was lost) is never counted twice.
public final class PostgresLedger: Sendable {
    public let settings: SharedStateSettings
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>
    /// Whether this process has migrated the schema and registered the replica.
    private let ready = Mutex(false)
    /// Words keyword search leaves out (`commonWords`), and when they were read.
    let commonWordCache = Mutex<CommonWords?>(nil)
    /// Signature ids by tenant and stored vector-index key: an id never changes once given, so
    /// each vector search asks PostgreSQL only for records it has not mapped before.
    let signatureIDCache = Mutex<[String: Int64]>([:])
    /// Most ids kept; past it the cache starts over.
    static let signatureIDCacheLimit = 500_000
    /// Stream (label set) ids by tenant and labels, as `streamIDs` gave them; never changed once given.
    let streamIDCache = Mutex<[String: Int64]>([:])
    static let streamIDCacheLimit = 100_000

    struct CommonWords: Sendable {
        var words: Set<String>
        /// Signatures in all, as the statistics estimate (BM25's document count).
        var signatures: Double
        var read: ContinuousClock.Instant
    }

    /// A run of rows that came from one write-ahead-log record, which ends at `end`.
    public struct RecordSpan: Sendable {
        public var rows: Int
        public var end: UInt64

        public init(rows: Int, end: UInt64) {
            self.rows = rows
            self.end = end
        }
    }

    /// Starts the connection pool; nothing is asked of PostgreSQL until `prepare` or the first use,
    /// so that a server starts (and acknowledges into its log) while PostgreSQL is down.
    public init(settings: SharedStateSettings, logger: Logger = Logger(label: "deja.shared-state")) {
        self.settings = settings
        self.logger = logger
        let client = PostgresClient(configuration: settings.configuration, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    /// Applies the schema's migrations the database lacks (one replica at a time, under an advisory
    /// lock) and registers the replica; once per process. Every other call does it first.
    public func prepare() async throws {
        if ready.withLock({ $0 }) { return }
        do {
            try await withTimeout(Self.writeTimeout) { [client, logger, replica = settings.replica] in
                try await Self.migrate(client, logger: logger)
                try await client.query("INSERT INTO deja_replicas (replica, applied) VALUES (\(replica), 0) ON CONFLICT (replica) DO NOTHING",
                                       logger: logger)
            }
        } catch {
            throw SharedStateError.wrapping(error)
        }
        ready.withLock { $0 = true }
    }

    deinit { runner.cancel() }

    /// Closes the connections.
    public func close() { runner.cancel() }

    /// Counts `rows` (the events of the write-ahead-log records `records`, in order) in one
    /// transaction, except the records this replica counted already, and returns each row's
    /// signature id, which every replica gives that signature.
    public func apply(_ rows: [EventRow], records: [RecordSpan]) throws -> [Int64] {
        guard let last = records.last else { return [] }
        precondition(records.reduce(0) { $0 + $1.rows } == rows.count, "record spans must cover the rows")
        let keys = rows.map { SignatureKey($0) }
        let everything = LedgerBatch(rows, keys: keys, countFrom: 0)
        return try run(timeout: Self.writeTimeout) { [self, client, logger, replica = settings.replica] in
            let streamIDs = try await streamIDs(everything.streams)
            return try await client.withTransaction(logger: logger) { connection in
                // The row lock orders this replica's transactions (also a second process that
                // wrongly runs under its name); what it counted before is not counted again.
                var applied: Int64 = 0
                for try await value in try await connection.query(
                    "SELECT applied FROM deja_replicas WHERE replica = \(replica) FOR UPDATE", logger: logger).decode(Int64.self) {
                    applied = value
                }
                var countFrom = 0
                for record in records where record.end <= UInt64(applied) { countFrom += record.rows }
                let batch = countFrom == 0 ? everything : LedgerBatch(rows, keys: keys, countFrom: countFrom)
                let ids = try await batch.upsertSignatures(connection, logger: logger)
                try await batch.addMinutes(connection, ids: ids, logger: logger)
                try await batch.addStreamMinutes(connection, ids: ids, streamIDs: streamIDs, logger: logger)
                try await connection.query(
                    "UPDATE deja_replicas SET applied = greatest(applied, \(Int64(last.end))), updated = now() WHERE replica = \(replica)",
                    logger: logger)
                return try keys.map { key in
                    guard let id = ids[key] else { throw SharedStateError.database("no id came back for signature \(key.hash) of \(key.service)") }
                    return id
                }
            }
        }
    }

    /// Longest a read may wait for PostgreSQL: past it, search answers from this replica alone.
    static let readTimeout = Duration.seconds(5)
    /// Longest counting a batch (or migrating) may take before it is tried again.
    static let writeTimeout = Duration.seconds(15)

    /// Runs async work against PostgreSQL from a blocking caller, its errors worded for users.
    func run<Value: Sendable>(timeout: Duration = readTimeout, _ work: @escaping @Sendable () async throws -> Value) throws -> Value {
        if !ready.withLock({ $0 }) { try waitFor(timeout: Self.writeTimeout + .seconds(1)) { try await self.prepare() } }
        do { return try waitFor(timeout: timeout, work) } catch { throw SharedStateError.wrapping(error) }
    }

    private static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(LedgerSchema.migrationLock))", logger: logger)
            do {
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS deja_schema_migrations (version int PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())",
                    logger: logger)
                var applied = Set<Int>()
                for try await version in try await connection.query("SELECT version FROM deja_schema_migrations", logger: logger).decode(Int.self) {
                    applied.insert(version)
                }
                if let newest = applied.max(), newest > LedgerSchema.latestVersion {
                    throw SharedStateError.newerSchema(newest, LedgerSchema.latestVersion)
                }
                for migration in LedgerSchema.migrations where !applied.contains(migration.version) {
                    try await connection.withTransaction(logger: logger) { transaction in
                        for statement in migration.statements { try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                        try await transaction.query("INSERT INTO deja_schema_migrations (version) VALUES (\(migration.version))", logger: logger)
                    }
                }
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(LedgerSchema.migrationLock))", logger: logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(\(LedgerSchema.migrationLock))", logger: logger)
        }
    }
}
