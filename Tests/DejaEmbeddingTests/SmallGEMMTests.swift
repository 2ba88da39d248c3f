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

    @Test("keys packed transposed give attention's scaled Q·Kᵀ through the small-row kernel",
          .enabled(if: deja_sgemm_rows_supported(), "skipped: this CPU has no AVX2 with FMA"),
          arguments: [(1, 32), (7, 32), (8, 8), (33, 32), (53, 32), (40, 13)])
    func packedKeysGiveScaledScores(tokens: Int, headSize: Int) {
        let stride = headSize * 3 + 5  // keys sit inside wider rows, as in the encoder's QKV buffer
        let q = (0..<(tokens * stride)).map { Float(($0 * 7919) % 29) / 14 - 1 }
        let k = (0..<(tokens * stride)).map { Float(($0 * 104_729) % 37) / 18 - 1 }
        let scale: Float = 0.25
        let padded = (tokens + 31) / 32 * 32
        var panels = [Float](repeating: .nan, count: padded * headSize)
        deja_pack_transposed(k, tokens, headSize, stride, scale, &panels)
        var scores = [Float](repeating: 0, count: tokens * tokens)
        deja_sgemm_rows(tokens, headSize, q, stride, panels, tokens, &scores, tokens, 0, tokens)
        for i in 0..<tokens {
            for j in 0..<tokens {
                let expected = (0..<headSize).reduce(Float(0)) { $0 + q[i * stride + $1] * k[j * stride + $1] } * scale
                #expect(abs(scores[i * tokens + j] - expected) <= 1e-4 * max(1, abs(expected)), "score \(i), \(j)")
            }
        }
        // Past the last key, each panel's columns are zero, not left as they were.
        for column in 0..<headSize {
            for row in tokens..<padded { #expect(panels[(row / 32) * headSize * 32 + column * 32 + row % 32] == 0) }
        }
    }
}
