import DejaCore
import PostgresNIO

/// Retention of the shared state, done by the grouping leader: each signature's counts of minutes
/// before a cutoff go, and the signatures left with none; ChromaDB learns of removed signatures
/// through `deja_index_removals`, an outbox written in the same transaction.
extension PostgresLedger {
    /// Signatures looked at per transaction: a batch holds their rows, which counting waits for, briefly.
    static let signaturesPerRetention = 1_000

    /// Removes every tenant's counts of the whole minutes before `cutoff`'s, recounts the signatures
    /// that had them (their first sighting becomes that minute's start at the earliest) and removes
    /// those left with none. Each batch is a transaction under `lease` that locks its signatures in
    /// the order counting does, so replicas counting late events wait rather than deadlock.
    public func removeCounts(before cutoff: Int64, lease: Lease) throws -> (recounted: Int, removed: Int) {
        let minute = LedgerBatch.minute(of: cutoff)
        let minuteStart = minute * LedgerBatch.minuteNanoseconds
        var after: Int64 = 0
        var totals = (recounted: 0, removed: 0)
        while true {
            // The minutes' primary key leads with the signature: one walk over it for the whole pass.
            let ids: [Int64] = try run(timeout: Self.writeTimeout) { [client, logger, after] in
                var ids: [Int64] = []
                for try await id in try await client.query("""
                    SELECT DISTINCT signature_id FROM deja_signature_minutes WHERE signature_id > \(after) AND minute < \(minute)
                    ORDER BY signature_id LIMIT \(Self.signaturesPerRetention)
                    """, logger: logger).decode(Int64.self) {
                    ids.append(id)
                }
                return ids
            }
            guard let last = ids.last else { return totals }
            let (recounted, removed) = try underLease(lease) { [logger] connection in
                // Every row is read, so that every lock is taken before the minutes are touched.
                for try await _ in try await connection.query("""
                    SELECT id FROM deja_signatures WHERE id = ANY(\(ids)::int8[]) ORDER BY tenant, service, hash FOR UPDATE
                    """, logger: logger) {}
                try await connection.query("""
                    DELETE FROM deja_stream_minutes WHERE signature_id = ANY(\(ids)::int8[]) AND minute < \(minute)
                    """, logger: logger)
                var recounted = 0
                for try await _ in try await connection.query("""
                    WITH gone AS (DELETE FROM deja_signature_minutes WHERE signature_id = ANY(\(ids)::int8[]) AND minute < \(minute)
                                  RETURNING signature_id, count),
                         lost AS (SELECT signature_id, sum(count)::int8 AS count FROM gone GROUP BY signature_id)
                    UPDATE deja_signatures s SET count = s.count - lost.count, first_seen = greatest(s.first_seen, \(minuteStart))
                    FROM lost WHERE s.id = lost.signature_id RETURNING 1
                    """, logger: logger) {
                    recounted += 1
                }
                var removed = 0
                for try await count in try await connection.query("""
                    WITH removed AS (DELETE FROM deja_signatures s WHERE s.id = ANY(\(ids)::int8[])
                                       AND NOT EXISTS (SELECT 1 FROM deja_signature_minutes m WHERE m.signature_id = s.id)
                                     RETURNING tenant, service, hash),
                         queued AS (INSERT INTO deja_index_removals (tenant, service, hash) SELECT * FROM removed ON CONFLICT DO NOTHING)
                    SELECT count(*)::int8 FROM removed
                    """, logger: logger).decode(Int64.self) {
                    removed = Int(count)
                }
                return (recounted, removed)
            }
            totals.recounted += recounted - removed
            totals.removed += removed
            after = last
        }
    }

    /// Removed signatures whose ChromaDB records are still to be deleted.
    public func pendingIndexRemovals(limit: Int) throws -> [IndexRemoval] {
        try run(timeout: Self.writeTimeout) { [client, logger] in
            var removals: [IndexRemoval] = []
            for try await (tenant, service, hash) in try await client.query(
                "SELECT tenant, service, hash FROM deja_index_removals LIMIT \(limit)", logger: logger).decode((String, String, String).self) {
                removals.append(IndexRemoval(tenant: tenant, key: IndexKey.of(service: service, hash: hash)))
            }
            return removals
        }
    }

    /// Forgets removals ChromaDB has done.
    public func clearIndexRemovals(_ removals: [IndexRemoval]) throws {
        let parsed = removals.compactMap { removal in IndexKey.parse(removal.key).map { (removal.tenant, $0.service, $0.hash) } }
        guard !parsed.isEmpty else { return }
        let tenants = parsed.map(\.0), services = parsed.map(\.1), hashes = parsed.map(\.2)
        _ = try run(timeout: Self.writeTimeout) { [client, logger] in
            try await client.query("""
                DELETE FROM deja_index_removals r USING unnest(\(tenants)::text[], \(services)::text[], \(hashes)::text[]) AS k(tenant, service, hash)
                WHERE r.tenant = k.tenant AND r.service = k.service AND r.hash = k.hash
                """, logger: logger)
        }
    }
}
