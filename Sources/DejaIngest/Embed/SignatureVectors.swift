import DejaCore
import DejaEmbedding
import DejaStore

/// Embeds each signature through its example event's body (as the model sees it, `EmbeddingText`)
/// and stores the vectors under the embedder's model identity, then places the signatures in issues. Shared by inline and background
/// embedding. The body, not the normalized message: the model reads real values (`'12,50'`, a date)
/// better than placeholders. `pause` is passed to the embedder (single-threaded only).
func storeVectors(for signatures: [Signature], embedder: SentenceEmbedder, store: SQLiteStore, issues: IssueStage?, batchSize: Int,
                  singleThreaded: Bool = false, pause: (() -> Void)? = nil) throws {
    guard !signatures.isEmpty else { return }
    let bodies = Dictionary(uniqueKeysWithValues: try store.events(ids: signatures.map(\.exampleEventID), tenant: nil).map { ($0.id, $0.body) })
    let vectors = embedder.embed(signatures.map { EmbeddingText.of(bodies[$0.exampleEventID] ?? $0.message) }, batchSize: batchSize,
                                  singleThreaded: singleThreaded, pause: pause)
    try store.upsert(zip(signatures, vectors).map { signature, vector in
        VectorRecord(signatureID: signature.id, tenant: signature.tenant, service: signature.service, level: signature.level, vector: vector)
    }, model: embedder.modelIdentity)
    try issues?.place(signatures, vectors: vectors)
}
