import DejaCore
import DejaIngest
import DejaSearch
import DejaStore
import Foundation
import Hummingbird

/// What the server is doing, for a person or the UI: how many of the tenant's signatures still
/// wait for embedding (search by meaning and issues lag behind by that much), and for an admin
/// token (or with tokens off) the server's own figures, which count every tenant: events stored
/// and the ingest backlog.
struct ServerStatus: Codable, ResponseEncodable {
    var version: String
    var model: String
    /// Events stored since the server started (every tenant); admin only.
    var storedEvents: Int?
    /// Acknowledged and not yet stored (every tenant); admin only.
    var ingestBacklogRecords: Int?
    var ingestBacklogBytes: Int?
    var signatures: Int
    var signaturesWaitingForEmbedding: Int
}

/// `GET /api/v1/status`.
struct StatusAPI {
    let ingest: DurableIngest
    let reads: StoreReads
    let model: String

    func register(on router: GuardedRouter) {
        router.get("/api/v1/status", .scope(.read)) { _, context in
            let tenant = try context.tenant(for: .read)
            let model = model
            let backlog = try await reads.embeddingBacklog(tenant: tenant, model: model)
            // Another tenant's volume is not a reader's to see: the server-wide figures go to admins.
            let status = context.identity.scopes.contains(.admin) ? ingest.status : nil
            return ServerStatus(version: DejaVersion.string, model: model, storedEvents: status?.storedEvents,
                                ingestBacklogRecords: status?.backlogRecords, ingestBacklogBytes: status?.backlogBytes,
                                signatures: backlog.signatures, signaturesWaitingForEmbedding: backlog.waiting)
        }
    }
}
