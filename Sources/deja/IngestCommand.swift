import ArgumentParser
import DejaCore
import DejaIngest
import DejaStore
import Foundation
import Logging
import ServiceLifecycle

/// `deja ingest`: log files (or JSONL events) into the embedded store.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Store log lines as events, searchable by keyword and by meaning.",
        discussion: """
        Plain input is parsed line by line (JSON, logfmt, klog, syslog, CRI, common text layouts) and \
        multi-line records (stack traces) become one event. Lines prefixed by docker compose logs, \
        kubectl logs --prefix, stern, logcli query or aws logs tail name their source. A log export of JSON \
        documents (gcloud logging read --format=json, aws logs filter-log-events, kubectl get events \
        -o json, an Elasticsearch search response) is read by record, as is a CSV export of a log search \
        (Splunk, CloudWatch Logs Insights, Grafana Explore, Kibana, Datadog), Grafana Explore's logs download \
        (JSON or text) and kubectl get events' table. With --jsonl each line is an object with \
        "body" and optional "id" (kept and returned by search), "service", "level", "timestamp" \
        (RFC 3339) and "labels". Input that cannot be read (a bad JSONL line, a broken export record, \
        a gzip file cut short) stops the run, naming its file and line, what was stored before it \
        and the files not read.
        """
    )

    @Argument(help: "Log files (standard input when none).")
    var files: [String] = []

    @Option(help: "Service of the events (default: the one a line's prefix, a JSON line or an exported record names, else read from each file's path: app.log.1 is app, nginx/error.log is nginx, a Kubernetes pod log its container; standard input 'default').")
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

    mutating func run() async throws {
        let layout = try LineFormat.option(format)
        let retentionWindow = try retention.map { text -> Int64 in
            guard let value = DurationParser.nanoseconds(text) else { throw ValidationError("--retention '\(text)' is not a duration like 30m, 12h or 7d") }
            return value
        }
        // Every file opened once first: one that cannot be read (or is compressed) stops the run before any is stored.
        for path in files where path != "-" { _ = try LineReader(path: path) }
        let (embedder, redactor) = try model.loadRedacted()
        let database = try store.open()
        // Checked before anything is read: a wrong URL or token fails the run at once.
        let chroma = try vectors.open(events: database, model: embedder.modelIdentity)
        let stages = try IngestStages(store: database, embedder: embedder, redactor: redactor, issueRule: issues.rule,
                                      vectors: chroma, batchSize: model.batchSize)
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        let parser = try zone.parser()
        let input: FileSource.Input = jsonl ? .jsonl : layout.map { .layout($0, parser) } ?? .lines(parser)
        let source = FileSource(paths: files, service: service, tenant: store.tenant, input: input, now: now)
        let stale = try stages.pipeline.store.staleVectorCount(model: stages.pipeline.embedder.modelIdentity, recipe: EmbeddingText.recipe)
        if stale > 0 { Self.report("\(stale) signatures were embedded by an earlier release: embedding them again after the new ones") }
        let started = DispatchTime.now().uptimeNanoseconds
        let elapsed: @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 }
        let report = IngestReport()
        // Events are stored at full speed; new signatures are embedded beside, on their own thread,
        // and publishing to ChromaDB follows. When the files are stored, embedding takes every core.
        let live = LiveProgress()
        let receiver = FileIngest(source: source, pipeline: stages.pipeline) { [stages] events, signatures in
            live.line?.stop()
            let seconds = elapsed()
            let mining = stages.pipeline.patterns.miningSeconds  // read once the writer has finished
            report.stored(events: events, signatures: signatures, seconds: seconds, miningSeconds: mining)
            Self.report(String(format: "stored %d events, %d new signatures: stored and keyword-searchable after %.1f s (%.0f events/s; pattern mining %.1f s of it)",
                               events, signatures, seconds, Double(events) / max(seconds, 1e-9), mining))
            live.line?.start()
        }
        let tenant = store.tenant
        let services = stages.services(shutdown: .finishBacklog(publishRetry: 120)) { [stages] stage in
            switch stage {
            case .embed:
                live.line?.stop()
                let searchable = elapsed()
                let issues = stages.pipeline.issues.statistics
                var line = String(format: "all vector-searchable and in issues after %.1f s (clustering %.1f s; %d failure issues in %.1f MB)",
                                  searchable, issues.seconds, issues.failureIssues, Double(issues.bytes) / 1e6)
                if let retentionWindow {
                    // Before publishing, so that its removals reach ChromaDB too.
                    let removed = try stages.pipeline.store.removeEvents(olderThan: now - retentionWindow, tenant: tenant)
                    line += "; retention removed \(removed.events) events and \(removed.signatures) signatures"
                }
                report.searchable(seconds: searchable, failureIssues: issues.failureIssues, clusteringSeconds: issues.seconds)
                Self.report(line)
            case .publish:
                Self.report(String(format: "all in ChromaDB after %.1f s (%d signatures published)",
                                   elapsed(), stages.vectorIndex?.status.published ?? 0))
            }
        }
        stages.vectorIndex?.onFailure = { error in Self.report("ChromaDB: \(error); retrying") }
        let embedding = stages.embedder
        live.line = ProgressLine { [receiver] in
            let seconds = elapsed()
            let stored = receiver.storedSoFar
            let embedded = embedding.embedded
            let waiting = max(0, stored.signatures - embedded)
            var line = "read \(ProgressLine.count(receiver.eventsRead)) events · stored \(ProgressLine.count(stored.events))"
                + " (\(ProgressLine.count(Int(Double(stored.events) / max(seconds, 1e-3))))/s) · \(ProgressLine.count(waiting)) signatures waiting for embedding"
            if waiting > 0 && embedded > 0 {
                line += " (about \(Int((Double(waiting) / (Double(embedded) / seconds)).rounded(.up))) s left)"
            }
            return line
        }
        live.line?.start()
        defer { live.line?.stop() }
        // The receiver is listed last: its end shuts the group down, and the stages stop in reverse
        // order, each finishing its backlog.
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) }
                + [.init(service: receiver, successTerminationBehavior: .gracefullyShutdownGroup)],
            // The run reports on standard error itself; standard output stays data.
            logger: Logger(label: "deja-ingest", factory: { _ in SwiftLogNoOpLogHandler() })))
        try await group.run()
        if json, let summary = report.summary {
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

/// The figures of an ingest run, for `--json`.
private final class IngestReport: @unchecked Sendable {
    // @unchecked: `figures` is guarded by `lock`.
    private let lock = NSLock()
    private var figures: [String: Double] = [:]

    func stored(events: Int, signatures: Int, seconds: Double, miningSeconds: Double) {
        lock.withLock {
            figures["miningSeconds"] = miningSeconds
            figures["events"] = Double(events)
            figures["newSignatures"] = Double(signatures)
            figures["storedSeconds"] = seconds
            figures["eventsPerSecond"] = Double(events) / max(seconds, 1e-9)
        }
    }

    func searchable(seconds: Double, failureIssues: Int, clusteringSeconds: Double) {
        lock.withLock {
            figures["searchableSeconds"] = seconds
            figures["failureIssues"] = Double(failureIssues)
            figures["clusteringSeconds"] = clusteringSeconds
        }
    }

    var summary: [String: Double]? { lock.withLock { figures.isEmpty ? nil : figures } }
}

/// The progress line, made once the stages it reads exist.
private final class LiveProgress: @unchecked Sendable {
    // @unchecked: set once before the group runs, then only read.
    var line: ProgressLine?
}
