import Foundation

/// A query as search reads it. Pasted log lines (a line, several, or a trace under its first line)
/// lose their headers (timestamp, level, thread, logger) and the prefixes of tools that merge many
/// sources' lines, as stored events did at ingest: their
/// messages then meet the events' on equal terms, and a thread or pod name in a header is not taken
/// for an identifier to look up. Any other query, and any line without a header, is searched as written.
public struct QueryText: Sendable, Equatable {
    /// What is searched: each line's message, or the line itself where it has no header.
    public let searched: String
    /// The level the query's first line names, as a log line's header or a leading word does; `.unknown` if none.
    public let level: Severity

    public init(_ query: String) {
        let parser = LineParser()
        // A record pasted as a JSON document (Kibana's document view, an Elasticsearch hit, pretty-printed):
        // what it says, as a JSON line's is read.
        if let record = Self.record(query) {
            let parsed = parser.parse(jsonObject: record.object, text: record.text)
            self.level = parsed.level
            searched = parsed.message
            return
        }
        var level = Severity.unknown
        var lines: [Substring] = []
        // Any newline: a pasted Windows line ends in CRLF, which Swift reads as one character.
        let pastedLines = query.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        // Copied from `docker compose logs`, `kubectl logs --prefix`, stern, logcli or `aws logs tail`: the source's own line.
        let splits = pastedLines.map { LineSource.split(String($0)) }
        // stern's prefix is words: a typed query that starts with a pod's name keeps it, unless the
        // query is lines copied from stern (each with its prefix) or a log line's time follows it.
        let copiedFromStern = pastedLines.count > 1
            && zip(pastedLines, splits).allSatisfy { line, split in line.isEmpty || split?.source.isWords == true }
        for (number, pasted) in pastedLines.enumerated() {
            let split = splits[number]
            var line = split?.line ?? pasted
            var parsed = parser.parse(String(line))
            if split?.source.isWords == true, !copiedFromStern, parsed.timestamp == nil {
                line = pasted
                parsed = parser.parse(String(line))
            }
            if number == 0 { level = parsed.level }
            // A timestamp is what marks a pasted line: a sentence may start with `error`, not with a time.
            lines.append(parsed.timestamp != nil && !parsed.message.isEmpty ? Substring(parsed.message) : line)
        }
        self.level = level
        searched = lines.joined(separator: "\n")
    }

    /// The log record a query holds as one JSON object over one or more lines (an Elasticsearch
    /// hit's `_source`), with its text.
    private static func record(_ query: String) -> (object: [String: Any], text: String)? {
        let trimmed = query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("{"), trimmed.hasSuffix("}"), trimmed.utf8.count <= 1 << 20,
              let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any] else { return nil }
        guard let source = object["_source"] as? [String: Any] else { return (object, trimmed) }
        return (source, (try? JSONSerialization.data(withJSONObject: source)).map { String(decoding: $0, as: UTF8.self) } ?? trimmed)
    }
}
