import DejaKernels
import Foundation
import Testing

/// The encoder's elementwise kernels (DejaKernels' `Elementwise.c`) against libm.
@Suite struct ElementwiseKernelTests {
    private func grid(from low: Float, to high: Float, count: Int = 200_003) -> [Float] {
        (0..<count).map { low + (high - low) * Float($0) / Float(count - 1) }
    }

    @Test("vector erf stays within 5e-7 of libm's on [-8, 8]")
    func erfMatchesLibm() {
        let xs = grid(from: -8, to: 8)
        let worst = xs.map { abs(Double(deja_erf($0)) - Foundation.erf(Double($0))) }.max()!
        #expect(worst <= 5e-7)
    }

    @Test("vector exp stays within 2e-7 relative of libm's on [-87, 80]")
    func expMatchesLibm() {
        let xs = grid(from: -87, to: 80)
        let worst = xs.map { abs(Double(deja_exp($0)) - Foundation.exp(Double($0))) / Foundation.exp(Double($0)) }.max()!
        #expect(worst <= 2e-7)
    }

    @Test("GELU over a buffer (vectorized, any length) equals x·Φ(x) from libm's erf within 1e-6")
    func geluMatchesLibm() {
        for count in [1, 7, 8, 9, 1_000] {
            let xs = (0..<count).map { Float($0) / Float(max(1, count - 1)) * 12 - 6 }
            var ys = xs
            deja_gelu(&ys, count)
            for (x, y) in zip(xs, ys) {
                let expected = 0.5 * Double(x) * (1 + Foundation.erf(Double(x) / 2.0.squareRoot()))
                #expect(abs(Double(y) - expected) <= 1e-6 * max(1, abs(expected)), "x = \(x)")
            }
        }
    }

    @Test func softmaxOfAnyLengthMatchesLibmAndSumsToOne() {
        for count in [1, 5, 16, 17, 53, 256] {
            let rows = 3
            let values = (0..<(rows * count)).map { Float($0 % 7) * 1.5 - 3 + Float($0 / count) }
            var out = values
            deja_softmax_rows(&out, rows, count)
            for row in 0..<rows {
                let slice = values[(row * count)..<((row + 1) * count)].map(Double.init)
                let top = slice.max()!
                let total = slice.reduce(0) { $0 + Foundation.exp($1 - top) }
                for (j, value) in slice.enumerated() {
                    #expect(abs(Double(out[row * count + j]) - Foundation.exp(value - top) / total) <= 1e-6)
                }
            }
        }
    }

    @Test("LayerNorm of each row (plus a bias) equals the two-pass double-precision one within 1e-5",
          arguments: [1, 5, 8, 13, 384, 387])
    func layerNormMatchesDoublePrecision(width: Int) {
        let rows = 3
        let values = (0..<(rows * width)).map { Float(($0 * 7919) % 41) / 7 - 3 + Float($0 / width) * 10 }
        let bias = (0..<width).map { Float($0 % 9) / 4 - 1 }
        let gamma = (0..<width).map { 1 + Float($0 % 5) / 10 }
        let beta = (0..<width).map { Float($0 % 3) / 10 }
        for withBias in [false, true] {
            var out = values
            deja_layer_norm_rows(&out, rows, width, withBias ? bias : nil, gamma, beta, 1e-12)
            for row in 0..<rows {
                let x = (0..<width).map { Double(values[row * width + $0]) + (withBias ? Double(bias[$0]) : 0) }
                let mean = x.reduce(0, +) / Double(width)
                let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(width)
                for i in 0..<width {
                    let expected = (x[i] - mean) / (variance + 1e-12).squareRoot() * Double(gamma[i]) + Double(beta[i])
                    #expect(abs(Double(out[row * width + i]) - expected) <= 1e-5, "row \(row), column \(i), bias \(withBias)")
                }
            }
        }
    }
}
