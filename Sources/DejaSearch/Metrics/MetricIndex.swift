import DejaCore
import Foundation

/// One tenant's metrics in memory, searched by words (BM25 over `MetricDocument.terms`) and by
/// meaning (cosine over document vectors), the two scores fused.
struct MetricIndex: Sendable {
    let metrics: [MetricMetadata]
    private let vectors: [Float]  // row-major, `dimension` per metric; zeros where not yet embedded
    private let embedded: [Bool]
    private let dimension: Int
    private let postings: [String: [(metric: Int, frequency: Float)]]
    private let lengths: [Float]
    private let averageLength: Float

    /// Weight of the keyword score (scaled to 0...1 per query) added to the cosine similarity. Set
    /// before any measurement: meaning leads, and an exact name word breaks ties between close ones.
    static let keywordWeight: Float = 0.3
    private static let k1: Float = 1.2, b: Float = 0.75

    init(_ stored: [(metadata: MetricMetadata, terms: [String], vector: [Float]?)], dimension: Int) {
        metrics = stored.map(\.metadata)
        self.dimension = dimension
        var vectors = [Float](repeating: 0, count: stored.count * dimension)
        var embedded = [Bool](repeating: false, count: stored.count)
        var postings: [String: [(metric: Int, frequency: Float)]] = [:]
        var lengths: [Float] = []
        for (index, entry) in stored.enumerated() {
            if let vector = entry.vector, vector.count == dimension {
                vectors.replaceSubrange(index * dimension..<(index + 1) * dimension, with: vector)
                embedded[index] = true
            }
            var frequencies: [String: Float] = [:]
            for term in entry.terms { frequencies[MetricDocument.stem(term), default: 0] += 1 }
            for (term, frequency) in frequencies { postings[term, default: []].append((index, frequency)) }
            lengths.append(Float(entry.terms.count))
        }
        self.vectors = vectors
        self.embedded = embedded
        self.postings = postings
        self.lengths = lengths
        averageLength = lengths.isEmpty ? 1 : max(1, lengths.reduce(0, +) / Float(lengths.count))
    }

    var count: Int { metrics.count }
    var embeddedCount: Int { embedded.count { $0 } }

    /// The best `k` metrics for a query, by fused score, among those `include` admits.
    func search(words: [String], vector: [Float]?, k: Int, include: (MetricMetadata) -> Bool) -> [(index: Int, score: Float)] {
        guard !metrics.isEmpty, k > 0 else { return [] }
        var keyword = [Float](repeating: 0, count: metrics.count)
        let n = Float(metrics.count)
        for word in Set(words.map(MetricDocument.stem)) {
            guard let list = postings[word] else { continue }
            let idf = log(1 + (n - Float(list.count) + 0.5) / (Float(list.count) + 0.5))
            for (metric, frequency) in list {
                let norm = Self.k1 * (1 - Self.b + Self.b * lengths[metric] / averageLength)
                keyword[metric] += idf * frequency * (Self.k1 + 1) / (frequency + norm)
            }
        }
        let topKeyword = keyword.max() ?? 0
        var scored: [(index: Int, score: Float)] = []
        scored.reserveCapacity(metrics.count)
        vectors.withUnsafeBufferPointer { matrix in
            for index in metrics.indices where include(metrics[index]) {
                var score = topKeyword > 0 ? Self.keywordWeight * keyword[index] / topKeyword : 0
                if let vector, embedded[index] {
                    var dot: Float = 0
                    let row = matrix.baseAddress! + index * dimension
                    for d in 0..<dimension { dot += row[d] * vector[d] }
                    score += dot
                }
                scored.append((index, score))
            }
        }
        return Array(scored.sorted { $0.score != $1.score ? $0.score > $1.score : metrics[$0.index].metric < metrics[$1.index].metric }.prefix(k))
    }
}
