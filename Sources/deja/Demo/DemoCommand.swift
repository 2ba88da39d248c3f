import ArgumentParser
import DejaCore
import DejaEmbedding
import DejaIngest
import DejaSearch
import DejaServer
import DejaStore
import Foundation
import Logging

/// `deja demo`: the first hour in one command. Writes the demo corpus into a fresh data directory
/// (`DemoCorpus`), indexes metric metadata for its services, records an alert on the failure that
/// is rising, and serves the UI with three things to try.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Load demo logs (seven services, five languages, recurring and rising failures), an alert and metrics, then serve the UI.",
        discussion: """
        The logs are generated, deterministic from --seed, ending now. --write FILE writes them as \
        JSONL (the shape `deja ingest --jsonl` reads) instead. The alert is a recorded example: \
        point a real Alertmanager at /api/v1/alerts/alertmanager and start with --prometheus-url \
        for live ones (see the README).
        """
    )

    @Option(help: "Data directory to create (it must be empty or missing).")
    var dataDir = "/tmp/deja-demo"

    @Option(help: "Address and port to listen on.")
    var listen = "127.0.0.1:8080"

    @Option(help: "Seed of the generated logs.")
    var seed: UInt64 = 1

    @Option(help: "Hours of logs, ending now.")
    var hours = 3.0

    @Option(help: "Write the demo logs to this JSONL file and stop.")
    var write: String?

    @Flag(help: "Load the data directory, print what to try, and stop without serving.")
    var noServe = false

    @OptionGroup var model: ModelOptions

    mutating func run() async throws {
        guard hours > 0, hours <= 48 else { throw ValidationError("--hours must be more than 0 and at most 48") }
        let corpus = DemoCorpus(seed: seed, hours: hours, end: EventTime.now())
        let events = corpus.events()
        if let write { return try Self.writeJSONL(events, to: write) }
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--listen '\(listen)' is not HOST:PORT")
        }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: dataDir)) ?? []
        guard contents.isEmpty else {
            throw CLIError("\(dataDir) already holds data: remove it (rm -rf \(dataDir)) or choose another --data-dir")
        }
        let directory: DataDirectory
        let store: SQLiteStore
        do {
            directory = try DataDirectory(path: dataDir)
            store = try SQLiteStore(directory: directory)
        } catch let error as StoreError {
            throw CLIError(error.description)
        }
        let embedder = try model.load()
        let started = Date()
        let summary = try Self.load(events, into: store, embedder: embedder)
        let metrics = MetricSearch(store: store, embedder: embedder, embedOnOneThread: false)
        _ = try metrics.refresh(DemoMetrics.all, tenant: "default", now: Int64(Date().timeIntervalSince1970), retention: 7 * 86_400)
        let alert = try DemoMetrics.recordAlert(in: AlertStore(directory: directory), end: corpus.end)
        Self.say(String(format: "Loaded %d events of 7 services (%d signatures) in %.0f s into %@", events.count, summary.signatures,
                        Date().timeIntervalSince(started), dataDir))
        let host = String(listen[..<colon])
        if noServe {
            return Self.say("Serve it with: deja serve --data-dir \(dataDir) --listen \(listen)\n" + Self.story(base: "http://\(host):\(port)", alert: alert))
        }

        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        // A Prometheus on this machine joins metric search; the demo's own metadata stays beside it.
        let prometheus = Self.listening(port: 9090) ? "http://127.0.0.1:9090" : nil
        if let prometheus { configuration.prometheus = [PrometheusSource(url: prometheus)] }
        let model = model
        let server = DejaServer(configuration: configuration, directory: directory, store: store, redactor: try Redactor(),
                                logger: Logger(label: "deja")) { try model.load() }
        try await server.run { port in
            Self.say("Deja is up: open http://\(host):\(port)/ in a browser." + Self.story(base: "http://\(host):\(port)", alert: alert)
                     + (prometheus.map { "\nMetric search also reads the Prometheus at \($0)." } ?? ""))
        }
    }

    /// Stores the events and embeds their signatures (placing them in issues), with progress.
    static func load(_ events: [DejaCore.LogEvent], into store: SQLiteStore, embedder: SentenceEmbedder) throws -> (events: Int, signatures: Int) {
        // The stages `deja ingest` and `deja serve` build, fed from memory.
        let stages = try IngestStages(store: store, embedder: embedder, redactor: try Redactor())
        stages.embedder.start()
        var signatures = 0
        for start in stride(from: 0, to: events.count, by: 5_000) {
            signatures += try stages.pipeline.ingest(Array(events[start..<min(start + 5_000, events.count)])).newSignatures.count
        }
        try stages.pipeline.patterns.snapshot()
        say("Stored \(events.count) events; embedding \(signatures) signatures and grouping them into issues…")
        try stages.embedder.finish()
        return (events.count, signatures)
    }

    /// Three things to try, each a link.
    static func story(base: String, alert: String) -> String {
        let trace = """
            java.lang.NullPointerException: Cannot invoke "com.shop.orders.Order.getCustomer()" because "order" is null
            \tat com.shop.orders.InvoiceService.render(InvoiceService.java:77)
            """
        func link(_ parameters: [(String, String)]) -> String {
            var components = URLComponents(string: base + "/")!
            components.queryItems = parameters.map { URLQueryItem(name: $0.0, value: $0.1) }
            return components.url!.absoluteString
        }
        return """
             Three things to try:
              1. A Java stack trace finds its cousins in Python, Go, Node and .NET (each result links to its recurring issue):
                 \(link([("q", trace)]))
              2. Recurring issues, the one rising right now on top:
                 \(link([("view", "issues"), ("sort", "growth")]))
              3. An alert on it, with the logs that explain it, and the metrics to graph:
                 \(link([("view", "alert"), ("fingerprint", alert)]))
                 \(link([("view", "metrics"), ("q", "connections waiting for the database pool"), ("service", DemoCorpus.risingService)]))
            The alert is a recorded example. For live ones, point Alertmanager's webhook at \(base)/api/v1/alerts/alertmanager
            and serve with --prometheus-url http://127.0.0.1:9090 for metric search (Debian: apt-get install prometheus prometheus-alertmanager).
            """
    }

    /// True when something accepts connections on 127.0.0.1:`port`.
    static func listening(port: UInt16) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    static func writeJSONL(_ events: [DejaCore.LogEvent], to path: String) throws {
        var text = ""
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for event in events {
            let row = ["service": event.service, "level": event.level.description, "timestamp": RFC3339.string(event.timestamp), "body": event.body]
            text += String(decoding: try encoder.encode(row), as: UTF8.self) + "\n"
        }
        do { try text.write(toFile: path, atomically: false, encoding: .utf8) } catch { throw CLIError("cannot write \(path): \(error.localizedDescription)") }
    }

    static func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
