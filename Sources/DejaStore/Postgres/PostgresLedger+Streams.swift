import DejaCore
import PostgresNIO

/// Streams (an event's distinct label set, per tenant) in the shared state: events are counted per
/// signature, stream and minute, so that a label filter gives every replica the same exact counts.
extension PostgresLedger {
    /// Each tenant's label sets (`LedgerBatch.streams`) mapped to their stream ids, inserting the ones
    /// PostgreSQL lacks. Outside the counting transaction: a stream row without counts is harmless,
    /// and an id cached here was committed, never taken back by a rollback.
    func streamIDs(_ streams: [String: Set<String>]) async throws -> [String: [String: Int64]] {
        let cacheKey = { (tenant: String, labels: String) in tenant + "\u{0}" + labels }
        var ids: [String: [String: Int64]] = [:]
        var missing: [(tenant: String, labels: String)] = []
        streamIDCache.withLock { cache in
            for (tenant, sets) in streams {
                for labels in sets {
                    if let id = cache[cacheKey(tenant, labels)] { ids[tenant, default: [:]][labels] = id } else { missing.append((tenant, labels)) }
                }
            }
        }
        guard !missing.isEmpty else { return ids }
        let tenants = missing.map(\.tenant), keys = missing.map(\.labels)
        try await client.query("""
            INSERT INTO deja_streams (tenant, labels_key, labels)
            SELECT t, k, k::jsonb FROM unnest(\(tenants)::text[], \(keys)::text[]) AS u(t, k)
            ON CONFLICT (tenant, md5(labels_key)) DO NOTHING
            """, logger: logger)
        var found: [(String, String, Int64)] = []
        for try await (id, tenant, labels) in try await client.query("""
            SELECT s.id, s.tenant, s.labels_key FROM deja_streams s
            JOIN unnest(\(tenants)::text[], \(keys)::text[]) AS u(t, k) ON s.tenant = u.t AND md5(s.labels_key) = md5(u.k)
            """, logger: logger).decode((Int64, String, String).self) {
            found.append((tenant, labels, id))
            ids[tenant, default: [:]][labels] = id
        }
        streamIDCache.withLock { cache in
            if cache.count + found.count > Self.streamIDCacheLimit { cache.removeAll(keepingCapacity: true) }
            for (tenant, labels, id) in found { cache[cacheKey(tenant, labels)] = id }
        }
        return ids
    }

    /// The minute counts a read sums, as SQL: with `streams`, the per-stream table and a condition
    /// keeping those streams (ids are numbers, written into the statement); without, every event's.
    static func minuteCounts(of streams: [Int64]?) -> (table: String, condition: String) {
        guard let streams else { return ("deja_signature_minutes", "") }
        return ("deja_stream_minutes", "stream_id = ANY('{\(streams.map(String.init).joined(separator: ","))}'::int8[]) AND ")
    }

    /// The tenant's streams holding every label of `filter`, or nil when it names no label.
    func streams(matching filter: SearchFilter) throws -> [Int64]? {
        guard !filter.labels.isEmpty else { return nil }
        let wanted = LedgerBatch.streamKey(LabelsJSON.encode(filter.labels))
        return try run { [client, logger, tenant = LedgerBatch.storable(filter.tenant)] in
            var ids: [Int64] = []
            for try await id in try await client.query("""
                SELECT id FROM deja_streams WHERE tenant = \(tenant) AND labels @> \(wanted)::jsonb
                """, logger: logger).decode(Int64.self) {
                ids.append(id)
            }
            return ids
        }
    }
}
