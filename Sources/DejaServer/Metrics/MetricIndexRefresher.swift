import AsyncHTTPClient
import DejaCore
import DejaIngest
import DejaSearch
import Foundation
import Logging
import ServiceLifecycle

/// How the metric index is doing, for `/readyz` and `/metrics`.
struct MetricIndexStatus: Sendable {
    var metrics = 0
    var lastRefresh: Date?
    /// The last refresh's failure, per source URL, while it lasts.
    var failures: [String: String] = [:]
}

/// Reads every configured Prometheus' metric metadata periodically and refreshes the tenant's
/// metric index with it. A source that fails is retried with backoff and reported; search keeps
/// answering from the last index, and a refresh embeds only new or changed documents, off the
/// request path.
final class MetricIndexRefresher: Service, @unchecked Sendable {
    // @unchecked: `state` is guarded by `lock`.
    private let sources: [PrometheusSource]
    private let search: MetricSearch
    private let tenant: String
    private let interval: Duration
    private let metrics: ServerMetrics
    private let logger: Logger
    private let lock = NSLock()
    private var state = MetricIndexStatus()

    init(sources: [PrometheusSource], search: MetricSearch, tenant: String, interval: Duration, metrics: ServerMetrics, logger: Logger) {
        self.sources = sources
        self.search = search
        self.tenant = tenant
        self.interval = interval
        self.metrics = metrics
        self.logger = logger
    }

    var status: MetricIndexStatus { lock.withLock { state } }

    func run() async throws {
        // A Prometheus that is down refuses connections: give up on connecting after a few
        // seconds (the pool would retry until the request's deadline) and report it.
        var settings = HTTPClient.Configuration()
        settings.timeout = .init(connect: .seconds(5), read: .seconds(60))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
        var backoff = Duration.seconds(2)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let succeeded = await refreshOnce(client: client)
            let pause = succeeded ? interval : backoff
            backoff = succeeded ? .seconds(2) : min(backoff * 2, interval)
            // Graceful shutdown ends the wait at once.
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) } } catch { break }
        }
        try await client.shutdown()
    }

    /// One refresh over every source; true when every source answered.
    func refreshOnce(client: HTTPClient) async -> Bool {
        var read: [MetricMetadata] = []
        var failures: [String: String] = [:]
        for source in sources {
            do {
                read += try await PrometheusMetadataReader(source: source, client: client).read()
            } catch {
                failures[source.url] = "\(error)"
                metrics.metricSourceFailed()
                logger.warning("reading metric metadata failed; retrying with backoff", metadata: ["url": "\(source.url)", "error": "\(error)"])
            }
        }
        // With no source answering, the last index stays as it was.
        if failures.count < sources.count {
            let (search, tenant, batch) = (search, tenant, read)
            // Embedding new documents is CPU work that ingest and queries come before: a thread of
            // its own at low priority (a lowered nice value cannot be raised back on a shared one).
            let outcome: Result<MetricIndexReport, Error> = await withCheckedContinuation { continuation in
                let thread = Thread {
                    StageWorker.Priority.nice(10).applyToCurrentThread()
                    continuation.resume(returning: Result { try search.refresh(batch, tenant: tenant, now: Int64(Date().timeIntervalSince1970)) })
                }
                thread.name = "deja-metric-index"
                thread.start()
            }
            switch outcome {
            case .success(let report):
                metrics.update(indexedMetrics: report.metrics)
                lock.withLock { state.metrics = report.metrics; state.lastRefresh = Date() }
                logger.info("metric index refreshed", metadata: ["metrics": "\(report.metrics)", "embedded": "\(report.embedded)", "removed": "\(report.removed)"])
            case .failure(let error):
                failures["index"] = "\(error)"
            }
        }
        lock.withLock { state.failures = failures }
        return failures.isEmpty
    }
}
