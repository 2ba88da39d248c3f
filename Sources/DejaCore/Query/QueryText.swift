/// A query as search reads it. A pasted log line (or a pasted trace's first line) loses its header
/// (timestamp, level, thread, logger), as stored events did at ingest: its message then meets
/// theirs on equal terms, and a thread or pod name in the header is not taken for an identifier to
/// look up. Any other query is searched as written.
public struct QueryText: Sendable, Equatable {
    /// What is searched: the message, then any lines after the first.
    public let searched: String
    /// The level the query names, as a log line's header or a leading word does; `.unknown` if none.
    public let level: Severity

    public init(_ query: String) {
        let newline = query.firstIndex(of: "\n")
        let parsed = LineParser().parse(String(query[..<(newline ?? query.endIndex)]))
        level = parsed.level
        // A timestamp is what marks a pasted line: a sentence may start with `error`, not with a time.
        if parsed.timestamp != nil, !parsed.message.isEmpty {
            searched = parsed.message + (newline.map { String(query[$0...]) } ?? "")
        } else {
            searched = query
        }
    }
}
