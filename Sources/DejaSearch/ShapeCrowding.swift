import DejaCore

/// Signatures that differ only in values the masking keeps (a path, a package or a block id) are
/// one line to a reader, and should not fill a page: past the first of a shape (its words with
/// every value a wildcard, as the pattern miner reads them), its signatures follow every other
/// candidate, in their order, unless the query is itself a line of that shape, pasted to find it.
struct ShapeCrowding {
    private let queryShape: String

    init(query: String) {
        queryShape = Self.shape(of: MessageNormalizer.normalize(EventPreparer.messageText(query)))
    }

    /// A message's words with every value a wildcard.
    static func shape(of message: String) -> String {
        MessageTokenizer.tokens(EventPreparer.minedText(message)).joined()
    }

    /// `ranked` with each shape's signatures past the first moved after the rest. `message` gives a
    /// signature's message; `pinned` ones (holding the query's identifiers) stay where they are.
    func apply(to ranked: [(key: Int64, value: Double)], message: (Int64) -> String?,
               pinned: (Int64) -> Bool) -> [(key: Int64, value: Double)] {
        var seen = Set<String>()
        var kept: [(key: Int64, value: Double)] = [], crowded: [(key: Int64, value: Double)] = []
        for candidate in ranked {
            if !pinned(candidate.key), let message = message(candidate.key), case let shape = Self.shape(of: message),
               shape != queryShape, !seen.insert(shape).inserted {
                crowded.append(candidate)
            } else {
                kept.append(candidate)
            }
        }
        return kept + crowded
    }
}
