import ArgumentParser
import DejaCore
import DejaIngest
import DejaStore
import Foundation

/// `deja ingest`: log files (or JSONL events) into the embedded store.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Store log lines as events, searchable by keyword and by meaning.",
        discussion: """
        Plain input is parsed line by line (JSON, logfmt, klog, syslog, CRI, common text layouts) and \
        multi-line records (stack traces) become one event. With --jsonl each line is an object with \
        "body" and optional "id" (kept and returned by search), "service", "level", "timestamp" \
        (RFC 3339) and "labels". A bad JSONL line stops the run with its line number; batches before \
        it are stored.
        """
    )

    @Argument(help: "Log files (standard input when none).")
    var files: [String] = []

    @Option(help: "Service of the events (default: the file name without extension, or 'default').")
    var service: String?

    @Option(help: "Declared line layout, loghub style ('<Date> <Time> <Level> <Content>').")
    var format: String?

    @Flag(help: "Input lines are JSON events.")
    var jsonl = false

    @OptionGroup var zone: ZoneOption

    @Option(help: "After ingesting, remove this tenant's events older than this (e.g. 7d) and its signatures left without events.")
    var retention: String?

    @OptionGroup var store: StoreOptions
    @OptionGroup var vectors: VectorStoreOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup var issues: IssueOptions

    @Flag(help: "Print the final report as JSON on standard output (progress stays on standard error).")
    var json = false

    mutating func run() throws {
        let layout = try LineFormat.option(format)
        let retentionWindow = try retention.map { text -> Int64 in
            guard let value = DurationParser.nanoseconds(text) else { throw ValidationError("--retention '\(text)' is not a duration like 30m, 12h or 7d") }
            return value
        }
        let (embedder, redactor) = try model.loadRedacted()
        let database = try store.open()
        // Checked before anything is read: a wrong URL or token fails the run at once.
        let chroma = try vectors.open(events: database, model: embedder.modelIdentity)
        let pipeline = try IngestPipeline(store: database, embedder: embedder, redactor: redactor, issueRule: issues.rule)
        pipeline.batchSize = model.batchSize
        // Events are stored at full speed; new signatures are embedded beside, on their own thread.
        let background = BackgroundEmbedder(store: database, embedder: embedder, issues: pipeline.issues, batchSize: model.batchSize)
        pipeline.background = background
        background.start()
        let started = DispatchTime.now().uptimeNanoseconds
        // Reading and preparing the next batch overlaps with writing this one.
        let writer = BatchWriter(pipeline: pipeline)
        var pending: [LogEvent] = []
        var pendingLines: [(number: Int, text: String)] = []
        // Larger transactions mean fewer, larger FTS5 segments to write and merge.
        let batchSize = 8_000
        let prepare = pipeline.preparer
        let read = ProgressCounter()
        let progress = ProgressLine { [writer, background] in
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let stored = writer.storedSoFar
            let embedded = background.embedded
            let waiting = max(0, stored.signatures - embedded)
            var line = "read \(ProgressLine.count(read.value)) events · stored \(ProgressLine.count(stored.events))"
                + " (\(ProgressLine.count(Int(Double(stored.events) / max(seconds, 1e-3))))/s) · \(ProgressLine.count(waiting)) signatures waiting for embedding"
            if waiting > 0 && embedded > 0 {
                line += " (about \(Int((Double(waiting) / (Double(embedded) / seconds)).rounded(.up))) s left)"
            }
            return line
        }
        progress.start()
        defer { progress.stop() }
        func flush() throws {
            read.add(pending.count + pendingLines.count)
            if !pendingLines.isEmpty {
                // Decoded and prepared in one pass on all cores.
                let decoder = JSONEventDecoder(tenant: store.tenant, defaultService: defaultService, defaultTimestamp: now)
                let results = pendingLines.parallelMap(cores: BatchWriter.preparingCores) { line in
                    Result { prepare(try decoder.decode(line.text, number: line.number)) }
                }
                pendingLines.removeAll(keepingCapacity: true)
                var prepared: [PreparedEvent] = []
                prepared.reserveCapacity(results.count)
                for result in results {
                    switch result {
                    case .success(let event): prepared.append(event)
                    case .failure(let error):
                        // Events before the bad line are stored; the run stops at it.
                        try writer.submit(prepared)
                        _ = try writer.finish()
                        throw error
                    }
                }
                // The input goes on (or ends, which `finish` tells the writer).
                try writer.submit(prepared, moreFollows: true)
            }
            guard !pending.isEmpty else { return }
            try writer.submit(pipeline.prepare(pending, cores: BatchWriter.preparingCores), moreFollows: true)
            pending.removeAll(keepingCapacity: true)
        }
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        let parser = try zone.parser()
        var defaultService = "default"
        for path in files.isEmpty ? [nil] : files.map(Optional.some) {
            let fileService = service ?? path.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent } ?? "default"
            defaultService = fileService
            var assembler = MultiLineAssembler(parser: parser)
            var number = 0
            func add(_ assembled: [AssembledEvent]) throws {
                for event in assembled {
                    var labels: [String: String] = [:]
                    if let source = event.header.source { labels["logger"] = source }
                    pending.append(LogEvent(timestamp: event.header.timestamp ?? now, tenant: store.tenant, service: fileService,
                                            level: event.header.level, labels: labels, body: event.body,
                                            lineTimestamp: event.header.lineTimestamp))
                    if pending.count >= batchSize { try flush() }
                }
            }
            for line in try LineReader(path: path) {
                number += 1
                if jsonl {
                    guard !line.allSatisfy(\.isWhitespace) else { continue }
                    pendingLines.append((number, line))
                    if pendingLines.count >= batchSize { try flush() }
                } else if let layout {
                    let fields = layout.parse(line)
                    var event = parser.parse(fields?["Content"] ?? line)
                    if let level = fields?["Level"] { event.level = Severity(parsing: level) }
                    try add([AssembledEvent(header: event, body: event.message, firstLine: number, lastLine: number)])
                } else {
                    try add(assembler.add(line, number: number))
                }
            }
            try add(assembler.flush())
            try flush()  // a file's JSONL lines take that file's service
        }
        let totals = try writer.finish()
        try pipeline.patterns.snapshot()
        let stored = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        progress.stop()
        Self.report(String(format: "stored %d events, %d new signatures: stored and keyword-searchable after %.1f s (%.0f events/s)",
                           totals.events, totals.signatures, stored, Double(totals.events) / max(stored, 1e-9)))
        progress.start()
        try background.finish()
        progress.stop()
        let searchable = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let issues = pipeline.issues.statistics
        var report = String(format: "all vector-searchable and in issues after %.1f s (clustering %.1f s; %d failure issues in %.1f MB)",
                            searchable, issues.seconds, issues.failureIssues, Double(issues.bytes) / 1e6)
        if let retentionWindow {
            let removed = try pipeline.store.removeEvents(olderThan: now - retentionWindow, tenant: store.tenant)
            report += "; retention removed \(removed.events) events and \(removed.signatures) signatures"
        }
        // After retention, so that its removals reach ChromaDB too.
        if let chroma {
            let sync = VectorIndexSync(store: database, index: chroma, model: embedder.modelIdentity)
            sync.onFailure = { error in Self.report("ChromaDB: \(error); retrying") }
            do {
                try sync.drain(retryingFor: 120)
            } catch {
                throw CLIError("events are stored, but ChromaDB did not take their vectors: \(error). They are sent at the next `deja ingest` or `deja serve` with --vector-store chroma")
            }
            report += String(format: "; all in ChromaDB after %.1f s (%d signatures published)",
                             Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9, sync.status.published)
        }
        Self.report(report)
        if json {
            let summary: [String: Double] = [
                "events": Double(totals.events), "newSignatures": Double(totals.signatures), "storedSeconds": stored,
                "eventsPerSecond": Double(totals.events) / max(stored, 1e-9), "searchableSeconds": searchable,
                "failureIssues": Double(issues.failureIssues), "clusteringSeconds": issues.seconds,
            ]
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        }
    }

    /// Progress goes to standard error, so that standard output stays data.
    private static func report(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
