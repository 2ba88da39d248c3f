import DejaCore
import DejaEmbedding
import DejaStore
import Foundation

/// A metric found for a question, with a PromQL expression that fits its type.
public struct MetricHit: Sendable, Codable, Equatable {
    public let metric: String
    public let type: String
    public let help: String
    public let unit: String
    public let labels: [String]
    public let jobs: [String]
    public let score: Double
    public let promql: String
}

/// What one refresh of a tenant's metrics did.
public struct MetricIndexReport: Sendable, Equatable {
    /// Metrics in the refresh.
    public let metrics: Int
    /// Documents new or changed, embedded in this refresh.
    public let embedded: Int
    /// Metrics that were not seen for too long and were removed.
    public let removed: Int

    public init(metrics: Int, embedded: Int, removed: Int) {
        self.metrics = metrics
        self.embedded = embedded
        self.removed = removed
    }
}

/// Metric search by meaning: stores each tenant's metric metadata, embeds each distinct document
/// once (again only when it changes), and answers questions by words and meaning together.
/// Refreshes and searches may run concurrently: a search reads the last index built.
public final class MetricSearch: @unchecked Sendable {
    // @unchecked: `indexes` is guarded by `lock`; the store and embedder are safe to share.
    private let store: any MetricDocumentStore
    private let embedder: SentenceEmbedder
    private let lock = NSLock()
    private var indexes: [String: (index: MetricIndex, built: Date)] = [:]
    /// Embed documents on one background encoder (a server answering queries) or on every core.
    private let embedOnOneThread: Bool
    /// How long a built index is searched before it is read again from the store: for ever when only
    /// this process refreshes the store (one machine), a while when other replicas do (cluster mode).
    private let maxIndexAge: TimeInterval?

    public init(store: any MetricDocumentStore, embedder: SentenceEmbedder, embedOnOneThread: Bool = true, maxIndexAge: TimeInterval? = nil) {
        self.store = store
        self.embedder = embedder
        self.embedOnOneThread = embedOnOneThread
        self.maxIndexAge = maxIndexAge
    }

    /// Replaces what is known of a tenant's metrics with `metrics` seen at `now` (seconds):
    /// stores them, embeds new and changed documents, and removes metrics not seen for `retention`.
    @discardableResult
    /// `progress` hears, after each batch embedded, how many documents are embedded of how many to embed.
    public func refresh(_ metrics: [MetricMetadata], tenant: String, now: Int64, retention: Int64 = 86_400,
                        progress: ((_ embedded: Int, _ total: Int) -> Void)? = nil) throws -> MetricIndexReport {
        var byName: [String: MetricMetadata] = [:]
        for metric in metrics where !metric.metric.isEmpty {
            // The same name from several sources is one metric, exported by all their jobs.
            if var known = byName[metric.metric] {
                known.jobs = Array(Set(known.jobs + metric.jobs)).sorted()
                known.labels = Array(Set(known.labels + metric.labels)).sorted()
                if known.help.isEmpty { known.help = metric.help }
                if known.type == "unknown" { known.type = metric.type }
                byName[metric.metric] = known
            } else {
                byName[metric.metric] = metric
            }
        }
        let documents = byName.values.sorted { $0.metric < $1.metric }.map(MetricDocument.init)
        try store.upsertMetrics(documents, tenant: tenant, seenAt: now)
        let removed = try store.removeMetrics(tenant: tenant, notSeenSince: now - retention)
        let embedded = try embedPending(tenant: tenant, progress: progress)
        try rebuild(tenant: tenant)
        return MetricIndexReport(metrics: documents.count, embedded: embedded, removed: removed)
    }

    /// Embeds a tenant's documents that have no vector from this model, each distinct text once.
    private func embedPending(tenant: String, progress: ((Int, Int) -> Void)?) throws -> Int {
        var done = 0
        let total = progress == nil ? 0 : try store.metricsWithoutVectorsCount(tenant: tenant, model: embedder.modelIdentity)
        progress?(0, total)
        while true {
            let pending = try store.metricsWithoutVectors(tenant: tenant, model: embedder.modelIdentity, limit: 1024)
            if pending.isEmpty { return done }
            let texts = Array(Set(pending.map(\.document)))
            let vectors = Dictionary(uniqueKeysWithValues: zip(texts, embedder.embed(texts, batchSize: 32, singleThreaded: embedOnOneThread)))
            try store.storeMetricVectors(pending.map { ($0.tenant, $0.name, $0.document, vectors[$0.document]!) }, model: embedder.modelIdentity)
            done += pending.count
            progress?(done, total)
            if pending.count < 1024 { return done }
        }
    }

    private func rebuild(tenant: String) throws {
        let stored = try store.metrics(tenant: tenant, model: embedder.modelIdentity)
        let index = MetricIndex(stored.map { ($0.metadata, MetricDocument($0.metadata).terms, $0.vector) }, dimension: embedder.dimension)
        lock.withLock { indexes[tenant] = (index, Date()) }
    }

    private func index(tenant: String) throws -> MetricIndex {
        if let (index, built) = lock.withLock({ indexes[tenant] }), maxIndexAge.map({ Date().timeIntervalSince(built) < $0 }) ?? true { return index }
        try rebuild(tenant: tenant)
        return lock.withLock { indexes[tenant]!.index }
    }

    /// Metrics and how many have vectors, for a tenant.
    public func counts(tenant: String) throws -> (metrics: Int, embedded: Int) {
        let index = try index(tenant: tenant)
        return (index.count, index.embeddedCount)
    }

    /// The `k` metrics that best answer `query`, optionally only of `job` and `type`; metrics
    /// exported by a job named `service` (the logs' service a question comes from) rank higher.
    public func search(_ query: String, tenant: String, job: String? = nil, type: String? = nil, service: String? = nil,
                       k: Int = 10) throws -> [MetricHit] {
        let index = try index(tenant: tenant)
        let vector = query.isEmpty ? nil : embedder.embed([query], batchSize: 1)[0]
        let words = MetricDocument.words(query) + MetricNameWords.split(query)
        let hits = index.search(words: words, vector: vector, k: k, preferredJob: service) { metric in
            (job == nil || metric.jobs.contains(job!)) && (type == nil || metric.type == type)
        }
        return hits.map { hit in
            let metric = index.metrics[hit.index]
            return MetricHit(metric: metric.metric, type: metric.type, help: metric.help, unit: metric.unit, labels: metric.labels,
                             jobs: metric.jobs, score: Double(hit.score), promql: PromQLExpression.of(metric))
        }
    }
}
