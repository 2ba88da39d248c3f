import DejaCore

/// The query read as a log line: which stored lines are of its kind. Two uses:
/// - signatures that differ only in values the masking keeps (a path, a package or a block id) are
///   one line to a reader and should not fill a page: past the first of a shape (its words with
///   every value a wildcard, as the pattern miner reads them), they follow every other candidate,
///   unless the query is itself a line of that shape, pasted to find it (`crowd`);
/// - a line pasted without its header has the level of the stored lines of its pattern (`matches`).
struct QueryShape {
    private let shape: String
    /// The query's message as the pattern miner groups lines: one pattern, learned from it alone.
    private let miner = PatternMiner()
    private let pattern: Int

    init(query: String) {
        let message = MessageNormalizer.normalize(EventPreparer.messageText(query))
        shape = Self.shape(of: message)
        pattern = miner.learn(EventPreparer.minedText(message))
    }

    /// A message's words with every value a wildcard.
    static func shape(of message: String) -> String {
        MessageTokenizer.tokens(EventPreparer.minedText(message)).joined()
    }

    /// Whether a stored line's `message` would join the query's pattern (the miner's similarity).
    func matches(_ message: String) -> Bool {
        miner.match(EventPreparer.minedText(message))?.id == pattern
    }

    /// `ranked` with each shape's signatures past the first moved after the rest. `message` gives a
    /// signature's message; `pinned` ones (holding the query's identifiers) stay where they are.
    func crowd(_ ranked: [(key: Int64, value: Double)], message: (Int64) -> String?,
               pinned: (Int64) -> Bool) -> [(key: Int64, value: Double)] {
        var seen = Set<String>()
        var kept: [(key: Int64, value: Double)] = [], crowded: [(key: Int64, value: Double)] = []
        for candidate in ranked {
            if !pinned(candidate.key), let message = message(candidate.key), case let shape = Self.shape(of: message),
               shape != self.shape, !seen.insert(shape).inserted {
                crowded.append(candidate)
            } else {
                kept.append(candidate)
            }
        }
        return kept + crowded
    }
}
