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
    let vectors = try embed(signatures, embedder: embedder, store: store, batchSize: batchSize, singleThreaded: singleThreaded, pause: pause)
    try keep(vectors, of: signatures, model: embedder.modelIdentity, in: store, issues: issues)
}

/// Embeds again signatures whose vectors an earlier release made (`EmbeddingText.recipe`). They
/// keep their issues: those are the user's, and the next start places by the new vectors.
func replaceStaleVectors(of signatures: [Signature], embedder: SentenceEmbedder, store: SQLiteStore, batchSize: Int,
                         singleThreaded: Bool, pause: (() -> Void)?) throws {
    guard !signatures.isEmpty else { return }
    let vectors = try embed(signatures, embedder: embedder, store: store, batchSize: batchSize, singleThreaded: singleThreaded, pause: pause)
    try store.replaceVectors(records(vectors, of: signatures), model: embedder.modelIdentity)
}

private func embed(_ signatures: [Signature], embedder: SentenceEmbedder, store: SQLiteStore, batchSize: Int, singleThreaded: Bool,
                   pause: (() -> Void)?) throws -> [[Float]] {
    let bodies = Dictionary(uniqueKeysWithValues: try store.events(ids: signatures.map(\.exampleEventID), tenant: nil).map { ($0.id, $0.body) })
    let texts = signatures.map { EmbeddingText(bodies[$0.exampleEventID] ?? $0.message) }
    return embedder.embed(texts.map(\.text), leaningToward: texts.map(\.conditions), weight: EmbeddingText.conditionWeight,
                          batchSize: batchSize, singleThreaded: singleThreaded, pause: pause)
}

private func records(_ vectors: [[Float]], of signatures: [Signature]) -> [VectorRecord] {
    zip(signatures, vectors).map { signature, vector in
        VectorRecord(signatureID: signature.id, tenant: signature.tenant, service: signature.service, level: signature.level, vector: vector,
                     recipe: EmbeddingText.recipe)
    }
}

/// Stores vectors another replica published (cluster mode) as this store's own, already published
/// with the counts they carry now: the outbox sends them again only once their counts change.
func storePublishedVectors(_ vectors: [Int64: [Float]], of signatures: [Signature], model: String, store: SQLiteStore,
                           issues: IssueStage?) throws {
    let found = signatures.filter { vectors[$0.id] != nil }
    guard !found.isEmpty else { return }
    try keep(found.map { vectors[$0.id]! }, of: found, model: model, in: store, issues: issues)
    try store.markIndexed(try store.indexEntries(ids: found.map(\.id), model: model))
}

/// Stores the vectors and places the signatures in issues.
private func keep(_ vectors: [[Float]], of signatures: [Signature], model: String, in store: SQLiteStore, issues: IssueStage?) throws {
    try store.upsert(records(vectors, of: signatures), model: model)
    try issues?.place(signatures, vectors: vectors)
}
