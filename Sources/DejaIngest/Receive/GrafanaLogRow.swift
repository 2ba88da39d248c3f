import DejaCore

/// A log line as Grafana's Explore downloads logs as JSON: `{"line", "timestamp" (nanoseconds, as
/// text), "date" (ISO 8601), "fields"}`, its fields the stream's labels merged with those Grafana
/// detected in the line. The line is the entry as written, read as a pushed entry is.
struct GrafanaLogRow {
    let line: String
    let time: Int64?
    /// The stream's labels: the fields the line does not itself hold (`msg`, `duration` of a logfmt line).
    let labels: [String: String]

    init?(_ object: [String: Any]) {
        guard let line = object["line"] as? String, let fields = object["fields"] as? [String: Any],
              object.keys.allSatisfy({ ["line", "timestamp", "date", "fields"].contains($0) }) else { return nil }
        self.line = line
        time = (object["date"] as? String).flatMap(TimestampParser.parseISO)
            ?? (object["timestamp"] as? String).flatMap { Int64($0) }.flatMap(EventTime.checked)
        labels = fields.compactMapValues { $0 as? String }.filter { !line.contains($0.key) }
    }
}
