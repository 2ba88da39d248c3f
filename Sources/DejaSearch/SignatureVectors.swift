import DejaEmbedding
import DejaStore

/// Embeds each signature's message (as the model sees it, `EmbeddingText`) and stores the vectors
/// under the embedder's model identity. Shared by inline and background embedding.
func storeVectors(for signatures: [Signature], embedder: SentenceEmbedder, store: SQLiteStore, batchSize: Int) throws {
    guard !signatures.isEmpty else { return }
    let vectors = embedder.embed(signatures.map { EmbeddingText.of($0.message) }, batchSize: batchSize)
    try store.upsert(zip(signatures, vectors).map { signature, vector in
        VectorRecord(signatureID: signature.id, tenant: signature.tenant, service: signature.service, level: signature.level, vector: vector)
    }, model: embedder.modelIdentity)
}
