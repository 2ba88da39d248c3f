import DejaCore

/// Vectors held contiguously for exact search: one dot product per signature, then the best `k`.
struct VectorMatrix: Sendable {
    private let ids: [Int64]
    private let tenants: [String]
    private let services: [String]
    private let levels: [Severity]
    private let values: [Float]
    private let dimension: Int

    init(rows: [VectorRecord]) {
        ids = rows.map(\.signatureID)
        tenants = rows.map(\.tenant)
        services = rows.map(\.service)
        levels = rows.map(\.level)
        dimension = rows.first?.vector.count ?? 0
        values = rows.flatMap(\.vector)
    }

    func search(_ query: [Float], filter: SearchFilter, k: Int) -> [VectorHit] {
        guard dimension > 0, query.count == dimension, k > 0 else { return [] }
        let services = Set(filter.services)
        let levels = Set(filter.levels)
        var hits: [VectorHit] = []
        values.withUnsafeBufferPointer { values in
            query.withUnsafeBufferPointer { q in
                for row in ids.indices {
                    guard tenants[row] == filter.tenant, services.isEmpty || services.contains(self.services[row]),
                          levels.isEmpty || levels.contains(self.levels[row]) else { continue }
                    let base = row * dimension
                    var dot: Float = 0
                    for i in 0..<dimension { dot += values[base + i] * q[i] }
                    hits.append(VectorHit(signatureID: ids[row], similarity: dot))
                }
            }
        }
        // Ties broken by id so that results are stable.
        return Array(hits.sorted { $0.similarity != $1.similarity ? $0.similarity > $1.similarity : $0.signatureID < $1.signatureID }.prefix(k))
    }
}
