import DejaCore
import Foundation
import GRDB

/// Keyword search over the two word indexes (`KeywordTerms`): an event holds a word when its own
/// index row does, or when its signature's row does.
extension SQLiteStore {
    /// Most postings (events holding a query word) one keyword search ranks: ranking costs a few
    /// microseconds per posting. Rare words are taken first: ids, codes and unusual words carry
    /// BM25's weight, and common words, which would cost the most to rank, add almost none.
    static let postingsBudget = 3_000

    /// The signatures (and their event counts) of a tenant whose messages hold a word. CROSS JOIN
    /// keeps the word index as the outer loop: otherwise SQLite walks the tenant's signatures and
    /// asks the index about each one (150 ms per word at 20,000 signatures).
    static let signaturesHoldingWord = """
        SELECT s.id, s.count FROM signatures_fts CROSS JOIN signatures s ON s.id = signatures_fts.rowid
        WHERE signatures_fts MATCH ? AND s.tenant = ?
        """

    /// Event ids holding the query's words, ranked by the BM25 weight (inverse document frequency)
    /// of the words each holds, newest first among equals. At most the eight rarest searchable words
    /// within the postings budget are used; a query of common words only finds nothing here and is
    /// left to vector search. Words under four characters are left out: counts, times and node names
    /// like `n2`, everywhere in bodies.
    public func keywordSearch(_ query: String, filter: SearchFilter, limit: Int) throws -> [Int64] {
        try pool.read { db in
            let postings = try Self.postings(of: query, tenant: filter.tenant, frequencies: try termFrequencies(db), db: db)
            guard !postings.events.isEmpty || !postings.signatures.isEmpty else { return [] }
            var scored: [(id: Int64, score: Double)] = []
            // Events holding a word in their own row, with their signature's words too.
            if !postings.events.isEmpty {
                var sql = "SELECT id, signature_id FROM events WHERE id IN (\(postings.events.keys.map(String.init).joined(separator: ","))) AND tenant = ?"
                var arguments: StatementArguments = [filter.tenant]
                appendFilter(filter, to: &sql, &arguments, table: "events")
                for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                    let id: Int64 = row[0]
                    scored.append((id, postings.events[id]! + (postings.signatures[row[1]] ?? 0)))
                }
            }
            // Events of signatures holding a word (the tenant is the signature's, checked already).
            if !postings.signatures.isEmpty {
                var sql = "SELECT id, signature_id FROM events WHERE \(try inAllSegments("id", db)) AND signature_id IN (\(postings.signatures.keys.map(String.init).joined(separator: ",")))"
                var arguments = StatementArguments()
                appendFilter(filter, to: &sql, &arguments, table: "events")
                for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                    let id: Int64 = row[0]
                    if postings.events[id] == nil { scored.append((id, postings.signatures[row[1]]!)) }
                }
            }
            return scored.sorted { ($0.score, $0.id) > ($1.score, $1.id) }.prefix(limit).map(\.id)
        }
    }

    /// The events (newest first, at most `limit`) whose body holds `identifier` as a whole token,
    /// ignoring case: an id, a number or an address pasted into a query. Candidates come from the
    /// word index through the identifier's rarest word (an IPv4 address has one of its own,
    /// `KeywordTerms.lookupWords`), then each body is checked, so
    /// `INV-2024-427820` does not find `INV-2024-427821`. Nothing is found for an identifier without a
    /// searchable word, or whose rarest word is held by more events than the postings budget (before
    /// filters), or held itself by more than one in fifty of the store's events (at least 50): a token
    /// that common is vocabulary, not one thing.
    public func eventsHolding(identifier: String, filter: SearchFilter, limit: Int) throws -> [StoredEvent] {
        try pool.read { db in
            let frequencies = try termFrequencies(db)
            guard let term = KeywordTerms.lookupWords(of: identifier)
                .min(by: { frequencies.events(with: $0) < frequencies.events(with: $1) }) else { return [] }
            let quoted = "\"\(term)\""
            let signatureRows = try Row.fetchAll(db, sql: Self.signaturesHoldingWord, arguments: [quoted, filter.tenant])
            let fromSignatures = signatureRows.map { $0[0] as Int64 }
            let fromEvents = try Int64.fetchAll(db, sql: "SELECT rowid FROM events_fts WHERE events_fts MATCH ? LIMIT ?",
                                                arguments: [quoted, Self.postingsBudget + 1])
            // Over the budget before any filter: known from the signatures' counts, without reading
            // (and sorting) every event of every signature holding a common word such as `node`.
            guard fromEvents.count + signatureRows.reduce(0, { $0 + ($1[1] as Int) }) <= Self.postingsBudget else { return [] }
            var holders: [String] = []
            if !fromEvents.isEmpty { holders.append("id IN (\(fromEvents.map(String.init).joined(separator: ",")))") }
            if !fromSignatures.isEmpty {
                holders.append("(\(try inAllSegments("id", db)) AND signature_id IN (\(fromSignatures.map(String.init).joined(separator: ","))))")
            }
            guard !holders.isEmpty else { return [] }
            var sql = "SELECT * FROM events WHERE (\(holders.joined(separator: " OR "))) AND tenant = ?"
            var arguments: StatementArguments = [filter.tenant]
            appendFilter(filter, to: &sql, &arguments, table: "events")
            sql += " ORDER BY timestamp DESC, id DESC LIMIT \(Self.postingsBudget + 1)"
            let candidates = try Row.fetchAll(db, sql: sql, arguments: arguments)
            guard candidates.count <= Self.postingsBudget else { return [] }
            let needle = Array(identifier.lowercased().utf8)
            let holding = candidates.lazy.map(Self.event).filter { KeywordTerms.holdsToken(needle, in: $0.body) }
            let events = Int(try Int64.fetchOne(db, sql: "SELECT max(id) FROM events") ?? 0)  // close enough, one index lookup
            let common = max(50, events / 50)
            let found = Array(holding.prefix(common + 1))
            return found.count > common ? [] : Array(found.prefix(limit))
        }
    }

    /// The summed word weights of the events and signatures holding the query's kept words.
    /// Candidates are ordered by their estimated frequency, then looked up (cheap for rare words);
    /// a word is kept when its postings fit in what is left of the budget.
    private static func postings(of query: String, tenant: String, frequencies: TermFrequencies,
                                 db: Database) throws -> (events: [Int64: Double], signatures: [Int64: Double]) {
        var seen = Set<String>()
        let terms = KeywordTerms.terms(of: query).filter { KeywordTerms.isSearchable($0) && seen.insert($0).inserted }.prefix(64)
        let eventRows = try db.cachedStatement(sql: "SELECT rowid FROM events_fts WHERE events_fts MATCH ? LIMIT ?")
        let signatureRows = try db.cachedStatement(sql: signaturesHoldingWord)
        // BM25's inverse document frequency needs the number of events: the newest id is one
        // index lookup away where a count would scan, and close enough.
        let total = Double(try Int64.fetchOne(db, sql: "SELECT max(id) FROM events") ?? 0)
        var events: [Int64: Double] = [:]
        var signatures: [Int64: Double] = [:]
        var left = postingsBudget
        var kept = 0
        for term in terms.sorted(by: { frequencies.events(with: $0) < frequencies.events(with: $1) })
        where kept < 8 && frequencies.events(with: term) <= Int64(left) {
            let quoted = "\"\(term)\""
            let holders = try Row.fetchAll(signatureRows, arguments: [quoted, tenant]).map { (id: $0[0] as Int64, count: $0[1] as Int) }
            let fromSignatures = holders.reduce(0) { $0 + $1.count }
            guard fromSignatures <= left else { continue }
            let ids = try Int64.fetchAll(eventRows, arguments: [quoted, left - fromSignatures + 1])
            let count = fromSignatures + ids.count
            guard count > 0, count <= left else { continue }
            left -= count
            kept += 1
            let weight = log(1 + (total - Double(count) + 0.5) / (Double(count) + 0.5))
            for id in ids { events[id, default: 0] += weight }
            for holder in holders { signatures[holder.id, default: 0] += weight }
        }
        return (events, signatures)
    }
}
