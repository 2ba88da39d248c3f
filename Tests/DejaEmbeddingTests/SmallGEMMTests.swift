@testable import DejaEmbedding
import DejaKernels
import Testing

@Suite struct SmallGEMMTests {
    @Test("packed small-row GEMM equals the naive product for every row count and ragged widths",
          .enabled(if: deja_sgemm_rows_supported(), "no AVX-512 here: the encoder uses OpenBLAS alone"),
          arguments: [(1, 7, 40), (5, 33, 32), (6, 16, 17), (13, 64, 100), (63, 384, 96)])
    func matchesNaiveProduct(m: Int, k: Int, n: Int) throws {
        let a = (0..<(m * k)).map { Float(($0 * 7919) % 23) / 11 - 1 }
        let values = (0..<(k * n)).map { Float(($0 * 104_729) % 31) / 15 - 1 }
        let weight = DenseWeight(matrix: FloatTensor(count: k * n) { $0.update(from: values, count: k * n) }, inputs: k, outputs: n)
        let panels = try #require(weight.panels)
        var c = (0..<(m * n)).map { Float($0 % 5) }
        var expected = c
        for i in 0..<m { for j in 0..<n { for p in 0..<k { expected[i * n + j] += a[i * k + p] * values[p * n + j] } } }
        // Two calls over a column split, as the encoder's threads make them.
        let split = min(n, 32)
        deja_sgemm_rows(m, k, a, k, panels.pointer, n, &c, n, 0, split)
        deja_sgemm_rows(m, k, a, k, panels.pointer, n, &c, n, split, n)
        for index in c.indices {
            #expect(abs(c[index] - expected[index]) <= 1e-4 * max(1, abs(expected[index])), "element \(index)")
        }
    }
}
