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

    @Test("a single-threaded pass calls its pause before each of the model's 24 matrix products per batch, and the vectors are the same")
    func pauseBetweenProducts() throws {
        let embedder = try SentenceEmbedder(modelFolder: try ReferenceFixture.modelFolder(), threads: 2)
        let texts = (0..<40).map { "payment \($0) declined by the card issuer" }
        let pauses = Counter()
        let paused = embedder.embed(texts, batchSize: 32, singleThreaded: true, pause: pauses.increment)
        // MiniLM-L6: 6 layers of a QKV, an attention-output, an intermediate and an output product; two batches.
        #expect(pauses.value == 2 * 6 * 4)
        #expect(paused == embedder.embed(texts, batchSize: 32, singleThreaded: true))
    }

    @Test("a text leaning toward a companion is the unit vector of its embedding plus the weighted companion's; without one it is unchanged")
    func leaningTowardCompanion() throws {
        let embedder = try SentenceEmbedder(modelFolder: try ReferenceFixture.modelFolder())
        let texts = ["broken pipe: write tcp 10.0.0.5:8080->10.0.0.9:51234: write: broken pipe", "GET /api/orders 200 12ms", "Errno::EPIPE: Broken pipe"]
        let companions: [String?] = ["broken pipe", nil, "broken pipe"]
        let leaned = embedder.embed(texts, leaningToward: companions, weight: 0.3, batchSize: 1)
        let plain = embedder.embed(texts, batchSize: 1)
        let companion = embedder.embed(["broken pipe"], batchSize: 1)[0]
        for index in [0, 2] {
            let sum = zip(plain[index], companion).map { $0 + 0.3 * $1 }
            let norm = sum.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(zip(leaned[index], sum).allSatisfy { abs($0 - $1 / norm) < 1e-6 })
            #expect(abs(leaned[index].reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
        }
        #expect(leaned[1] == plain[1])
        // The companion's vector is kept: asked again, the same vectors.
        #expect(embedder.embed(texts, leaningToward: companions, weight: 0.3, batchSize: 1) == leaned)
    }

    final class Counter: @unchecked Sendable {
        private(set) var value = 0
        func increment() { value += 1 }
    }
}
