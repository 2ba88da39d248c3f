import DejaCore
import Foundation
import PostgresNIO

/// What the shared state answers: signatures and their counts over time, summed over every replica.
extension PostgresLedger: SignatureCountReading {
    public func signatures(ids: [Int64], tenant: String?) throws -> [Signature] {
        guard !ids.isEmpty else { return [] }
        return try run { [client, logger] in
            try await client.withConnection { connection in try await Self.signatures(ids: ids, tenant: tenant, on: connection, logger: logger) }
        }
    }

    /// Signatures with the pattern and issue the grouping leader gave them (none yet: nil).
    static func signatures(ids: [Int64], tenant: String?, on connection: PostgresConnection, logger: Logger) async throws -> [Signature] {
        guard !ids.isEmpty else { return [] }
        let rows = try await connection.query("""
            SELECT s.id, s.tenant, s.service, s.message, s.level, s.count, s.first_seen, s.last_seen, g.pattern_id, p.template, g.issue_id
            FROM deja_signatures s LEFT JOIN deja_signature_groups g ON g.signature_id = s.id
            LEFT JOIN deja_patterns p ON p.tenant = s.tenant AND p.id = g.pattern_id
            WHERE s.id = ANY(\(ids)::int8[]) AND (\(tenant)::text IS NULL OR s.tenant = \(tenant))
            """, logger: logger)
        var signatures: [Signature] = []
        for try await (id, tenant, service, message, level, count, firstSeen, lastSeen, pattern, template, issue)
            in rows.decode((Int64, String, String, String, Int16, Int64, Int64, Int64, Int64?, String?, Int64?).self) {
            signatures.append(Signature(id: id, tenant: tenant, service: service, message: message, level: Severity(rawValue: Int(level)) ?? .unknown,
                                        count: Int(count), firstSeen: firstSeen, lastSeen: lastSeen, exampleEventID: 0, pattern: template,
                                        patternID: pattern, issueID: issue))
        }
        return signatures
    }

    /// Counts per signature and minute, summed into `buckets`: a minute is counted in the bucket its
    /// start falls in, so bucket edges are exact to the minute.
    public func signatureCounts(filter: SearchFilter, since: Int64, until: Int64, buckets: Int, limit: Int,
                                signatures wanted: [Int64]) throws -> [SignatureCounts] {
        let streams = try streams(matching: filter)
        if streams?.isEmpty == true { return [] }
        let counted = Self.minuteCounts(of: streams)
        let buckets = max(1, buckets)
        let width = SQLiteStore.bucketWidth(since: since, until: until, buckets: buckets)
        let minute = LedgerBatch.minuteNanoseconds
        let firstMinute = LedgerBatch.minute(of: since), lastMinute = LedgerBatch.minute(of: until)
        let conditions = SignatureConditions(filter, seen: (since - minute, until))
        // One snapshot for the counts and the signatures they are shown with, so that each
        // signature's buckets add up to its count while replicas keep counting.
        return try run { [client, logger, tenant = filter.tenant] in
            try await client.withConnection { connection in
                try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
                do {
                    let rows = try await connection.query("""
                        SELECT m.signature_id, m.minute, m.count FROM deja_signatures s
                        JOIN \(unescaped: counted.table) m ON \(unescaped: counted.condition)m.signature_id = s.id AND m.minute BETWEEN \(firstMinute) AND \(lastMinute)
                        WHERE s.tenant = \(tenant) AND \(conditions)
                          AND (cardinality(\(wanted)::int8[]) = 0 OR s.id = ANY(\(wanted)::int8[]))
                        """, logger: logger)
                    var counts: [Int64: [Int]] = [:]
                    for try await (id, minuteNumber, count) in rows.decode((Int64, Int64, Int64).self) {
                        let start = max(since, minuteNumber * minute)
                        let bucket = min(buckets - 1, max(0, Int((start - since) / width)))
                        counts[id, default: Array(repeating: 0, count: buckets)][bucket] += Int(count)
                    }
                    let top = counts.sorted { ($0.value.reduce(0, +), $1.key) > ($1.value.reduce(0, +), $0.key) }.prefix(limit)
                    let found = Dictionary(uniqueKeysWithValues: try await Self.signatures(ids: top.map(\.key), tenant: tenant, on: connection,
                                                                                           logger: logger).map { ($0.id, $0) })
                    try await connection.query("COMMIT", logger: logger)
                    return top.compactMap { id, buckets in found[id].map { SignatureCounts(signature: $0, counts: buckets) } }
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
    }

    public func earliestEvent(tenant: String) throws -> Int64? {
        try run { [client, logger] in
            for try await first in try await client.query("SELECT min(first_seen) FROM deja_signatures WHERE tenant = \(tenant)",
                                                          logger: logger).decode(Int64?.self) {
                return first
            }
            return nil
        }
    }
}
