import DejaCore
import Foundation
import PostgresNIO

/// Search over the shared state: each signature stands for its events with its message and one
/// example event (whose id is the signature's), so that every replica finds the same groups.
/// Raw events stay in Loki or Elasticsearch: an identifier is found here only when a signature's
/// example holds it.
extension PostgresLedger: SearchReading, SignatureKeyLookup {
    /// Columns of a signature's example event.
    private static let exampleColumns = "id, tenant, service, level, example_time, example_labels, example_body"

    public func events(ids: [Int64], tenant: String?) throws -> [StoredEvent] {
        guard !ids.isEmpty else { return [] }
        return try examples("""
            SELECT \(unescaped: Self.exampleColumns) FROM deja_signatures
            WHERE id = ANY(\(ids)::int8[]) AND (\(tenant)::text IS NULL OR tenant = \(tenant))
            """)
    }

    /// The signature's example, and its events in the filter's range (whole minutes) in all.
    public func events(signature: Int64, filter: SearchFilter, limit: Int) throws -> (events: [StoredEvent], total: Int) {
        try events(signatures: [signature], filter: filter, limit: limit)[signature] ?? ([], 0)
    }

    /// Each signature's example, and its events in the filter's range (whole minutes) in all: two queries for them all.
    public func events(signatures ids: [Int64], filter: SearchFilter, limit: Int) throws -> [Int64: (events: [StoredEvent], total: Int)] {
        guard filter.labels.isEmpty else { throw SharedStateError.labelsNotShared }
        guard !ids.isEmpty else { return [:] }
        let services = filter.services, levels = filter.levels.map { Int16($0.rawValue) }
        let minute = LedgerBatch.minuteNanoseconds
        let first = filter.since.map { $0 >= 0 ? $0 / minute : ($0 + 1) / minute - 1 } ?? Int64.min
        let last = filter.until.map { $0 >= 0 ? $0 / minute : ($0 + 1) / minute - 1 } ?? Int64.max
        let examples = try examples("""
            SELECT \(unescaped: Self.exampleColumns) FROM deja_signatures
            WHERE id = ANY(\(ids)::int8[]) AND tenant = \(filter.tenant)
              AND (cardinality(\(services)::text[]) = 0 OR service = ANY(\(services)::text[]))
              AND (cardinality(\(levels)::int2[]) = 0 OR level = ANY(\(levels)::int2[]))
            """)
        guard !examples.isEmpty else { return [:] }
        let passing = examples.map(\.id)
        let totals: [Int64: Int] = try run { [client, logger] in
            var totals: [Int64: Int] = [:]
            for try await (id, sum) in try await client.query("""
                SELECT signature_id, sum(count)::int8 FROM deja_signature_minutes
                WHERE signature_id = ANY(\(passing)::int8[]) AND minute BETWEEN \(first) AND \(last) GROUP BY signature_id
                """, logger: logger).decode((Int64, Int64).self) {
                totals[id] = Int(sum)
            }
            return totals
        }
        var found: [Int64: (events: [StoredEvent], total: Int)] = [:]
        for example in examples {
            guard let total = totals[example.id], total > 0 else { continue }
            found[example.id] = (limit > 0 ? [example] : [], total)
        }
        return found
    }

    /// Signatures (as their examples' ids) whose message or example holds the query's words, best
    /// first by PostgreSQL's cover density: a word found counts more the closer it is to the others.
    public func keywordSearch(_ query: String, filter: SearchFilter, limit: Int) throws -> [Int64] {
        var seen = Set<String>()
        let terms = KeywordTerms.terms(of: query).filter { KeywordTerms.isSearchable($0) && seen.insert($0).inserted }.prefix(64)
        guard !terms.isEmpty else { return [] }
        return try matching(Array(terms), filter: filter, limit: limit)
    }

    /// Examples holding `identifier` as a whole token (ignoring case).
    public func eventsHolding(identifier: String, filter: SearchFilter, limit: Int) throws -> [StoredEvent] {
        guard let term = KeywordTerms.terms(of: identifier).filter(KeywordTerms.isSearchable).max(by: { $0.count < $1.count }) else { return [] }
        let candidates = try events(ids: try matching([term], filter: filter, limit: 1_000), tenant: filter.tenant)
        let needle = Array(identifier.lowercased().utf8)
        return Array(candidates.filter { KeywordTerms.holdsToken(needle, in: $0.body) }.sorted { ($0.timestamp, $0.id) > ($1.timestamp, $1.id) }.prefix(limit))
    }

    public func signatureIDs(tenant: String, keys: [String]) throws -> [String: Int64] {
        let parsed = keys.compactMap(IndexKey.parse)
        guard !parsed.isEmpty else { return [:] }
        let services = parsed.map(\.service), hashes = parsed.map(\.hash)
        return try run { [client, logger] in
            var ids: [String: Int64] = [:]
            for try await (id, service, hash) in try await client.query("""
                SELECT s.id, s.service, s.hash FROM deja_signatures s
                JOIN unnest(\(services)::text[], \(hashes)::text[]) AS k(service, hash) ON s.service = k.service AND s.hash = k.hash
                WHERE s.tenant = \(tenant)
                """, logger: logger).decode((Int64, String, String).self) {
                ids[IndexKey.of(service: service, hash: hash)] = id
            }
            return ids
        }
    }

    public func services(tenant: String) throws -> [String] {
        try run { [client, logger] in
            var services: [String] = []
            for try await service in try await client.query("SELECT DISTINCT service FROM deja_signatures WHERE tenant = \(tenant)",
                                                            logger: logger).decode(String.self) {
                services.append(service)
            }
            return services
        }
    }

    /// Signatures holding more than this many of a word are not looked up by it: a common word
    /// ranks nothing, and would make every search read most of the table.
    static let postingsBudget = 2_000

    /// Ids of the tenant's signatures passing `filter` whose indexed words hold any of `terms` (but
    /// the common ones), best first by cover density.
    private func matching(_ terms: [String], filter: SearchFilter, limit: Int) throws -> [Int64] {
        guard filter.labels.isEmpty else { throw SharedStateError.labelsNotShared }
        let common = try commonWords()
        let terms = terms.filter { !common.contains($0) }
        guard !terms.isEmpty else { return [] }
        let services = filter.services, levels = filter.levels.map { Int16($0.rawValue) }
        let since = filter.since ?? Int64.min, until = filter.until ?? Int64.max
        return try run { [client, logger] in
            let rows = try await client.query("""
                WITH q AS (SELECT to_tsquery('simple', array_to_string(ARRAY(SELECT quote_literal(t) FROM unnest(\(terms)::text[]) t), ' | ')) AS query)
                SELECT s.id FROM deja_signatures s, q
                WHERE s.search_vector @@ q.query AND s.tenant = \(filter.tenant)
                  AND s.last_seen >= \(since) AND s.first_seen <= \(until)
                  AND (cardinality(\(services)::text[]) = 0 OR s.service = ANY(\(services)::text[]))
                  AND (cardinality(\(levels)::int2[]) = 0 OR s.level = ANY(\(levels)::int2[]))
                ORDER BY ts_rank_cd(s.search_vector, q.query) DESC, s.id
                LIMIT \(limit)
                """, logger: logger)
            var ids: [Int64] = []
            for try await id in rows.decode(Int64.self) { ids.append(id) }
            return ids
        }
    }

    /// Words more than `postingsBudget` signatures hold, from PostgreSQL's own statistics of the
    /// indexed words (ANALYZE's most common elements, kept up to date by autovacuum), read at most
    /// once a minute: no search counts postings itself. Before the first ANALYZE, none.
    func commonWords() throws -> Set<String> {
        let now = ContinuousClock.now
        if let cached = commonWordCache.withLock({ $0 }), now - cached.read < .seconds(60) { return cached.words }
        let budget = Double(Self.postingsBudget)
        let words: Set<String> = try run { [client, logger] in
            let rows = try await client.query("""
                SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples::float8
                FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename AND c.relnamespace::regnamespace::text = s.schemaname
                WHERE s.tablename = 'deja_signatures' AND s.attname = 'search_vector' AND s.most_common_elems IS NOT NULL
                """, logger: logger)
            var words = Set<String>()
            for try await (elements, frequencies, rows) in rows.decode(([String], [Float], Double).self) {
                for (word, frequency) in zip(elements, frequencies) where Double(frequency) * rows > budget { words.insert(word) }
            }
            return words
        }
        commonWordCache.withLock { $0 = CommonWords(words: words, read: now) }
        return words
    }

    private func examples(_ query: PostgresQuery) throws -> [StoredEvent] {
        try run { [client, logger] in
            var events: [StoredEvent] = []
            for try await (id, tenant, service, level, time, labels, body)
                in try await client.query(query, logger: logger).decode((Int64, String, String, Int16, Int64, String, String).self) {
                events.append(StoredEvent(id: id, externalID: nil, tenant: tenant, service: service, level: Severity(rawValue: Int(level)) ?? .unknown,
                                          timestamp: time, labels: LabelsJSON.decode(labels), body: body, signatureID: id))
            }
            return events
        }
    }
}
