import DejaCore
import DejaKernels
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
    /// Added when a metric's job is the service a question comes from (logs → metrics): the same
    /// size as the keyword weight's share of one strong word, so meaning still decides.
    static let sharedJobBoost: Float = 0.1
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
    func search(words: [String], vector: [Float]?, k: Int, preferredJob: String? = nil,
                include: (MetricMetadata) -> Bool) -> [(index: Int, score: Float)] {
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
        var best: [(index: Int, score: Float)] = []
        best.reserveCapacity(k + 1)
        func better(_ a: (index: Int, score: Float), _ b: (index: Int, score: Float)) -> Bool {
            a.score != b.score ? a.score > b.score : metrics[a.index].metric < metrics[b.index].metric
        }
        let query = vector?.count == dimension ? vector! : []
        query.withUnsafeBufferPointer { query in vectors.withUnsafeBufferPointer { matrix in
            for index in metrics.indices where include(metrics[index]) {
                var score = topKeyword > 0 ? Self.keywordWeight * keyword[index] / topKeyword : 0
                if let preferredJob, metrics[index].jobs.contains(preferredJob) { score += Self.sharedJobBoost }
                if !query.isEmpty, embedded[index] { score += deja_dot(matrix.baseAddress! + index * dimension, query.baseAddress!, dimension) }
                // Keep the best k in order: a full sort of every metric per query is not needed.
                let candidate = (index, score)
                if best.count == k, let last = best.last, !better(candidate, last) { continue }
                let position = best.firstIndex { better(candidate, $0) } ?? best.count
                best.insert(candidate, at: position)
                if best.count > k { best.removeLast() }
            }
        } }
        return best
    }
}
