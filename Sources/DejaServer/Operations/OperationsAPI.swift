import DejaSearch
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
        // Ingest and keyword search work while ChromaDB is away: still ready, but say so.
        if let failure = vectorIndex?.status.lastFailure {
            return try jsonResponse(["status": "ready", "backlog_bytes": status.backlogBytes, "vector_index": "behind: \(failure)"], status: .ok)
        }
        return try jsonResponse(["status": "ready", "backlog_bytes": status.backlogBytes], status: .ok)
    }
}
