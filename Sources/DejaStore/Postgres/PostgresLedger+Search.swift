import DejaCore
import Foundation
import PostgresNIO

/// Search over the shared state: each signature stands for its events with its message and one
/// example event (whose id is the signature's), so that every replica finds the same groups.
/// Raw events stay in Loki or Elasticsearch: an identifier is found here only when a signature's
/// example holds it.
extension PostgresLedger: SearchReading, SignatureKeyLookup {
    public var answeredByServer: Bool { true }

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

    /// Each signature's example, and its events in the filter's range (whole minutes) in all: one query for them all.
    public func events(signatures ids: [Int64], filter: SearchFilter, limit: Int) throws -> [Int64: (events: [StoredEvent], total: Int)] {
        guard !ids.isEmpty else { return [:] }
        let streams = try streams(matching: filter)
        if streams?.isEmpty == true { return [:] }
        let conditions = SignatureConditions(filter)
        let first = filter.since.map(LedgerBatch.minute(of:)) ?? Int64.min
        let last = filter.until.map(LedgerBatch.minute(of:)) ?? Int64.max
        let counted = Self.minuteCounts(of: streams)
        let query: PostgresQuery = """
            SELECT s.id, s.tenant, s.service, s.level, s.example_time, s.example_labels, s.example_body, m.total
            FROM deja_signatures s CROSS JOIN LATERAL (
                SELECT coalesce(sum(count), 0)::int8 AS total FROM \(unescaped: counted.table)
                WHERE \(unescaped: counted.condition)signature_id = s.id AND minute BETWEEN \(first) AND \(last)) m
            WHERE s.id = ANY(\(ids)::int8[]) AND s.tenant = \(filter.tenant) AND m.total > 0 AND \(conditions)
            """
        return try run { [client, logger] in
            var found: [Int64: (events: [StoredEvent], total: Int)] = [:]
            for try await (id, tenant, service, level, time, labels, body, total) in try await client.query(query, logger: logger)
                .decode((Int64, String, String, Int16, Int64, String, String, Int64).self) {
                let example = Self.example(id: id, tenant: tenant, service: service, level: level, time: time, labels: labels, body: body)
                found[id] = (limit > 0 ? [example] : [], Int(total))
            }
            return found
        }
    }

    /// Signatures (as their examples' ids) whose message or example holds the query's words, best
    /// first by PostgreSQL's cover density: a word found counts more the closer it is to the others.
    public func keywordSearch(_ query: String, filter: SearchFilter, limit: Int) throws -> [Int64] {
        var seen = Set<String>()
        let terms = KeywordTerms.terms(of: query).filter { KeywordTerms.isSearchable($0) && seen.insert($0).inserted }.prefix(64)
        guard !terms.isEmpty else { return [] }
        return try matching(Array(terms), filter: filter, limit: limit)
    }

    /// Examples holding `identifier` as a whole token (ignoring case), newest first, as the
    /// embedded store finds them: candidates through the text index (the identifier's searchable
    /// words but common ones), each checked in PostgreSQL, so that only `limit` rows come back.
    /// Nothing is found when every word is common or the candidates are over the postings budget,
    /// nor for a token more than one in fifty of the signatures hold (at least 50): vocabulary.
    public func eventsHolding(identifier: String, filter: SearchFilter, limit: Int) throws -> [StoredEvent] {
        let common = try commonWords()
        let terms = Array(Set(KeywordTerms.lookupWords(of: identifier).filter { !common.words.contains($0) })).sorted()
        guard !terms.isEmpty, limit > 0 else { return [] }
        let streams = try streams(matching: filter)
        if streams?.isEmpty == true { return [] }
        let conditions = SignatureConditions.searching(filter, streams: streams)
        let budget = Self.postingsBudget, vocabulary = max(50, Int(common.signatures) / 50)
        let token = Self.tokenPattern(identifier.lowercased())
        let rows: [(event: StoredEvent, holders: Int64, candidates: Int64)] = try run { [client, logger] in
            var rows: [(event: StoredEvent, holders: Int64, candidates: Int64)] = []
            for try await (id, tenant, service, level, time, labels, body, holders, candidates) in try await client.query("""
                WITH candidates AS MATERIALIZED (
                    SELECT id FROM deja_signatures
                    WHERE search_vector @@ to_tsquery('simple', array_to_string(ARRAY(SELECT quote_literal(t) FROM unnest(\(terms)::text[]) t), ' & '))
                      AND tenant = \(filter.tenant)
                    LIMIT \(budget + 1)),
                holding AS (
                    SELECT s.id, s.example_time FROM candidates c JOIN deja_signatures s ON s.id = c.id
                    WHERE lower(s.example_body) ~ \(token) AND \(conditions)
                    LIMIT \(vocabulary + 1))
                SELECT s.id, s.tenant, s.service, s.level, s.example_time, s.example_labels, s.example_body, h.holders,
                       (SELECT count(*) FROM candidates)
                FROM (SELECT id, example_time, count(*) OVER () AS holders FROM holding ORDER BY example_time DESC, id DESC LIMIT \(limit)) h
                JOIN deja_signatures s ON s.id = h.id
                ORDER BY h.example_time DESC, h.id DESC
                """, logger: logger).decode((Int64, String, String, Int16, Int64, String, String, Int64, Int64).self) {
                rows.append((Self.example(id: id, tenant: tenant, service: service, level: level, time: time, labels: labels, body: body),
                             holders, candidates))
            }
            return rows
        }
        guard let first = rows.first, first.candidates <= budget, first.holders <= vocabulary else { return [] }
        return rows.map(\.event)
    }

    /// A PostgreSQL regular expression matching `token` as a whole token (`KeywordTerms.holdsToken`):
    /// not inside a longer run of letters, digits and underscores. ASCII punctuation is escaped.
    static func tokenPattern(_ token: String) -> String {
        let escaped = token.unicodeScalars.map { scalar in
            scalar.isASCII && !(scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) ? "\\\(scalar)" : "\(scalar)"
        }.joined()
        return "(^|[^[:alnum:]_])" + escaped + "($|[^[:alnum:]_])"
    }

    public func signatureIDs(tenant: String, keys: [String]) throws -> [String: Int64] {
        // Keys name services as received; the shared state holds them as it could store them.
        var keyOf: [String: String] = [:]
        for key in keys {
            guard let (service, hash) = IndexKey.parse(key) else { continue }
            keyOf[IndexKey.of(service: LedgerBatch.storable(service), hash: hash)] = key
        }
        guard !keyOf.isEmpty else { return [:] }
        let tenant = LedgerBatch.storable(tenant)
        let cacheKey = { (stored: String) in tenant + "\u{0}" + stored }
        var ids = signatureIDCache.withLock { cache in
            keyOf.keys.reduce(into: [String: Int64]()) { ids, stored in ids[stored] = cache[cacheKey(stored)] }
        }
        let parsed = keyOf.keys.filter { ids[$0] == nil }.compactMap(IndexKey.parse)
        if !parsed.isEmpty {
            let services = parsed.map(\.service), hashes = parsed.map(\.hash)
            let found: [String: Int64] = try run { [client, logger] in
                var found: [String: Int64] = [:]
                for try await (id, service, hash) in try await client.query("""
                    SELECT s.id, s.service, s.hash FROM deja_signatures s
                    JOIN unnest(\(services)::text[], \(hashes)::text[]) AS k(service, hash) ON s.service = k.service AND s.hash = k.hash
                    WHERE s.tenant = \(tenant)
                    """, logger: logger).decode((Int64, String, String).self) {
                    found[IndexKey.of(service: service, hash: hash)] = id
                }
                return found
            }
            ids.merge(found) { cached, _ in cached }
            signatureIDCache.withLock { cache in
                if cache.count + found.count > Self.signatureIDCacheLimit { cache.removeAll(keepingCapacity: true) }
                for (stored, id) in found { cache[cacheKey(stored)] = id }
            }
        }
        return Dictionary(uniqueKeysWithValues: ids.compactMap { stored, id in keyOf[stored].map { ($0, id) } })
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

    /// Most postings (signatures holding a query word) one keyword search ranks, and most words it
    /// ranks by, as in the embedded store: rare words (ids, codes, unusual words) carry BM25's
    /// weight, common ones cost the most and add almost none.
    static let postingsBudget = 3_000
    static let keptWords = 8

    /// Ids of the tenant's signatures passing `filter` whose indexed words hold the query's rarest
    /// words (at most `keptWords` of them, `postingsBudget` postings in all), best first by the
    /// summed BM25 weights (inverse document frequency) of the words each holds.
    private func matching(_ terms: [String], filter: SearchFilter, limit: Int) throws -> [Int64] {
        let common = try commonWords()
        let terms = terms.filter { !common.words.contains($0) }
        guard !terms.isEmpty else { return [] }
        let streams = try streams(matching: filter)
        if streams?.isEmpty == true { return [] }
        let conditions = SignatureConditions.searching(filter, streams: streams)
        let budget = Self.postingsBudget
        // Each word's holders, up to the budget: a word past it is left out whole.
        let postings: [String: [Int64]] = try run { [client, logger] in
            let rows = try await client.query("""
                SELECT t.term, h.id FROM unnest(\(terms)::text[]) AS t(term)
                CROSS JOIN LATERAL (
                    SELECT s.id FROM deja_signatures s
                    WHERE s.search_vector @@ to_tsquery('simple', quote_literal(t.term)) AND s.tenant = \(filter.tenant)
                      AND \(conditions)
                    LIMIT \(budget + 1)) h
                """, logger: logger)
            var postings: [String: [Int64]] = [:]
            for try await (term, id) in rows.decode((String, Int64).self) { postings[term, default: []].append(id) }
            return postings
        }
        var scores: [Int64: Double] = [:]
        var left = budget
        var kept = 0
        for (_, holders) in postings.sorted(by: { ($0.value.count, $0.key) < ($1.value.count, $1.key) })
        where kept < Self.keptWords && holders.count <= left {
            left -= holders.count
            kept += 1
            let count = Double(holders.count)
            let weight = log(1 + (max(common.signatures, count) - count + 0.5) / (count + 0.5))
            for id in holders { scores[id, default: 0] += weight }
        }
        return scores.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(limit).map(\.key)
    }

    /// Words more than `postingsBudget` signatures hold, and about how many signatures there are,
    /// from PostgreSQL's own statistics (ANALYZE's most common elements of the indexed words, kept
    /// up to date by autovacuum), read at most once a minute: no search counts postings of common
    /// words. Before the first ANALYZE, none.
    func commonWords() throws -> CommonWords {
        let now = ContinuousClock.now
        if let cached = commonWordCache.withLock({ $0 }), now - cached.read < .seconds(60) { return cached }
        let budget = Double(Self.postingsBudget)
        let (words, signatures): (Set<String>, Double) = try run { [client, logger] in
            var words = Set<String>()
            var signatures = 0.0
            for try await rows in try await client.query("SELECT greatest(reltuples, 0)::float8 FROM pg_class WHERE relname = 'deja_signatures'",
                                                         logger: logger).decode(Double.self) {
                signatures = rows
            }
            for try await (elements, frequencies) in try await client.query("""
                SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats
                WHERE tablename = 'deja_signatures' AND attname = 'search_vector' AND most_common_elems IS NOT NULL
                """, logger: logger).decode(([String], [Float]).self) {
                for (word, frequency) in zip(elements, frequencies) where Double(frequency) * signatures > budget { words.insert(word) }
            }
            return (words, signatures)
        }
        let fresh = CommonWords(words: words, signatures: signatures, read: now)
        commonWordCache.withLock { $0 = fresh }
        return fresh
    }

    private func examples(_ query: PostgresQuery) throws -> [StoredEvent] {
        try run { [client, logger] in
            var events: [StoredEvent] = []
            for try await (id, tenant, service, level, time, labels, body)
                in try await client.query(query, logger: logger).decode((Int64, String, String, Int16, Int64, String, String).self) {
                events.append(Self.example(id: id, tenant: tenant, service: service, level: level, time: time, labels: labels, body: body))
            }
            return events
        }
    }

    /// A signature's example as an event; its id is the signature's.
    private static func example(id: Int64, tenant: String, service: String, level: Int16, time: Int64, labels: String, body: String) -> StoredEvent {
        StoredEvent(id: id, externalID: nil, tenant: tenant, service: service, level: Severity(rawValue: Int(level)) ?? .unknown,
                    timestamp: time, labels: LabelsJSON.decode(labels), body: body, signatureID: id)
    }
}
