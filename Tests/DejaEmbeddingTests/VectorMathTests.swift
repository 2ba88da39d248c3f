@testable import DejaEmbedding
import Foundation
import Testing

@Suite struct VectorMathTests {
    private func grid(from low: Float, to high: Float, count: Int = 200_003) -> [Float] {
        (0..<count).map { low + (high - low) * Float($0) / Float(count - 1) }
    }

    @Test("vector erf stays within 5e-7 of libm's on [-8, 8]")
    func erfMatchesLibm() {
        let xs = grid(from: -8, to: 8)
        let worst = xs.map { abs(Double(VectorMath.erf($0)) - Foundation.erf(Double($0))) }.max()!
        #expect(worst <= 5e-7)
    }

    @Test("vector exp stays within 2e-7 relative of libm's on [-87, 80]")
    func expMatchesLibm() {
        let xs = grid(from: -87, to: 80)
        let worst = xs.map { abs(Double(VectorMath.exp($0)) - Foundation.exp(Double($0))) / Foundation.exp(Double($0)) }.max()!
        #expect(worst <= 2e-7)
    }

    @Test func softmaxOfAnyLengthSumsToOne() {
        for count in [1, 5, 16, 17, 53, 256] {
            var row = (0..<count).map { Float($0 % 7) * 1.5 - 3 }
            row.withUnsafeMutableBufferPointer { VectorMath.softmax($0.baseAddress!, count: count) }
            #expect(abs(row.reduce(0, +) - 1) < 1e-5)
            #expect(row.allSatisfy { $0 > 0 })
        }
    }
}
