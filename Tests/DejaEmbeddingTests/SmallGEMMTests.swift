@testable import DejaEmbedding
import DejaKernels
import Testing

@Suite struct SmallGEMMTests {
    typealias Kernel = @convention(c) (Int, Int, UnsafePointer<Float>?, Int, UnsafePointer<Float>?, Int, UnsafeMutablePointer<Float>?, Int, Int, Int) -> Void

    /// C += A·W over a column split, as the encoder's threads call it, compared with the naive product.
    private func check(_ kernel: Kernel, m: Int, k: Int, n: Int) throws {
        let a = (0..<(m * k)).map { Float(($0 * 7919) % 23) / 11 - 1 }
        let values = (0..<(k * n)).map { Float(($0 * 104_729) % 31) / 15 - 1 }
        let weight = DenseWeight(matrix: FloatTensor(count: k * n) { $0.update(from: values, count: k * n) }, inputs: k, outputs: n)
        let panels = try #require(weight.panels, "weights are packed wherever a small-row kernel runs")
        var c = (0..<(m * n)).map { Float($0 % 5) }
        var expected = c
        for i in 0..<m { for j in 0..<n { for p in 0..<k { expected[i * n + j] += a[i * k + p] * values[p * n + j] } } }
        let split = min(n, 32)
        kernel(m, k, a, k, panels.pointer, n, &c, n, 0, split)
        kernel(m, k, a, k, panels.pointer, n, &c, n, split, n)
        for index in c.indices {
            #expect(abs(c[index] - expected[index]) <= 1e-4 * max(1, abs(expected[index])), "element \(index)")
        }
    }

    static let shapes = [(1, 7, 40), (5, 33, 32), (6, 16, 17), (7, 20, 9), (13, 64, 100), (63, 384, 96)]

    @Test("AVX-512 small-row GEMM equals the naive product for every row count and ragged widths",
          .enabled(if: deja_cpu_has_avx512(), "skipped: this CPU has no AVX-512F"), arguments: shapes)
    func avx512MatchesNaiveProduct(m: Int, k: Int, n: Int) throws {
        try check(deja_sgemm_rows_avx512, m: m, k: k, n: n)
    }

    @Test("AVX2 small-row GEMM equals the naive product for every row count and ragged widths",
          .enabled(if: deja_cpu_has_avx2_fma(), "skipped: this CPU has no AVX2 with FMA"), arguments: shapes)
    func avx2MatchesNaiveProduct(m: Int, k: Int, n: Int) throws {
        try check(deja_sgemm_rows_avx2, m: m, k: k, n: n)
    }
}
