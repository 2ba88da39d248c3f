import DejaCore
import DejaEmbedding
import DejaSearch
import DejaStore
import Foundation
import Testing

/// Metric search over a fixture of real exporters' metadata (`Fixtures/metrics.json`).
@Suite struct MetricSearchTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/metrics.json")

    private func search() throws -> (MetricSearch, SQLiteStore, [MetricMetadata]) {
        let model = SentenceEmbedder.defaultModelFolder
        try #require(FileManager.default.fileExists(atPath: model.appendingPathComponent("model.safetensors").path),
                     "no model at \(model.path): run scripts/setup.sh")
        let directory = try DataDirectory(path: FileManager.default.temporaryDirectory.appendingPathComponent("deja-metrics-\(UUID().uuidString)").path)
        let store = try SQLiteStore(directory: directory)
        let metrics = try JSONDecoder().decode([MetricMetadata].self, from: Data(contentsOf: Self.fixture))
        return (MetricSearch(store: store, embedder: try SentenceEmbedder(modelFolder: model, threads: 2)), store, metrics)
    }

    @Test("a metric is found from a description in other words", arguments: [
        ("how much disk space is left", "node_filesystem_avail_bytes"),
        ("processes killed because memory ran out", "node_vmstat_oom_kill"),
        ("incoming network traffic", "node_network_receive_bytes_total"),
        ("how long garbage collection pauses take", "go_gc_duration_seconds"),
        ("open file handles", "process_open_fds"),
    ])
    func findsByMeaning(question: String, metric: String) throws {
        let (search, _, metrics) = try search()
        try search.refresh(metrics, tenant: "default", now: 1_000)
        let hits = try search.search(question, tenant: "default", k: 3)
        #expect(hits.map(\.metric).contains(metric), "\(question) → \(hits.map(\.metric))")
    }

    @Test func filtersAndPromQL() throws {
        let (search, _, metrics) = try search()
        try search.refresh(metrics, tenant: "default", now: 1_000)
        let latency = try search.search("request latency", tenant: "default", type: "histogram", k: 5)
        #expect(latency.map(\.metric) == ["prometheus_http_request_duration_seconds"])
        #expect(latency[0].promql == "histogram_quantile(0.95, sum by (le) (rate(prometheus_http_request_duration_seconds_bucket[5m])))")
        let alertmanager = try search.search("failed notifications", tenant: "default", job: "alertmanager", k: 10)
        #expect(Set(alertmanager.map(\.metric)) == ["alertmanager_notifications_failed_total", "alertmanager_silences"])
        #expect(try search.search("disk space", tenant: "other", k: 3).isEmpty)
    }

    @Test("only new and changed documents are embedded; metrics not seen for the retention age out")
    func refreshEmbedsOnlyChanges() throws {
        let (search, _, metrics) = try search()
        #expect(try search.refresh(metrics, tenant: "default", now: 1_000) == MetricIndexReport(metrics: metrics.count, embedded: metrics.count, removed: 0))
        #expect(try search.refresh(metrics, tenant: "default", now: 2_000) == MetricIndexReport(metrics: metrics.count, embedded: 0, removed: 0))
        var changed = Array(metrics.dropLast())
        changed[0].help = "Free space on the filesystem for ordinary users, in bytes."
        #expect(try search.refresh(changed, tenant: "default", now: 3_000, retention: 1_500)
                == MetricIndexReport(metrics: metrics.count - 1, embedded: 1, removed: 0))
        #expect(try search.refresh(changed, tenant: "default", now: 4_600, retention: 1_500)
                == MetricIndexReport(metrics: metrics.count - 1, embedded: 0, removed: 1))
        #expect(try search.counts(tenant: "default") == (metrics.count - 1, metrics.count - 1))
    }

    @Test("a question from a service's logs prefers the metrics of that service's job")
    func serviceJobIsPreferred() throws {
        let (search, _, _) = try search()
        try search.refresh([
            MetricMetadata(metric: "checkout_heap_inuse_bytes", type: "gauge", help: "Heap memory in use.", jobs: ["checkout"]),
            MetricMetadata(metric: "pricing_heap_inuse_bytes", type: "gauge", help: "Heap memory in use.", jobs: ["pricing"]),
        ], tenant: "default", now: 1_000)
        let question = "java.lang.OutOfMemoryError: Java heap space"
        #expect(try search.search(question, tenant: "default", service: "pricing", k: 2).map(\.metric)
                == ["pricing_heap_inuse_bytes", "checkout_heap_inuse_bytes"])
        #expect(try search.search(question, tenant: "default", service: "checkout", k: 2).first?.metric == "checkout_heap_inuse_bytes")
    }
}
