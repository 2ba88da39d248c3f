import DejaIngest
import DejaSearch
import Foundation
import Prometheus

/// The server's Prometheus metrics, served at `/metrics`.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let searchBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    /// Events and bytes received by `receiver` (loki, elasticsearch, otlp, ndjson).
    func received(_ receiver: String, events: Int, bytes: Int) {
        registry.makeCounter(name: "deja_received_events_total", labels: [("receiver", receiver)], help: "Events received, by receiver.")
            .increment(by: Int64(events))
        registry.makeCounter(name: "deja_received_bytes_total", labels: [("receiver", receiver)], help: "Request body bytes received, by receiver.")
            .increment(by: Int64(bytes))
    }

    /// A request refused, by reason (body_too_large, json_too_deep, overloaded, unauthorized...).
    func rejected(_ reason: String) {
        registry.makeCounter(name: "deja_rejected_requests_total", labels: [("reason", reason)], help: "Requests refused, by reason.").increment()
    }

    func searched(_ endpoint: String, seconds: Double, queuedMilliseconds: Double? = nil, stages: SearchStages? = nil) {
        registry.makeValueHistogram(name: "deja_search_duration_seconds", labels: [("endpoint", endpoint)], buckets: searchBuckets,
                                    help: "Search latency, query embedding included.").record(seconds)
        var parts = stages?.named ?? []
        if let queuedMilliseconds { parts.insert(("queued", queuedMilliseconds), at: 0) }
        for (stage, milliseconds) in parts {
            registry.makeValueHistogram(name: "deja_search_stage_duration_seconds", labels: [("endpoint", endpoint), ("stage", stage)],
                                        buckets: searchBuckets, help: "Time of each stage of a search (queued: waiting for earlier searches).")
                .record(milliseconds / 1000)
        }
    }

    /// Embedding batches of the background embedder.
    func embedded(batch: Int, seconds: Double) {
        registry.makeValueHistogram(name: "deja_embedding_batch_size", labels: [], buckets: [1, 4, 16, 32, 64, 128, 256, 512],
                                    help: "Signatures per embedding batch.").record(Double(batch))
        registry.makeValueHistogram(name: "deja_embedding_batch_duration_seconds", labels: [], buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
                                    help: "Time to embed one batch.").record(seconds)
    }

    /// Signatures whose vectors were taken from ChromaDB, published by another replica, instead of embedded here.
    func reusedVectors(_ count: Int) {
        registry.makeCounter(name: "deja_vectors_reused_total",
                             help: "Signature vectors taken from ChromaDB, published by another replica, instead of embedding the message again.")
            .increment(by: Int64(count))
    }

    /// A search answered from keyword search alone, because the vector store could not answer.
    func degradedSearch(_ endpoint: String) {
        registry.makeCounter(name: "deja_search_degraded_total", labels: [("endpoint", endpoint)],
                             help: "Searches answered without vector search (vector store unreachable).").increment()
    }

    /// An alert occurrence enriched, and how long it took from dequeue to stored.
    func alertEnriched(seconds: Double) {
        registry.makeValueHistogram(name: "deja_alert_enrichment_duration_seconds", labels: [], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
                                    help: "Time to enrich one alert occurrence.").record(seconds)
    }

    /// Alertmanager notifications received, by outcome (recorded, unknown_version, malformed).
    func alertNotification(_ outcome: String) {
        registry.makeCounter(name: "deja_alert_notifications_total", labels: [("outcome", outcome)],
                             help: "Alertmanager webhook notifications received.").increment()
    }

    /// Signatures published to ChromaDB, and failed attempts (each is retried).
    func vectorIndexPublished(_ count: Int) {
        registry.makeCounter(name: "deja_vector_index_published_total", help: "Signature records upserted to ChromaDB.").increment(by: Int64(count))
    }

    func vectorIndexFailed() {
        registry.makeCounter(name: "deja_vector_index_failures_total", help: "Failed ChromaDB sync attempts (retried with backoff).").increment()
    }

    /// What retention removed, by what (events, signatures, alerts) and where (`local`: this
    /// server's store; `shared`: the cluster's, by the grouping leader), and its failed passes.
    func retained(_ what: String, _ count: Int, store: String) {
        guard count > 0 else { return }
        registry.makeCounter(name: "deja_retention_removed_total", labels: [("what", what), ("store", store)],
                             help: "Events, signatures and alert occurrences retention removed.").increment(by: Int64(count))
    }

    func retentionFailed(store: String) {
        registry.makeCounter(name: "deja_retention_failures_total", labels: [("store", store)],
                             help: "Failed retention passes (retried at the next interval).").increment()
    }

    func metricSourceFailed() {
        registry.makeCounter(name: "deja_metric_source_failures_total", help: "Failed reads of a Prometheus' metric metadata.").increment()
    }

    func update(indexedMetrics count: Int) {
        registry.makeGauge(name: "deja_metrics_indexed", help: "Metrics in the metric search index.").set(Double(count))
    }

    func update(leadingGrouping leading: Bool) {
        registry.makeGauge(name: "deja_grouping_leader", help: "1 while this replica leads grouping (patterns and issues) for the cluster.")
            .set(Double(leading ? 1 : 0))
    }

    func update(vectorIndexPending pending: Int) {
        registry.makeGauge(name: "deja_vector_index_pending", help: "Signatures whose ChromaDB record is missing or out of date.").set(Double(pending))
    }

    /// Gauges read at scrape time.
    func update(_ status: DurableIngest.Status) {
        registry.makeGauge(name: "deja_ingest_queue_bytes", help: "Acknowledged bytes waiting to be stored.").set(Double(status.backlogBytes))
        registry.makeGauge(name: "deja_ingest_queue_records", help: "Acknowledged write-ahead-log records waiting to be stored.")
            .set(Double(status.backlogRecords))
        registry.makeGauge(name: "deja_wal_bytes", help: "Bytes in write-ahead-log segments.").set(Double(status.walBytes))
        registry.makeGauge(name: "deja_wal_damaged_regions", help: "Damaged write-ahead-log regions skipped at start (valid records after them were kept).")
            .set(Double(status.walDamage.regions))
        registry.makeGauge(name: "deja_wal_damaged_bytes", help: "Bytes of damaged write-ahead-log regions skipped at start.").set(Double(status.walDamage.bytes))
        registry.makeGauge(name: "deja_stored_events", help: "Events stored since start.").set(Double(status.storedEvents))
    }
}
