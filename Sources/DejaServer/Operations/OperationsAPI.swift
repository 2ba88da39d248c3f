import DejaSearch
import Hummingbird
import NIOCore

/// `/healthz` (the process answers), `/readyz` (ingest can take more), `/metrics`, `/openapi.json`.
struct OperationsAPI {
    let ingest: DurableIngest
    let metrics: ServerMetrics
    let maxBacklogBytes: Int
    /// The ChromaDB sync, when vectors live there.
    let vectorIndex: VectorIndexSync?

    func register(on router: Router<DejaRequestContext>) {
        router.get("/healthz") { _, _ in try jsonResponse(["status": "ok"], status: .ok) }
        router.get("/readyz") { _, _ in
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
        router.get("/metrics") { _, _ in
            metrics.update(ingest.status)
            if let pending = try? vectorIndex?.pending() { metrics.update(vectorIndexPending: pending) }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
        }
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
    }
}
