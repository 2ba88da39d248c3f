import DejaCore
import DejaKernels
import Dispatch

/// Vectors held contiguously for exact search: one dot product per signature, then the best `k`.
/// Rows are scanned on all cores; tenants and services are compared as small integers.
struct VectorMatrix: Sendable {
    private var ids: [Int64] = []
    /// Each signature's row.
    private var rowOf: [Int64: Int] = [:]
    private var tenants: [Int32] = []
    private var services: [Int32] = []
    private var levels: [Severity] = []
    private var values: [Float] = []
    private var dimension: Int
    private var tenantCodes: [String: Int32] = [:]
    private var serviceCodes: [String: Int32] = [:]

    init(rows: [VectorRecord]) {
        dimension = rows.first?.vector.count ?? 0
        _ = append(rows)
    }

    /// The vector of `signature`, if held.
    func vector(of signature: Int64) -> [Float]? {
        rowOf[signature].map { Array(values[$0 * dimension..<($0 + 1) * dimension]) }
    }

    /// Adds vectors, or replaces those of signatures it holds (embedded again), in place when this
    /// copy is the only one (the store's cache, while no search reads it). False, and unchanged,
    /// when a vector has another dimension or a signature comes twice: the caller reloads instead.
    mutating func append(_ rows: [VectorRecord]) -> Bool {
        if dimension == 0 { dimension = rows.first?.vector.count ?? 0 }
        guard rows.allSatisfy({ $0.vector.count == dimension }), Set(rows.map(\.signatureID)).count == rows.count else { return false }
        func code(_ name: String, _ codes: inout [String: Int32]) -> Int32 {
            if let known = codes[name] { return known }
            codes[name] = Int32(codes.count)
            return Int32(codes.count - 1)
        }
        for row in rows {
            if let held = rowOf[row.signatureID] {
                values.replaceSubrange(held * dimension..<(held + 1) * dimension, with: row.vector)
                levels[held] = row.level
                continue
            }
            rowOf[row.signatureID] = ids.count
            ids.append(row.signatureID)
            tenants.append(code(row.tenant, &tenantCodes))
            services.append(code(row.service, &serviceCodes))
            levels.append(row.level)
            values += row.vector
        }
        return true
    }

    func search(_ query: [Float], filter: SearchFilter, k: Int) -> [VectorHit] {
        guard dimension > 0, query.count == dimension, k > 0, let tenant = tenantCodes[filter.tenant] else { return [] }
        let services = Set(filter.services.compactMap { serviceCodes[$0] })
        guard filter.services.isEmpty || !services.isEmpty else { return [] }
        let levels = Set(filter.levels)
        let workers = ids.count >= 8_192 ? 2 : 1
        let chunk = (ids.count + workers - 1) / workers
        let partial = (0..<workers).map { _ in Best(k: k) }
        let scan: @Sendable (Int) -> Void = { worker in
            values.withUnsafeBufferPointer { values in
                query.withUnsafeBufferPointer { q in
                    for row in (worker * chunk)..<min(ids.count, (worker + 1) * chunk) {
                        guard tenants[row] == tenant, services.isEmpty || services.contains(self.services[row]),
                              levels.isEmpty || levels.contains(self.levels[row]) else { continue }
                        partial[worker].offer(VectorHit(signatureID: ids[row],
                                                        similarity: deja_dot(values.baseAddress! + row * dimension, q.baseAddress!, dimension)))
                    }
                }
            }
        }
        if workers == 1 { scan(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: scan) }
        let merged = Best(k: k)
        for best in partial { for hit in best.hits { merged.offer(hit) } }
        return merged.hits
    }
}

/// The best `k` hits offered so far, best first; ties by id so that results are stable.
private final class Best: @unchecked Sendable {
    // @unchecked: each instance is written by one worker only.
    private(set) var hits: [VectorHit] = []
    private let k: Int

    init(k: Int) {
        self.k = k
        hits.reserveCapacity(k + 1)
    }

    private static func better(_ a: VectorHit, _ b: VectorHit) -> Bool {
        a.similarity != b.similarity ? a.similarity > b.similarity : a.signatureID < b.signatureID
    }

    func offer(_ hit: VectorHit) {
        guard hits.count < k || Self.better(hit, hits[k - 1]) else { return }
        hits.insert(hit, at: hits.firstIndex { Self.better(hit, $0) } ?? hits.count)
        if hits.count > k { hits.removeLast() }
    }
}
