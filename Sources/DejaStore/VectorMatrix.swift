import DejaCore
import DejaKernels

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
        hits.reserveCapacity(k + 1)
        // Best first, ties by id so that results are stable; `hits` holds the best k seen so far.
        func better(_ a: VectorHit, _ b: VectorHit) -> Bool { a.similarity != b.similarity ? a.similarity > b.similarity : a.signatureID < b.signatureID }
        values.withUnsafeBufferPointer { values in
            query.withUnsafeBufferPointer { q in
                for row in ids.indices {
                    guard tenants[row] == filter.tenant, services.isEmpty || services.contains(self.services[row]),
                          levels.isEmpty || levels.contains(self.levels[row]) else { continue }
                    let hit = VectorHit(signatureID: ids[row], similarity: deja_dot(values.baseAddress! + row * dimension, q.baseAddress!, dimension))
                    guard hits.count < k || better(hit, hits[k - 1]) else { continue }
                    let at = hits.firstIndex { better(hit, $0) } ?? hits.count
                    hits.insert(hit, at: at)
                    if hits.count > k { hits.removeLast() }
                }
            }
        }
        return hits
    }
}
