import DejaCore
import Foundation

/// Log files (or standard input) as batches of `LogEvent`s, the same batches the server's receivers
/// hand over: plain lines are parsed (JSON, logfmt, klog, syslog, CRI, common text layouts) and
/// multi-line records (stack traces) become one event, each source's apart where a line names its
/// source (`docker compose logs`, `kubectl logs --prefix`, stern; `logcli` and `aws logs tail`,
/// whose lines are a log store's entries, newest first or oldest: `ExportedEntries`), which then
/// names the service, and a log export a file opens with is read by record (`LogExport`); a
/// declared layout reads each line by it; JSONL lines are decoded as events.
public struct FileSource: Sendable {
    /// How the files' lines become events.
    public enum Input: Sendable {
        /// Lines read by `parser`, records of several lines assembled.
        case lines(LineParser)
        /// Each line read by a declared layout (loghub style); its `Content` is the message.
        case layout(LineFormat, LineParser)
        /// Each line a JSON event (`JSONEventDecoder`).
        case jsonl
    }

    public let paths: [String?]
    public let service: String?
    public let tenant: String
    public let input: Input
    /// The time of events that carry none (nanoseconds).
    public let now: Int64

    /// `paths` empty reads standard input. Events take `service`, else their file's (`LogFileService`).
    public init(paths: [String], service: String?, tenant: String, input: Input, now: Int64) {
        self.paths = paths.isEmpty ? [nil] : paths.map(Optional.some)
        self.service = service
        self.tenant = tenant
        self.input = input
        self.now = now
    }

    /// Reads every file in order, handing over batches of at most `batchSize` events (a file's last
    /// batch may be shorter); JSONL lines are decoded on `cores` threads. Input that cannot be read
    /// (a JSONL line that is not an event, an export's broken record, a file cut short) stops the
    /// read with `Stopped`, after the events before it were handed over.
    public func read(batchSize: Int = 8_000, cores: Int, _ handOver: ([LogEvent]) throws -> Void) throws {
        var batch: [LogEvent] = []
        func flush() throws {
            guard !batch.isEmpty else { return }
            let full = batch
            batch.removeAll(keepingCapacity: true)
            try handOver(full)
        }
        func add(_ event: LogEvent) throws {
            batch.append(event)
            if batch.count >= batchSize { try flush() }
        }
        for (index, path) in paths.enumerated() {
            do {
                try read(path, batchSize: batchSize, cores: cores, add: add, flush: flush)
            } catch {
                try flush()  // what was read before it
                throw Stopped(cause: error, unread: paths[(index + 1)...].map { $0 ?? "standard input" })
            }
            try flush()  // a file's events take that file's service
        }
    }

    /// Input that stopped the read (a file cut short, a record that cannot be read): the events
    /// before it were handed over; `unread` are the files after it.
    public struct Stopped: Error, CustomStringConvertible {
        public let cause: Error
        public let unread: [String]
        public var description: String { "\(cause)" }
    }

    private func read(_ path: String?, batchSize: Int, cores: Int, add: (LogEvent) throws -> Void, flush: () throws -> Void) throws {
        let fileService = service ?? path.flatMap { $0 == "-" ? nil : LogFileService.name(ofPath: $0) } ?? "default"
        switch input {
        case .jsonl:
            let decoder = JSONEventDecoder(tenant: tenant, defaultService: fileService, defaultTimestamp: now)
            var lines: [(number: Int, text: String)] = []
            func decode() throws {
                let decoded = lines.parallelMap(cores: cores) { line in Result { try decoder.decode(line.text, number: line.number) } }
                lines.removeAll(keepingCapacity: true)
                for result in decoded {
                    switch result {
                    case .success(let event):
                        try add(event)
                    case .failure(let error):
                        throw InvalidLine(file: path ?? "standard input", error: error)
                    }
                }
            }
            func decodeAndFlush() throws {
                try decode()
                try flush()
            }
            do {
                try Self.eachLine(of: path, due: decodeAndFlush, idle: decodeAndFlush) { number, line in
                    guard !line.allSatisfy(\.isWhitespace) else { return }
                    lines.append((number, line))
                    if lines.count >= batchSize { try decode() }
                }
            } catch let failure as LineReader.ReadFailure {
                try decode()  // the lines before the failure
                throw failure
            }
            try decode()
        case .layout(let layout, let parser):
            try Self.eachLine(of: path, due: flush, idle: flush) { number, line in
                guard !line.allSatisfy(\.isWhitespace) else { return }
                let fields = layout.parse(line)
                var header = parser.parse(fields?["Content"] ?? line)
                if let level = fields?["Level"] { header.level = Severity(parsing: level) }
                try add(event(AssembledEvent(header: header, body: header.message, firstLine: number, lastLine: number), service: fileService))
            }
        case .lines(let parser):
            var records = RecordsBySource(parser: parser)
            // A log store's entries (`logcli query`, `aws logs tail`), read as an export's are.
            var entries = ExportedEntries(now: now, zoneOffset: parser.timestamps.zoneOffset)
            // A log export (`LogExport`) is read by record, its records the events.
            var export: LogExport?
            func addRecords(_ done: [RecordsBySource.Record]) throws {
                for (record, source) in done {
                    // The service a JSON line names comes before its file's.
                    try add(event(record, service: service ?? source?.service ?? record.header.service ?? fileService, labels: source?.labels ?? [:]))
                }
            }
            // What is held for a record's next line: handed over when the input goes quiet (a
            // trace's lines arrive together), ends, or fails partway.
            func handOverHeld() throws {
                try addRecords(records.flush())
                for event in entries.flush() { try add(event) }
                try export?.drain(into: add)
            }
            var sawText = false
            // stern's lines seen: a StatefulSet's pod is taken for a prefix too.
            var afterStern = false
            do {
                try Self.eachLine(of: path, due: flush, idle: { try handOverHeld(); try flush() }) { number, line in
                    if !sawText, !line.allSatisfy(\.isWhitespace) {
                        sawText = true
                        export = LogExport(opening: line, ExportContext(parser: parser, path: path, service: fileService,
                                                                        givenService: service, tenant: tenant, now: now))
                    }
                    if export != nil {
                        if try export!.read(line, number: number, into: add) { return }
                        export = nil  // the file goes on as text
                    }
                    guard let (source, time, rest) = LineSource.split(line, afterStern: afterStern) else {
                        try addRecords(records.add(line, of: nil, number: number))
                        return
                    }
                    afterStern = afterStern || source.isWords
                    guard let time else {
                        try addRecords(records.add(String(rest), of: source, number: number))
                        return
                    }
                    let entry = LogEvent(timestamp: time, tenant: tenant, service: service ?? source.service ?? fileService, labels: source.labels,
                                         body: String(rest))
                    for event in entries.add(entry, time: time) { try add(event) }
                }
                try addRecords(records.flush())
                for event in entries.flush() { try add(event) }
                try export?.finish(into: add)
            } catch let failure as LineReader.ReadFailure {
                // A read that fails partway (a truncated gzip file) stores what came before it.
                try handOverHeld()
                throw failure
            }
        }
    }

    /// A JSONL line that is not an event, in its file.
    public struct InvalidLine: Error, CustomStringConvertible {
        public let file: String
        public let error: Error
        public var description: String { "\(file) \(error)" }
    }

    /// Each line of `path` with its number; a read that fails partway throws once the lines before it
    /// are handled. A stream (`tail -f app.log | deja ingest -`) is handed over as it comes: `idle`
    /// (what is held, a record being assembled too) when it has been quiet for a second, `due` (the
    /// events complete) every second while it keeps sending.
    private static func eachLine(of path: String?, due: () throws -> Void, idle: () throws -> Void,
                                 _ body: (Int, String) throws -> Void) throws {
        var reader = try LineReader(path: path)
        var number = 0
        var handedOver = DispatchTime.now().uptimeNanoseconds
        while true {
            switch reader.nextItem(idleAfter: 1_000) {
            case .line(let line):
                number += 1
                try body(number, line)
                if reader.isStream, number % 64 == 0, DispatchTime.now().uptimeNanoseconds - handedOver >= 1_000_000_000 {
                    try due()
                    handedOver = DispatchTime.now().uptimeNanoseconds
                }
            case .idle:
                try idle()
                handedOver = DispatchTime.now().uptimeNanoseconds
            case .end:
                if let failure = reader.failure { throw failure }
                return
            }
        }
    }

    private func event(_ assembled: AssembledEvent, service: String, labels: [String: String] = [:]) -> LogEvent {
        var labels = labels
        if let source = assembled.header.source { labels["logger"] = source }
        return LogEvent(timestamp: assembled.header.timestamp ?? now, tenant: tenant, service: service, level: assembled.header.level,
                        labels: labels, body: assembled.body, lineTimestamp: assembled.header.lineTimestamp)
    }
}
