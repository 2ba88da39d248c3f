import DejaCore
import DejaEmbedding
import DejaIngest
import DejaSearch
import DejaStore
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// How `deja serve` runs.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Bearer tokens (`TokenTable`); nil serves without auth, the tenant from `X-Scope-OrgID`.
    public var tokens: TokenTable?
    /// Tenant of requests that name none (no auth, no `X-Scope-OrgID`).
    public var defaultTenant = "default"
    public var limits = IngestLimits()
    /// Seconds east of UTC at which the receivers read times that lines write without a zone.
    public var zoneOffset: Int64 = 0
    /// Acknowledged bytes that may wait to be stored before ingest answers 429.
    public var maxBacklogBytes = 64 << 20
    public var elasticsearchVersion = "8.15.0"
    public var links = DeepLinks()
    /// Signature vectors in this ChromaDB server; nil keeps them in the embedded store.
    public var chroma: ChromaSettings?
    /// Cluster mode: signatures and their counts shared with the other replicas in PostgreSQL.
    public var sharedState: SharedStateSettings?
    /// Prometheus servers whose metric metadata is indexed for metric search.
    public var prometheus: [PrometheusSource] = []
    /// How often their metadata is read again.
    public var prometheusRefresh: Duration = .seconds(300)
    /// How signatures are grouped into issues.
    public var issueRule = IssueClusterer.Rule()
    /// How alerts are enriched (the window before an alert's start, above all).
    public var alertEnricher = AlertEnricher()
    /// The next receiver of enriched Alertmanager notifications, and the form it takes them in.
    public var alertForwardURL: String?
    public var alertForwardFormat = AlertForwardFormat.webhook
    /// Events older than this many nanoseconds are removed (`RetentionService`); nil keeps them.
    public var retention: Int64?
    /// How often retention looks.
    public var retentionInterval: Duration = .seconds(600)

    public init() {}

    /// Whether `host` is reachable from this machine only (the loopback range, `localhost`, `::1`).
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// `deja serve`: the receivers, the search API and operations endpoints over one HTTP port, on
/// the embedded store, with a write-ahead log in front of it.
public struct DejaServer: Sendable {
    private let configuration: ServerConfiguration
    private let store: SQLiteStore
    private let directory: DataDirectory
    private let models: @Sendable () throws -> SentenceEmbedder
    private let redactor: Redactor
    private let logger: Logger

    /// `models` loads one embedder: the server takes two (ingest and queries run apart).
    public init(configuration: ServerConfiguration, directory: DataDirectory, store: SQLiteStore, redactor: Redactor,
                logger: Logger, models: @escaping @Sendable () throws -> SentenceEmbedder) {
        self.configuration = configuration
        self.directory = directory
        self.store = store
        self.redactor = redactor
        self.logger = logger
        self.models = models
    }

    /// Serves until SIGTERM or SIGINT; then stops taking requests, stores what was acknowledged, and returns.
    /// `onListening` gets the bound port (useful with port 0).
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let metrics = ServerMetrics()
        let ingestEmbedder = try models()
        // Checked before anything else starts: a wrong URL or token stops the server at once.
        let chroma = try configuration.chroma.map { try ChromaVectorStore(settings: $0, events: store, model: ingestEmbedder.modelIdentity) }
        let stages = try IngestStages(store: store, embedder: ingestEmbedder, redactor: redactor, issueRule: configuration.issueRule, vectors: chroma)
        stages.pipeline.lineZoneOffset = configuration.zoneOffset
        stages.embedder.onBatch = { count, seconds in metrics.embedded(batch: count, seconds: seconds) }
        // Searches first: preparing, storing and embedding events step aside while one runs.
        let gate = ForegroundGate()
        stages.embedder.pause = gate.yield
        let ledger = configuration.sharedState.map { PostgresLedger(settings: $0, logger: logger) }
        if ledger != nil, let chroma {
            // Replicas see the same messages: what one embedded and published, the others take.
            stages.embedder.published = { signatures in try chroma.published(signatures, recipe: EmbeddingText.recipe) }
            stages.embedder.onReused = { count in metrics.reusedVectors(count) }
        }
        if let ledger {
            // Down at start is not fatal: events are acknowledged into the log and counted once it answers.
            do {
                try await ledger.prepare()
            } catch SharedStateError.newerSchema(let found, let known) {
                throw SharedStateError.newerSchema(found, known)  // an older binary must not write a newer schema
            } catch {
                logger.warning("the shared state cannot be used yet; retrying", metadata: ["error": "\(error)"])
            }
        }
        let ingest = try DurableIngest(pipeline: stages.pipeline, walDirectory: directory.writeAheadLog, ledger: ledger,
                                       maxBacklogBytes: configuration.maxBacklogBytes, gate: gate)
        let replaying = ingest.status.backlogRecords
        if replaying > 0 { logger.info("replaying the write-ahead log", metadata: ["records": "\(replaying)"]) }
        let stale = try store.staleVectorCount(model: ingestEmbedder.modelIdentity, recipe: EmbeddingText.recipe)
        if stale > 0 { logger.info("embedding again, after new signatures, the vectors an earlier release made", metadata: ["signatures": "\(stale)"]) }
        let damage = ingest.status.walDamage
        if damage.regions > 0 {
            logger.error("the write-ahead log had damaged records: skipped them and kept every valid record after them",
                         metadata: ["regions": "\(damage.regions)", "bytes": "\(damage.bytes)", "directory": "\(directory.writeAheadLog.path)"])
        }
        // With ChromaDB, vectors are published from the store's outbox on a thread of their own.
        if let vectorIndex = stages.vectorIndex {
            let logger = logger
            vectorIndex.onPublished = { count in metrics.vectorIndexPublished(count) }
            vectorIndex.onFailure = { error in
                metrics.vectorIndexFailed()
                logger.warning("ChromaDB sync failed; retrying with backoff", metadata: ["error": "\(error)"])
            }
        }
        let queryEmbedder = try models()
        // The first pass touches every weight page and workspace: done here, not by the first search (about 300 ms).
        _ = queryEmbedder.embed(["warm up"], batchSize: 1)
        let engine: SearchEngine
        var fallback: SearchEngine?
        var grouping: GroupingLeader?
        if let ledger, let settings = configuration.chroma {
            // Cluster mode: search, issues and patterns read only what every replica shares
            // (signatures, examples, patterns and issues in PostgreSQL, vectors in ChromaDB), so any
            // replica answers alike; one replica at a time groups for all of them.
            let vectors = try ChromaVectorStore(settings: settings, events: store, model: ingestEmbedder.modelIdentity, lookup: ledger)
            engine = SearchEngine(reading: ledger, issues: ledger, vectors: vectors, embedder: queryEmbedder, redactor: redactor)
            fallback = SearchEngine(store: store, vectors: chroma, embedder: queryEmbedder, redactor: redactor)
            let leader = GroupingLeader(ledger: ledger, vectorIndex: vectors, model: ingestEmbedder.modelIdentity, rule: configuration.issueRule)
            leader.onFailure = { [logger] error in logger.warning("grouping failed; starting over from the shared state", metadata: ["error": "\(error)"]) }
            if let window = configuration.retention {
                leader.retention = (window, configuration.retentionInterval)
                leader.onRetention = { [logger] outcome in
                    switch outcome {
                    case .success(let pass):
                        metrics.retained("signatures", pass.removed, store: "shared")
                        metrics.retained("alerts", pass.alerts, store: "shared")
                        logger.info("retention removed old counts from the shared state",
                                    metadata: ["signatures_removed": "\(pass.removed)", "signatures_recounted": "\(pass.recounted)",
                                              "alerts_removed": "\(pass.alerts)", "seconds": "\(String(format: "%.2f", pass.seconds))"])
                    case .failure(let error):
                        metrics.retentionFailed(store: "shared")
                        logger.error("shared-state retention failed; trying again at the next pass", metadata: ["error": "\(error)"])
                    }
                }
            }
            leader.onLeadership = { [logger] leading in
                metrics.update(leadingGrouping: leading)
                logger.info(leading ? "this replica leads grouping (patterns and issues) for the cluster" : "this replica no longer leads grouping")
            }
            grouping = leader
        } else {
            engine = SearchEngine(store: store, vectors: chroma, embedder: queryEmbedder, redactor: redactor)
        }
        let search = SearchService(engine: engine, fallback: fallback, gate: gate)
        // Metric documents are embedded on the query embedder's own background encoder, apart from
        // the encoder queries use (`SentenceEmbedder.embed(singleThreaded:)`).
        // In cluster mode the documents and their vectors are the cluster's (each replica still reads Prometheus).
        let metricSearch = MetricSearch(store: ledger.map { $0 as any MetricDocumentStore } ?? store, embedder: queryEmbedder,
                                        maxIndexAge: ledger == nil ? nil : 30)
        let refresher = configuration.prometheus.isEmpty ? nil
            : MetricIndexRefresher(sources: configuration.prometheus, search: metricSearch, tenant: configuration.defaultTenant,
                                   interval: configuration.prometheusRefresh, metrics: metrics, logger: logger)

        // Alerts are the cluster's in cluster mode: whichever replica the webhook reaches, all list them.
        let alertStore: any AlertStoring = try ledger ?? AlertStore(directory: directory)
        let forwarder = configuration.alertForwardURL.map { AlertForwarder(url: $0, format: configuration.alertForwardFormat, logger: logger) }
        let views = IssueViews(store: ledger.map { $0 as any SignatureReading & SignatureCountReading & SearchReading } ?? store)
        let enrichment = AlertEnrichmentService(alerts: alertStore, search: search, views: views, enricher: configuration.alertEnricher,
                                                links: configuration.links, forwarder: forwarder, metrics: metrics, logger: logger)
        let changes: any IssueChanging = ledger.map(SharedIssueChanges.init) ?? stages.pipeline.issues
        let routes = Self.routes(configuration: configuration, ingest: ingest, issues: (views, changes), model: ingestEmbedder.modelIdentity,
                                 search: search, store: store, shared: ledger, metrics: metrics,
                                 vectorIndex: stages.vectorIndex, metricSearch: metricSearch, metricIndex: refresher,
                                 alerts: (alertStore, enrichment), logger: logger)
        // The receivers' store: once requests have stopped, it stores everything acknowledged.
        let storing = StageService(name: "ingest", start: ingest.start) { [logger] _ in
            logger.info("shutting down: storing acknowledged events")
            ingest.close()
        }
        // Hummingbird runs the HTTP server after these, in one ServiceGroup: at SIGTERM or SIGINT
        // the server stops taking requests first, then the services stop in reverse order:
        // alerts, storing what was acknowledged, then embedding and publishing (what is left of
        // them is done at the next start).
        let groupingService = grouping.map { leader in StageService(name: "grouping", start: leader.start) { _ in leader.stop() } }
        let retention = configuration.retention.map { window in
            // In cluster mode this replica's own store; the shared state is the grouping leader's to keep.
            let service = RetentionService(store: store, issues: stages.pipeline.issues, alerts: ledger == nil ? alertStore : nil, window: window,
                                           interval: configuration.retentionInterval, sharedIndex: ledger != nil)
            service.onPass = { [logger] outcome in
                switch outcome {
                case .success(let removed):
                    metrics.retained("events", removed.events, store: "local")
                    metrics.retained("signatures", removed.signatures, store: "local")
                    metrics.retained("alerts", removed.alerts, store: "local")
                    logger.info("retention removed old events", metadata: ["events": "\(removed.events)", "signatures": "\(removed.signatures)",
                                                                            "alerts": "\(removed.alerts)"])
                case .failure(let error):
                    metrics.retentionFailed(store: "local")
                    logger.error("retention failed; trying again at the next pass", metadata: ["error": "\(error)"])
                }
            }
            return service
        }
        let services: [any Service] = stages.services(shutdown: .leaveBacklog) + (groupingService.map { [$0] } ?? []) + [storing, enrichment]
            + (forwarder.map { [$0] } ?? []) + (refresher.map { [$0] } ?? []) + (retention.map { [$0] } ?? [])
        let app = Application(
            router: routes.router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "deja"),
            services: services,
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        do {
            try await app.runService()
        } catch let error as IOError where [EADDRINUSE, EADDRNOTAVAIL, EACCES].contains(error.errnoCode) {
            throw ListenError(host: configuration.host, port: configuration.port, errno: error.errnoCode)
        }
        ledger?.close()
    }

    /// The server could not take its address: in use, not this machine's, or a privileged port.
    public struct ListenError: Error, CustomStringConvertible {
        public let host: String
        public let port: Int
        public let errno: Int32
        public var description: String {
            let hint = switch errno {
            case EADDRINUSE: "something else listens there, perhaps another deja serve"
            case EACCES: "ports below 1024 need privileges"
            default: "the address is not one of this machine's"
            }
            return "cannot listen on \(host):\(port): \(String(cString: strerror(errno))) (\(hint)); choose another with --listen or DEJA_LISTEN"
        }
    }

    /// Every route of `deja serve`, each with the access it declares.
    static func routes(configuration: ServerConfiguration, ingest: DurableIngest, issues: (views: IssueViews, changes: any IssueChanging), model: String,
                       search: SearchService, store: SQLiteStore, shared: (any SignatureReading & SignatureCountReading & SearchReading)? = nil, metrics: ServerMetrics, vectorIndex: VectorIndexSync?, metricSearch: MetricSearch, metricIndex: MetricIndexRefresher?,
                       alerts: (store: any AlertStoring, enrichment: AlertEnrichmentService), logger: Logger) -> GuardedRouter {
        let routes = GuardedRouter(authenticator: Authenticator(tokens: configuration.tokens, defaultTenant: configuration.defaultTenant))
        let ingestAPI = IngestAPI(ingest: ingest, limits: configuration.limits, zoneOffset: configuration.zoneOffset, metrics: metrics,
                                  elasticsearchVersion: configuration.elasticsearchVersion, logger: logger)
        ingestAPI.register(on: routes)
        WebUI(links: configuration.links, nonBrowserRoot: ingestAPI.elasticsearchRoot).register(on: routes)
        let reads = StoreReads(store: store, shared: shared)
        SearchAPI(search: search, reads: reads, metrics: metrics, keywordScope: shared == nil ? .events : .signatures, links: configuration.links)
            .register(on: routes)
        IssuesAPI(views: issues.views, changes: issues.changes, reads: reads).register(on: routes)
        StatusAPI(ingest: ingest, reads: reads, model: model).register(on: routes)
        AlertsAPI(alerts: alerts.store, enrichment: alerts.enrichment, reads: reads, limits: configuration.limits, metrics: metrics, logger: logger)
            .register(on: routes)
        MetricsAPI(search: metricSearch, searches: search, prometheusURL: configuration.prometheus.first?.url, links: configuration.links,
                   metrics: metrics).register(on: routes)
        OperationsAPI(ingest: ingest, metrics: metrics, maxBacklogBytes: configuration.maxBacklogBytes, vectorIndex: vectorIndex,
                      metricIndex: metricIndex, detailedReadiness: configuration.tokens == nil).register(on: routes)
        return routes
    }
}
