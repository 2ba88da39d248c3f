import ArgumentParser
import DejaCore
import DejaEmbedding
import DejaServer
import DejaStore
import Foundation
import Logging

/// `deja serve`: receive logs from collectors and answer search over HTTP.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive logs (Loki push, Elasticsearch bulk, OTLP, NDJSON) and answer search over HTTP.",
        discussion: """
        Every option can also be set in the environment as DEJA_<OPTION> (DEJA_LISTEN, DEJA_DATA_DIR, \
        DEJA_TOKENS, ...); a flag wins over the environment. The configuration is printed at start. \
        Stops gracefully on SIGTERM or SIGINT: acknowledged events are stored first.
        """
    )

    @Option(help: "Data directory (default: $DEJA_DATA_DIR or ~/.local/share/deja).")
    var dataDir: String?

    @Option(help: "Address and port to listen on (default 127.0.0.1:8080; loopback unless told).")
    var listen: String?

    @Option(help: "Bearer tokens file: {\"tokens\": [{\"token\", \"tenant\", \"scopes\": [\"ingest\", \"read\", \"admin\"]}]}. Without it, no auth.")
    var tokens: String?

    @Flag(help: "Serve without tokens on an address other than loopback (anyone who reaches it can read and write every tenant).")
    var insecureNoAuth = false

    @Option(help: "Tenant of requests that name none (without tokens).")
    var defaultTenant: String?

    @Option(help: "Largest request body in bytes, as received.")
    var maxBodyBytes: Int?

    @Option(help: "Largest request body in bytes after decompression.")
    var maxDecompressedBytes: Int?

    @Option(help: "Largest log line in bytes.")
    var maxLineBytes: Int?

    @Option(help: "Acknowledged bytes that may wait to be stored before ingest answers 429.")
    var maxBacklogBytes: Int?

    @Option(help: "Elasticsearch version told to ES clients at GET /.")
    var elasticsearchVersion: String?

    @Option(help: "Grafana's base URL, for links from events to Explore (with --loki-datasource).")
    var grafanaUrl: String?

    @Option(help: "Uid of Grafana's Loki data source that holds the same logs.")
    var lokiDatasource: String?

    @Option(help: "Kibana's base URL, for links from events to Discover.")
    var kibanaUrl: String?

    @Option(help: "Id of the Kibana data view Discover opens.")
    var kibanaDataView: String?

    @Option(help: "Prometheus (or Mimir, Thanos) base URL whose metric metadata metric search indexes (repeatable).")
    var prometheusUrl: [String] = []

    @Option(help: "Bearer token sent to every --prometheus-url.")
    var prometheusToken: String?

    @Option(help: "USER:PASSWORD sent to every --prometheus-url as HTTP basic auth.")
    var prometheusBasicAuth: String?

    @Option(help: "How often metric metadata is read again (30s, 5m, 1h).")
    var prometheusRefresh: String?

    @Option(help: "Uid of Grafana's Prometheus data source: metric hits link to Explore (with --grafana-url).")
    var prometheusDatasource: String?

    @Option(help: "How long before an alert's start its enrichment looks for logs (default 30m).")
    var alertWindow: String?

    @Option(help: "Forward each enriched Alertmanager notification to this URL (the next receiver), with retries.")
    var alertForward: String?

    @Option(help: "Form of forwarded notifications: webhook (Alertmanager's payload plus \"enrichment\") or slack (an incoming-webhook message).")
    var alertForwardFormat: String?

    @Option(help: "Remove events older than this (12h, 7d), the signatures no event references and alerts last notified before it. In cluster mode the grouping leader does the same to the shared state and ChromaDB.")
    var retention: String?

    @Option(help: "How often retention looks (default 10m).")
    var retentionInterval: String?

    @Option(help: "Cluster mode: PostgreSQL URL of the state replicas share (postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=disable). Without it, this server alone.")
    var state: String?

    @Option(help: "This replica's name in the shared state, stable across restarts (default: the host name, a StatefulSet pod's name).")
    var replica: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String?

    @OptionGroup var zone: ZoneOption
    @OptionGroup var vectors: VectorStoreOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup var issues: IssueOptions

    func run() async throws {
        func number(_ flag: Int?, _ name: String, default value: Int) throws -> Int {
            guard let text = flag.map(String.init) ?? setting(nil, name) else { return value }
            guard let parsed = Int(text), parsed > 0 else { throw ValidationError("DEJA_\(name) '\(text)' is not a positive number") }
            return parsed
        }
        var configuration = ServerConfiguration()
        let address = setting(listen, "LISTEN") ?? "127.0.0.1:8080"
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--listen '\(address)' is not HOST:PORT")
        }
        configuration.host = String(address[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        configuration.port = port
        configuration.issueRule = issues.rule
        let tokenFile = setting(tokens, "TOKENS")
        do {
            configuration.tokens = try tokenFile.map(TokenTable.init(path:))
        } catch let error as ConfigurationError {
            throw CLIError(error.description)
        }
        if configuration.tokens == nil && !ServerConfiguration.isLoopback(configuration.host)
            && !insecureNoAuth && setting(nil, "INSECURE_NO_AUTH") != "true" {
            throw CLIError("--listen \(address) reaches beyond this machine and no --tokens file is set: anyone who can connect could read "
                           + "and write every tenant's logs. Give --tokens FILE, listen on 127.0.0.1, or pass --insecure-no-auth "
                           + "(DEJA_INSECURE_NO_AUTH=true) when something in front of Deja authenticates")
        }
        configuration.defaultTenant = setting(defaultTenant, "DEFAULT_TENANT") ?? "default"
        configuration.limits.maxBodyBytes = try number(maxBodyBytes, "MAX_BODY_BYTES", default: configuration.limits.maxBodyBytes)
        configuration.limits.maxDecompressedBytes = try number(maxDecompressedBytes, "MAX_DECOMPRESSED_BYTES",
                                                               default: configuration.limits.maxDecompressedBytes)
        configuration.limits.maxLineBytes = try number(maxLineBytes, "MAX_LINE_BYTES", default: configuration.limits.maxLineBytes)
        configuration.maxBacklogBytes = try number(maxBacklogBytes, "MAX_BACKLOG_BYTES", default: configuration.maxBacklogBytes)
        configuration.elasticsearchVersion = setting(elasticsearchVersion, "ELASTICSEARCH_VERSION") ?? configuration.elasticsearchVersion
        configuration.links.grafanaURL = setting(grafanaUrl, "GRAFANA_URL")
        configuration.links.lokiDatasource = setting(lokiDatasource, "LOKI_DATASOURCE")
        configuration.links.kibanaURL = setting(kibanaUrl, "KIBANA_URL")
        configuration.links.kibanaDataView = setting(kibanaDataView, "KIBANA_DATA_VIEW")
        configuration.chroma = try vectors.settings()
        if let url = setting(state, "STATE") {
            do {
                configuration.sharedState = try SharedStateSettings(url: url, replica: setting(replica, "REPLICA") ?? ProcessInfo.processInfo.hostName)
            } catch let error as SharedStateError {
                throw ValidationError(error.description)
            }
            guard configuration.chroma != nil else {
                throw ValidationError("cluster mode (--state) keeps signature vectors in ChromaDB, which every replica searches: add --vector-store chroma --chroma-url URL")
            }
        }
        if let window = setting(retention, "RETENTION") {
            guard let nanoseconds = DurationParser.nanoseconds(window), nanoseconds > 0 else {
                throw ValidationError("--retention '\(window)' is not a duration such as 12h or 7d")
            }
            configuration.retention = nanoseconds
        }
        if let interval = setting(retentionInterval, "RETENTION_INTERVAL") {
            guard let nanoseconds = DurationParser.nanoseconds(interval), nanoseconds > 0 else {
                throw ValidationError("--retention-interval '\(interval)' is not a duration such as 30s or 10m")
            }
            guard configuration.retention != nil else { throw ValidationError("--retention-interval needs --retention") }
            configuration.retentionInterval = .nanoseconds(nanoseconds)
        }
        configuration.zoneOffset = try zone.offset()
        let prometheusURLs = prometheusUrl.isEmpty ? (setting(nil, "PROMETHEUS_URL").map { $0.split(separator: ",").map(String.init) } ?? []) : prometheusUrl
        for url in prometheusURLs {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw ValidationError("--prometheus-url '\(url)' is not an http(s) URL such as http://127.0.0.1:9090")
            }
        }
        let basicAuth = setting(prometheusBasicAuth, "PROMETHEUS_BASIC_AUTH")
        if let basicAuth, !basicAuth.contains(":") { throw ValidationError("--prometheus-basic-auth must be USER:PASSWORD") }
        configuration.prometheus = prometheusURLs.map {
            PrometheusSource(url: $0, bearerToken: setting(prometheusToken, "PROMETHEUS_TOKEN"), basicAuth: basicAuth)
        }
        if let refresh = setting(prometheusRefresh, "PROMETHEUS_REFRESH") {
            guard let nanoseconds = DurationParser.nanoseconds(refresh), nanoseconds >= 1_000_000_000 else {
                throw ValidationError("--prometheus-refresh '\(refresh)' is not a duration of a second or more, such as 5m")
            }
            configuration.prometheusRefresh = .nanoseconds(nanoseconds)
        }
        configuration.links.prometheusDatasource = setting(prometheusDatasource, "PROMETHEUS_DATASOURCE")
        if let window = setting(alertWindow, "ALERT_WINDOW") {
            guard let nanoseconds = DurationParser.nanoseconds(window), nanoseconds > 0 else {
                throw ValidationError("--alert-window '\(window)' is not a duration such as 30m")
            }
            configuration.alertEnricher.before = nanoseconds
        }
        if let forward = setting(alertForward, "ALERT_FORWARD") {
            guard let url = URL(string: forward), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ValidationError("--alert-forward '\(forward)' is not an http(s) URL")
            }
            configuration.alertForwardURL = forward
        }
        if let format = setting(alertForwardFormat, "ALERT_FORWARD_FORMAT") {
            guard let value = AlertForwardFormat(rawValue: format) else {
                throw ValidationError("--alert-forward-format must be webhook or slack, not '\(format)'")
            }
            configuration.alertForwardFormat = value
        }

        let levelText = setting(logLevel, "LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else { throw ValidationError("--log-level '\(levelText)' is not a log level") }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "deja")
        let directory: DataDirectory
        let store: SQLiteStore
        do {
            directory = try DataDirectory(path: setting(dataDir, "DATA_DIR"))
            store = try SQLiteStore(directory: directory)
        } catch let error as StoreError {
            throw CLIError(error.description)
        }
        let model = model
        logger.info("deja serve", metadata: [
            "listen": "\(configuration.host):\(configuration.port)", "data_dir": "\(directory.url.path)",
            "auth": "\(tokenFile.map { "tokens from \($0)" } ?? "off (tenant from X-Scope-OrgID, default '\(configuration.defaultTenant)')")",
            "max_body_bytes": "\(configuration.limits.maxBodyBytes)", "max_decompressed_bytes": "\(configuration.limits.maxDecompressedBytes)",
            "max_line_bytes": "\(configuration.limits.maxLineBytes)", "max_backlog_bytes": "\(configuration.maxBacklogBytes)",
            "model": "\(model.model ?? SentenceEmbedder.defaultModelFolder.path)", "log_level": "\(level)",
            "grafana_url": "\(configuration.links.grafanaURL ?? "-")", "loki_datasource": "\(configuration.links.lokiDatasource ?? "-")",
            "kibana_url": "\(configuration.links.kibanaURL ?? "-")", "kibana_data_view": "\(configuration.links.kibanaDataView ?? "-")",
            "prometheus": "\(configuration.prometheus.isEmpty ? "-" : configuration.prometheus.map(\.url).joined(separator: ","))",
            "shared_state": "\(configuration.sharedState.map { "\($0.displayURL) as replica \($0.replica)" } ?? "none (this server alone)")",
            "retention": "\(setting(retention, "RETENTION").map { "\($0), every \(configuration.retentionInterval)" } ?? "none (events are kept)")",
            "vector_store": "\(configuration.chroma.map { "chroma \($0.url) tenant \($0.tenant) database \($0.database) token \($0.token == nil ? "none" : "set")" } ?? "embedded")",
        ])
        let server = DejaServer(configuration: configuration, directory: directory, store: store, redactor: try Redactor(), logger: logger) {
            try model.load()
        }
        let host = configuration.host
        do {
            try await server.run { port in
                logger.info("listening", metadata: ["address": "http://\(host):\(port)"])
                // The one line a person looks for: where to open the UI.
                FileHandle.standardOutput.write(Data("Deja is up: open http://\(host.contains(":") ? "[\(host)]" : host):\(port)/ in a browser\n".utf8))
            }
        } catch let error as DejaServer.ListenError {
            throw CLIError(error.description)
        } catch let error as WriteAheadLogError {
            throw CLIError(error.description)
        } catch let error as ChromaError {
            throw CLIError(error.description)
        } catch let error as SharedStateError {
            throw CLIError(error.description)
        }
    }
}
