import DejaCore
import DejaIngest
import Hummingbird
import NIOCore

/// `/healthz` (the process answers), `/readyz` (ingest can take more), `/metrics`, `/openapi.json`.
/// Probes are open, as Kubernetes calls them without a token; with tokens on, `/readyz` says only
/// ready or not (its reasons can name paths), and `/metrics` needs the admin scope.
struct OperationsAPI {
    let ingest: DurableIngest
    let metrics: ServerMetrics
    let maxBacklogBytes: Int
    /// The ChromaDB sync, when vectors live there.
    let vectorIndex: VectorIndexSync?
    /// The metric index's refresher, when Prometheus servers are configured.
    let metricIndex: MetricIndexRefresher?
    /// Whether `/readyz` gives its reasons (only without tokens: it is open).
    let detailedReadiness: Bool

    func register(on router: GuardedRouter) {
        router.get("/healthz", .open) { _, _ in try jsonResponse(["status": "ok"], status: .ok) }
        router.get("/readyz", .open) { _, _ in
            let response = try readiness()
            guard !detailedReadiness else { return response }
            let ready = response.status == .ok
            return try jsonResponse(["status": ready ? "ready" : "not ready"], status: response.status)
        }
        router.get("/metrics", .scope(.admin)) { _, _ in
            metrics.update(ingest.status)
            if let pending = try? vectorIndex?.pending() { metrics.update(vectorIndexPending: pending) }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
        }
        router.get("/openapi.json", .open) { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
    }

    private func readiness() throws -> Response {
        let status = ingest.status
        if let problem = status.lastError {
            return try jsonResponse(["status": "not ready", "reason": problem], status: .serviceUnavailable)
        }
        if status.backlogBytes >= maxBacklogBytes {
            return try jsonResponse(["status": "not ready", "reason": "ingest backlog is full (\(status.backlogBytes) bytes)"],
                                    status: .serviceUnavailable)
        }
        // Ingest and search work while ChromaDB or Prometheus is away: still ready, but say so.
        var detail: [String: Any] = ["status": "ready", "backlog_bytes": status.backlogBytes]
        if let failure = vectorIndex?.status.lastFailure { detail["vector_index"] = "behind: \(failure)" }
        if let metricIndex {
            let index = metricIndex.status
            var metrics: [String: Any] = ["metrics": index.metrics]
            if let refreshed = index.lastRefresh { metrics["last_refresh"] = RFC3339.string(Int64(refreshed.timeIntervalSince1970 * 1e9)) }
            if !index.failures.isEmpty { metrics["failing"] = index.failures }
            detail["metric_index"] = metrics
        }
        return try jsonResponse(detail, status: .ok)
    }
}
