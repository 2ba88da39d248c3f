import DejaCore
import Foundation

/// Grafana Explore's logs text download: a line per fact about the query (`Common labels:
/// {"app":"checkout"}`, `Line limit: "1000 (12 returned)"`, `Total bytes processed: "1.2 kB"`,
/// each value as JSON), blank lines, then a row per log line: its time (`2024-03-14 09:21:07.412`
/// in the browser's zone, or in newer versions epoch milliseconds and ISO 8601), a tab, the line.
/// The facts are no events, the common labels are every row's, and a row is the log store's entry.
struct GrafanaTextDownload {
    /// The facts Grafana writes first, one of which opens a download.
    static let openingLabels = ["Common labels: ", "Line limit: ", "Total bytes processed: "]

    /// Whether a file whose first line is `line` is a download.
    static func opens(_ line: String) -> Bool {
        openingLabels.contains { line.hasPrefix($0) } && fact(line) != nil
    }

    /// A fact line's label and JSON value, or nil for any other line.
    static func fact(_ line: String) -> (label: String, value: Any)? {
        guard let colon = line.range(of: ": "), line[..<colon.lowerBound].allSatisfy({ $0.isLetter || $0 == " " }),
              let value = try? JSONSerialization.jsonObject(with: Data(line[colon.upperBound...].utf8), options: [.fragmentsAllowed])
        else { return nil }
        return (String(line[..<colon.lowerBound]), value)
    }

    /// The labels a `Common labels` fact holds.
    static func commonLabels(_ fact: (label: String, value: Any)) -> [String: String]? {
        guard fact.label == "Common labels" else { return nil }
        return (fact.value as? [String: Any])?.compactMapValues { $0 as? String }
    }

    /// A row's time and line.
    static func row(_ text: String, scanner: TimestampScanner) -> (time: Int64?, line: Substring) {
        let fields = text.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
        if fields.count == 3, fields[0].utf8.count >= 13, fields[0].utf8.allSatisfy({ $0 &- 48 < 10 }), let milliseconds = Int64(fields[0]) {
            return (EventTime.checked(milliseconds * 1_000_000), fields[2])
        }
        guard fields.count >= 2, let time = scanner.timestamp(in: String(fields[0])) else { return (nil, Substring(text)) }
        return (time, text[fields[1].startIndex...])
    }

    private let context: ExportContext
    private var readingFacts = true
    private var labels: [String: String] = [:]
    /// Rows read but not yet handed on: the next may belong to their record.
    private var entries: ExportedEntries

    init(_ context: ExportContext) {
        self.context = context
        entries = ExportedEntries(now: context.now, zoneOffset: context.parser.timestamps.zoneOffset)
    }

    /// Reads a line of the download; returns the events it completed.
    mutating func add(_ line: String) -> [LogEvent] {
        if line.allSatisfy(\.isWhitespace) { return [] }
        if readingFacts, let fact = Self.fact(line) {
            labels = Self.commonLabels(fact) ?? labels
            return []
        }
        readingFacts = false
        let row = Self.row(line, scanner: context.parser.timestamps)
        let entry = LogEvent(timestamp: context.now, tenant: context.tenant,
                             service: context.givenService ?? ServiceLabels.service(in: labels) ?? context.service,
                             labels: labels, body: String(row.line))
        return entries.add(entry, time: row.time)
    }

    /// The rows read and not yet handed on.
    mutating func drain() -> [LogEvent] {
        entries.flush()
    }
}
