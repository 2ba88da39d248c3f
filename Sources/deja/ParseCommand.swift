import ArgumentParser
import DejaCore
import DejaIngest
import Foundation

/// `deja parse`: show how Deja reads each line — its fields under a declared `--format`.
struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Print the fields of each log line as JSON, one object per line.",
        discussion: """
        Without --format, prints what detection found: {"timestamp": RFC 3339 or null, "level": trace, \
        debug, info, warn, error, fatal or null, "message", "layout", "stream": the labels of the \
        stream a prefix names (docker compose logs, kubectl logs --prefix, logcli) or null}; a log export \
        of JSON documents or CSV, one object per record. Year-less dates take the year \
        that puts them no more than two days after now; zone-less times are read in --zone (UTC). Once \
        a file's layout is recognized, its later lines are read that way first. With --format, a line \
        that does not have the declared layout is printed as {"unmatched": LINE} and counted on standard error.
        """
    )

    @Argument(help: "Log files (standard input when none).")
    var files: [String] = []

    @Option(help: "Line layout, loghub style: '<Date> <Time> <Level> \\[<Component>\\]: <Content>'.")
    var format: String?

    @OptionGroup var zone: ZoneOption

    mutating func run() throws {
        guard let layout = try LineFormat.option(format) else { return try detect() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var output = OutputBuffer()
        var unmatched = 0
        for path in files.isEmpty ? [nil] : files.map(Optional.some) {
            try LineReader.forEachLine(of: path) { line in
                let fields: [String: String]
                if let parsed = layout.parse(line) {
                    fields = parsed
                } else {
                    fields = ["unmatched": line]
                    unmatched += 1
                }
                output.append(String(decoding: try encoder.encode(fields), as: UTF8.self) + "\n")
                output.flushIfLarge()
            }
        }
        output.flush()
        if unmatched > 0 { FileHandle.standardError.write(Data("\(unmatched) lines did not match the format\n".utf8)) }
    }

    /// One JSON object per line with what automatic detection read from it.
    private func detect() throws {
        let parser = try zone.parser()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var output = OutputBuffer()
        // What was read before an error is printed too.
        defer { output.flush() }
        for path in files.isEmpty ? [nil] : files.map(Optional.some) {
            // A file is one stream; where a prefix names a line's source, each source is one.
            var memory = LineLayoutMemory()
            var sources: [LineSource: LineLayoutMemory] = [:]
            // A log export (`LogExport`): one object per record, as `deja ingest` reads it.
            var export: LogExport?
            let printRecord = { (event: LogEvent) in
                output.append(try self.exported(event, encoder: encoder))
                output.flushIfLarge()
            }
            var sawText = false
            var afterStern = false  // stern's lines seen: a StatefulSet's pod is taken for a prefix too, as in `deja ingest`
            var number = 0
            try LineReader.forEachLine(of: path) { line in
                number += 1
                if !sawText, !line.allSatisfy(\.isWhitespace) {
                    sawText = true
                    export = LogExport(opening: line, ExportContext(parser: parser, path: path, service: "",
                                                                    givenService: nil, tenant: "", now: 0))
                }
                if export != nil {
                    if try export!.read(line, number: number, into: printRecord) { return }
                    export = nil  // the file goes on as text
                }
                let prefixed = LineSource.split(line, afterStern: afterStern)
                afterStern = afterStern || prefixed?.source.isWords == true
                let parsed = prefixed.map { parser.parse(String($0.line), memory: &sources[$0.source, default: LineLayoutMemory()]) }
                    ?? parser.parse(line, memory: &memory)
                // The service a JSON line names, where no prefix names one, as `deja ingest` takes it.
                var stream = prefixed?.source.labels
                if prefixed?.source.service == nil, let service = parsed.service { stream = (stream ?? [:]).merging(["service": service]) { $1 } }
                let detected = Detected(stream: stream, timestamp: (parsed.timestamp ?? prefixed?.time).map(RFC3339.string),
                                        level: Self.levelName(parsed.level), message: parsed.message,
                                        layout: parsed.timestampShape.map { "\(parsed.layout.rawValue): \($0)" } ?? parsed.layout.rawValue,
                                        conditions: FailureTaxonomy.matches(in: parsed.message).map { Condition(labels: $0.labels, source: $0.source) })
                output.append(String(decoding: try encoder.encode(detected), as: UTF8.self) + "\n")
                output.flushIfLarge()
            }
            try export?.finish(into: printRecord)
        }
    }

    /// An exported record's line: its stream is its labels and the service it names, its message
    /// read from its body as a stored event's is (a CSV row's or Grafana's body is the line as written).
    private func exported(_ event: LogEvent, encoder: JSONEncoder) throws -> String {
        var stream = event.labels
        if !event.service.isEmpty { stream["service"] = event.service }
        let (message, jsonLevel) = EventPreparer.reading(event.body)
        let detected = Detected(stream: stream, timestamp: event.timestamp == 0 ? nil : RFC3339.string(event.timestamp),
                                level: Self.levelName(event.level == .unknown ? jsonLevel ?? .unknown : event.level), message: message, layout: "export",
                                conditions: FailureTaxonomy.matches(in: message).map { Condition(labels: $0.labels, source: $0.source) })
        return String(decoding: try encoder.encode(detected), as: UTF8.self) + "\n"
    }

    /// What detection found in one line; fields it did not find are null, not left out.
    struct Detected: Encodable {
        /// The labels of the stream a prefix names (`docker compose logs`, `kubectl logs --prefix`, `logcli`), and
        /// the service a JSON line names.
        var stream: [String: String]?
        var timestamp: String?
        var level: String?
        var message: String
        var layout: String
        /// The failure conditions (`FailureTaxonomy`) the message shows: what search and clustering read from it.
        var conditions: [Condition]

        func encode(to encoder: Encoder) throws {
            var fields = encoder.container(keyedBy: CodingKeys.self)
            try fields.encode(stream, forKey: .stream)
            try fields.encode(timestamp, forKey: .timestamp)
            try fields.encode(level, forKey: .level)
            try fields.encode(message, forKey: .message)
            try fields.encode(layout, forKey: .layout)
            try fields.encode(conditions, forKey: .conditions)
        }

        enum CodingKeys: String, CodingKey { case stream, timestamp, level, message, layout, conditions }
    }

    struct Condition: Encodable {
        var labels: [String]
        var source: String
    }

    /// The six level names detection reports (notice reads as info, critical as fatal).
    static func levelName(_ level: Severity) -> String? {
        switch level {
        case .unknown: nil
        case .trace: "trace"
        case .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warn"
        case .error: "error"
        case .critical, .fatal: "fatal"
        }
    }
}
