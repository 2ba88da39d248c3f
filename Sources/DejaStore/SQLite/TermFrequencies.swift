import GRDB

/// How many events hold each word, estimated from signatures (a word of a signature's message
/// counts that signature's events), so that keyword search can rank rare words first without a
/// lookup in the full-text index per word. Words masked out of messages (ids, numbers) are absent
/// and so count as rare, which they are.
struct TermFrequencies: Sendable {
    private var counts: [String: Int64] = [:]
    /// The newest signature it was built from, to know when it is stale.
    let newestSignature: Int64

    init(db: Database) throws {
        var counts: [String: Int64] = [:]
        var newest: Int64 = 0
        let rows = try Row.fetchCursor(db, sql: "SELECT id, message, count FROM signatures")
        while let row = try rows.next() {
            let message: String = row[1]
            let count: Int64 = row[2]
            for term in Set(KeywordTerms.terms(of: message)) { counts[term, default: 0] += count }
            newest = max(newest, row[0])
        }
        self.counts = counts
        newestSignature = newest
    }

    func events(with term: String) -> Int64 { counts[term] ?? 0 }
}
