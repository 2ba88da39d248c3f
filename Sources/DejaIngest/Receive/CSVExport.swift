import DejaCore
import Foundation

/// A log export of comma- or tab-separated values under a header row, as log search tools export
/// results: Splunk (`_time`, `host`, `source`, `sourcetype`, `_raw`), CloudWatch Logs Insights
/// (`@timestamp`, `@message`, `@logStream`, `@log`), Kibana's Discover (`@timestamp`, `message`),
/// Grafana's Explore (`labels`, `Time`, `Line`), Datadog (`date`, `host`, `service`, `message`).
/// Each row is read as a receiver reads a pushed entry: its message column is the line as written
/// (its own level and time read from it), the other columns give its time, level, service and
/// source's labels, and consecutive rows of one source that continue a record (a trace its
/// collector shipped line by line) are joined, newest first or oldest (`ExportedEntries`).
public struct CSVExport {
    /// Columns holding the line, in order of preference (Splunk's `_raw` is the line as written,
    /// its `message` a field extracted from it).
    static let messageColumns = ["_raw", "@message", "message", "msg", "line", "log", "content", "body", "logmessage", "textpayload"]
    /// Columns holding the entry's time, in order of preference.
    static let timeColumns = ["_time", "@timestamp", "timestamp", "time", "timegenerated", "date", "datetime", "ts", "eventtime"]
    /// Columns naming the entry's source, kept as its labels (CloudWatch's under Loki-style names).
    static let sourceColumns = ["host": "host", "hostname": "hostname", "host.name": "host.name", "source": "source",
                                "sourcetype": "sourcetype", "index": "index", "@logstream": "log_stream", "@log": "log_group"]

    /// An export's header row: the separator and what each column holds.
    public struct Header: Sendable {
        let delimiter: UInt8
        /// Column names, lower-cased, with a unit in brackets dropped (Azure's `TimeGenerated [UTC]`).
        let columns: [String]
        let message: Int
        let time: Int?
        /// Grafana's `labels`: the Loki stream's labels, as JSON or in LogQL's notation.
        let labels: Int?
    }

    /// The header of an export whose first line is `line`, or nil when the line is none: two or
    /// more column names, one of them a message column.
    public static func header(_ line: String) -> Header? {
        for delimiter in [UInt8(ascii: ","), UInt8(ascii: "\t")] where line.utf8.contains(delimiter) {
            var rows = CSVRows(delimiter: delimiter)
            guard let names = try? rows.add(line, number: 1), names.count >= 2,
                  names.allSatisfy(isColumnName) else { continue }
            let columns = names.map { name in
                name.lowercased().replacingOccurrences(of: #"\s*\[[^\]]*\]$"#, with: "", options: .regularExpression)
            }
            guard Set(columns).count == columns.count,
                  let message = messageColumns.lazy.compactMap({ columns.firstIndex(of: $0) }).first else { continue }
            return Header(delimiter: delimiter, columns: columns, message: message,
                          time: timeColumns.lazy.compactMap { columns.firstIndex(of: $0) }.first,
                          labels: columns.firstIndex(of: "labels"))
        }
        return nil
    }

    /// A column's name as tools write them: a letter, `_` or `@`, then name characters, a few words at most.
    private static func isColumnName(_ name: String) -> Bool {
        guard let first = name.utf8.first, (first | 0x20) &- 97 < 26 || first == UInt8(ascii: "_") || first == UInt8(ascii: "@"),
              name.utf8.count <= 64, name.utf8.count(where: { $0 == 32 }) <= 3 else { return false }
        return name.utf8.allSatisfy { byte in
            (byte | 0x20) &- 97 < 26 || byte &- 48 < 10 || "_@.-/: []()".utf8.contains(byte)
        }
    }

    private func invalid(_ reason: String) -> InvalidExport {
        InvalidExport(file: context.file, kind: "opens with a header row naming its columns", reason: reason,
                      remedy: "Fix the file, or strip its header if it is not an export of log records")
    }

    let header: Header
    let context: ExportContext
    private var rows: CSVRows
    private var rowLine = 0
    /// Rows read but not yet handed on: the next may belong to their record.
    private var records: ExportedEntries
    private var services: [[String: String]: String] = [:]

    /// An export under `header`.
    public init(header: Header, _ context: ExportContext) {
        self.header = header
        self.context = context
        rows = CSVRows(delimiter: header.delimiter)
        records = ExportedEntries(now: context.now, zoneOffset: context.parser.timestamps.zoneOffset)
    }

    /// Reads line `number` (the header's is skipped); returns the events it completed.
    public mutating func add(_ line: String, number: Int) throws -> [LogEvent] {
        if rowLine == 0 { rowLine = number }
        let fields: [String]?
        do {
            fields = try rows.add(line, number: number)
        } catch CSVRows.Failure.rowTooLong(let opened) {
            throw invalid("the quoted value that opens on line \(opened) is still open after \(CSVRows.maxRowBytes >> 20) MB")
        }
        guard let fields else { return [] }
        defer { rowLine = 0 }
        guard fields.contains(where: { !$0.isEmpty }) else { return [] }  // a blank line
        if isHeader(fields) { return [] }  // the header again (exports concatenated)
        guard fields.count <= header.columns.count else {
            throw invalid("line \(rowLine) has \(fields.count) values where the header names \(header.columns.count) "
                + "columns (a value holding the separator must be quoted)")
        }
        guard let (entry, time) = entry(fields) else { return [] }
        return records.add(entry, time: time)
    }

    /// The end of the file: the last record, or an error for a quoted value left open.
    public mutating func finish() throws -> [LogEvent] {
        do {
            try rows.finish()
        } catch CSVRows.Failure.unclosedQuote(let opened) {
            throw invalid("the quoted value that opens on line \(opened) is not closed by its end")
        }
        return drain()
    }

    /// The rows read and not yet handed on: after an `InvalidExport`, what came before it.
    public mutating func drain() -> [LogEvent] {
        records.flush()
    }

    /// Whether `fields` are the header's column names.
    private func isHeader(_ fields: [String]) -> Bool {
        fields.count == header.columns.count && fields[header.message].utf8.count <= 64
            && zip(fields, header.columns).allSatisfy { $0.lowercased().hasPrefix($1) }
    }

    /// The entry a row holds and the time its columns give; nil for a row without a message.
    private mutating func entry(_ fields: [String]) -> (LogEvent, time: Int64?)? {
        var text = fields[header.message]
        if text.utf8.contains(13) { text = text.replacingOccurrences(of: "\r\n", with: "\n") }
        while text.last?.isWhitespace == true { text.removeLast() }
        guard !text.isEmpty else { return nil }
        var columns: [String: String] = [:]
        for (index, value) in fields.enumerated() where !value.isEmpty && index != header.message { columns[header.columns[index]] = value }
        var labels = header.labels.flatMap { columns[header.columns[$0]] }.flatMap(Self.streamLabels) ?? [:]
        for (column, label) in Self.sourceColumns { if let value = columns[column] { labels[label] = value } }
        let service = context.givenService ?? service(columns: columns, labels: labels)
        let time = header.time.flatMap { columns[header.columns[$0]] }.flatMap { context.parser.timestamps.timestamp(in: $0) }
        let level = StreamLabels.level(columns) ?? StreamLabels.level(labels)
            // Datadog's `status` is the level; an access log's is its HTTP status.
            ?? columns["status"].map { Int($0).map(Severity.init(httpStatus:)) ?? Severity(parsing: $0) }
        return (LogEvent(timestamp: context.now, tenant: context.tenant, service: service, level: level ?? .unknown, labels: labels, body: text), time)
    }

    /// The service a row's columns and labels name, else its source's; remembered by the values
    /// that name it (a file path is read for a service in every row of a Splunk export).
    private mutating func service(columns: [String: String], labels: [String: String]) -> String {
        let naming = columns.filter { StreamLabels.namingKeys.contains($0.key) }.merging(labels) { column, _ in column }
        if let known = services[naming] { return known }
        let service = ServiceLabels.service(in: naming) ?? labels["log_stream"].flatMap(LineSource.ecsContainer(ofStream:))
            ?? labels["log_group"].flatMap(Self.lambdaFunction) ?? context.service
        if services.count >= 4_096 { services.removeAll() }
        services[naming] = service
        return service
    }

    /// A Loki stream's labels as Grafana writes them: a JSON object, or `{app="checkout"}`.
    private static func streamLabels(_ text: String) -> [String: String]? {
        if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] {
            return object.compactMapValues { $0 as? String }
        }
        return try? LabelSelector.parse(text)
    }

    /// The function of a Lambda's log group as CloudWatch Logs Insights writes it (`123456789012:/aws/lambda/checkout`).
    private static func lambdaFunction(_ group: String) -> String? {
        guard let range = group.range(of: "/aws/lambda/") else { return nil }
        let name = group[range.upperBound...]
        return name.isEmpty || name.contains("/") ? nil : String(name)
    }
}
