import DejaEmbedding
import Foundation
import Testing

@Suite struct EmbeddingReferenceTests {
    /// The exact-port bounds of Fixtures/README.md: tight enough to catch a tanh GELU or a wrong
    /// LayerNorm epsilon (both ~35x over the component bound), far above fp32 noise.
    static let maxOneMinusCosine = 1e-8
    static let maxComponentDifference: Float = 1e-5

    @Test("embeddings match sentence-transformers on every reference record", arguments: [1, 32])
    func matchesReference(batchSize: Int) throws {
        let embedder = try SentenceEmbedder(modelFolder: try ReferenceFixture.modelFolder(), threads: 2)
        let records = try ReferenceFixture.records()
        let vectors = embedder.embed(records.map(\.text), batchSize: batchSize)
        #expect(vectors.count == records.count)
        for (record, vector) in zip(records, vectors) {
            #expect(vector.count == 384)
            let dot = zip(vector, record.embedding).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let norms = (vector.reduce(0.0) { $0 + Double($1 * $1) } * record.embedding.reduce(0.0) { $0 + Double($1 * $1) }).squareRoot()
            let difference = zip(vector, record.embedding).map { abs($0 - $1) }.max() ?? .infinity
            #expect(1 - dot / norms <= Self.maxOneMinusCosine, "text: \(record.text.prefix(80).debugDescription)")
            #expect(difference <= Self.maxComponentDifference, "text: \(record.text.prefix(80).debugDescription)")
        }
    }

    @Test("results come back in input order whatever the batching")
    func inputOrderIsKept() throws {
        let embedder = try SentenceEmbedder(modelFolder: try ReferenceFixture.modelFolder())
        let texts = ["short", "a much longer line about a connection refused by the upstream database server", "", "mid length text"]
        let together = embedder.embed(texts, batchSize: 3)
        for (text, vector) in zip(texts, together) {
            let alone = embedder.embed([text], batchSize: 1)[0]
            #expect(zip(vector, alone).allSatisfy { abs($0 - $1) < 1e-5 })
        }
    }
}
