import DejaCore
import DejaEmbedding
import DejaIngest
import DejaSearch
@testable import DejaServer
import DejaStore
import Foundation
import Logging
import Testing

/// `deja serve`'s routes in process, on a fresh data directory, with tokens: what the route tests
/// drive through HummingbirdTesting.
struct InProcessServer {
    let routes: GuardedRouter
    let ingest: DurableIngest
    let metricSearch: MetricSearch
    /// Enriches alerts when a test runs it (`run()`), as `deja serve`'s service group does.
    let alertEnrichment: AlertEnrichmentService
    let alerts: AlertStore

    init(tokens: [(token: String, tenant: String, scopes: [Scope])]) throws {
        let model = SentenceEmbedder.defaultModelFolder
        try #require(FileManager.default.fileExists(atPath: model.appendingPathComponent("model.safetensors").path),
                     "no model at \(model.path): run scripts/setup.sh")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("deja-routes-\(UUID().uuidString)")
        let directory = try DataDirectory(path: root.path)
        let store = try SQLiteStore(directory: directory)
        let embedder = try SentenceEmbedder(modelFolder: model, threads: 1)
        let tokenFile = root.appendingPathComponent("tokens.json")
        let entries = tokens.map { ["token": $0.token, "tenant": $0.tenant, "scopes": $0.scopes.map(\.rawValue)] as [String: Any] }
        try JSONSerialization.data(withJSONObject: ["tokens": entries]).write(to: tokenFile)
        var configuration = ServerConfiguration()
        configuration.tokens = try TokenTable(path: tokenFile.path)
        let pipeline = try IngestPipeline(store: store, embedder: embedder, redactor: try Redactor())
        ingest = try DurableIngest(pipeline: pipeline, walDirectory: directory.writeAheadLog)
        ingest.start()
        let search = SearchService(engine: SearchEngine(store: store, embedder: embedder, redactor: try Redactor()))
        configuration.prometheus = [PrometheusSource(url: "http://127.0.0.1:9090")]
        configuration.links.grafanaURL = "http://grafana.test"
        configuration.links.prometheusDatasource = "prom1"
        configuration.links.lokiDatasource = "loki1"
        configuration.links.kibanaURL = "http://kibana.test"
        metricSearch = MetricSearch(store: store, embedder: embedder)
        alerts = try AlertStore(directory: directory)
        alertEnrichment = AlertEnrichmentService(alerts: alerts, search: search, views: IssueViews(store: store), enricher: AlertEnricher(),
                                                 links: configuration.links, forwarder: nil, metrics: ServerMetrics(), logger: Logger(label: "test"))
        routes = DejaServer.routes(configuration: configuration, ingest: ingest, issues: (IssueViews(store: store), pipeline.issues), model: embedder.modelIdentity, search: search, store: store, metrics: ServerMetrics(),
                                   vectorIndex: nil, metricSearch: metricSearch, metricIndex: nil, alerts: (alerts, alertEnrichment),
                                   logger: Logger(label: "test"))
    }

    /// Waits until `count` events are stored (acknowledged events are stored a moment later).
    func waitUntilStored(_ count: Int) async throws {
        for _ in 0..<500 where ingest.status.storedEvents < count { try await Task.sleep(for: .milliseconds(20)) }
        #expect(ingest.status.storedEvents >= count)
    }
}
