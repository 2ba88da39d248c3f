/// Elementwise kernels for the encoder. libm's `erff` and `expf` are opaque calls and were a fifth
/// of the encoder's time; these are branch-free arithmetic that the compiler vectorizes, at
/// fp32-noise accuracy (VectorMathTests bounds them against libm).
enum VectorMath {
    /// erf(x) as a rational function (odd numerator, even denominator) on [-4, 4]; |x| > 4 gives ±1
    /// in fp32. The coefficients are Eigen's and TensorFlow's fast erf.
    @inline(__always)
    static func erf(_ value: Float) -> Float {
        let x = Swift.min(Swift.max(value, -4), 4)
        let x2 = x * x
        var p = x2 * -2.72614225801306e-10 + 2.77068142495902e-08
        p = p * x2 + -2.10102402082508e-06
        p = p * x2 + -5.69250639462346e-05
        p = p * x2 + -7.34990630326855e-04
        p = p * x2 + -2.95459980854025e-03
        p = p * x2 + -1.60960333262415e-02
        p = p * x
        var q = x2 * -1.45660718464996e-05 + -2.13374055278905e-04
        q = q * x2 + -1.68282697438203e-03
        q = q * x2 + -7.37332916720468e-03
        q = q * x2 + -1.42647390514189e-02
        return p / q
    }

    /// exp(x) by range reduction to 2^n · exp(r), |r| ≤ ln2/2, and a degree-6 polynomial (Cephes).
    @inline(__always)
    static func exp(_ value: Float) -> Float {
        let x = Swift.min(Swift.max(value, -87.3), 88.3)
        // Adding 1.5·2^23 rounds to an integer held in the low mantissa bits (no call to rint).
        let shifted = x * 1.44269504088896341 + 12_582_912
        let n = shifted - 12_582_912
        let r = x - n * 0.693359375 + n * 2.12194440e-4
        var y = r * 1.9875691500e-4 + 1.3981999507e-3
        y = y * r + 8.3334519073e-3
        y = y * r + 4.1665795894e-2
        y = y * r + 1.6666665459e-1
        y = y * r + 5.0000001201e-1
        y = y * r * r + r + 1
        let exponent = (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23
        return y * Float(bitPattern: exponent)
    }

    /// x ← x · Φ(x) = 0.5 · x · (1 + erf(x / √2)), the exact (erf) GELU, in place.
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let v = x[i]
            x[i] = 0.5 * v * (1 + erf(v * 0.70710678118654752))
        }
    }

    /// Softmax of one row in place. The loops are kept apart, and the sums split over 8 lanes, so
    /// that each vectorizes (a single running float sum forbids it).
    static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var top = -Float.infinity
        for j in 0..<count { top = Swift.max(top, x[j]) }
        for j in 0..<count { x[j] = exp(x[j] - top) }
        var sums = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            sums += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var sum = sums.sum()
        while i < count { sum += x[i]; i += 1 }
        let inverse = 1 / sum
        for j in 0..<count { x[j] *= inverse }
    }
}
