#include "DejaKernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

// libm's erff and expf are opaque calls the compiler cannot vectorize; these are branch-free
// arithmetic it does, at fp32-noise accuracy (ElementwiseKernelTests bounds them against libm). GELU's
// loop is written once and compiled twice, for AVX2 with FMA (8 lanes) and for the target's baseline;
// softmax and LayerNorm have AVX2 versions written with intrinsics. The path is chosen at run time.

/// erf(x) as a rational function (odd numerator, even denominator) on [-4, 4]; |x| > 4 gives ±1
/// in fp32. The coefficients are Eigen's and TensorFlow's fast erf.
static inline __attribute__((always_inline)) float erf_approx(float value) {
    const float x = value < -4.0f ? -4.0f : value > 4.0f ? 4.0f : value;
    const float x2 = x * x;
    float p = x2 * -2.72614225801306e-10f + 2.77068142495902e-08f;
    p = p * x2 + -2.10102402082508e-06f;
    p = p * x2 + -5.69250639462346e-05f;
    p = p * x2 + -7.34990630326855e-04f;
    p = p * x2 + -2.95459980854025e-03f;
    p = p * x2 + -1.60960333262415e-02f;
    p = p * x;
    float q = x2 * -1.45660718464996e-05f + -2.13374055278905e-04f;
    q = q * x2 + -1.68282697438203e-03f;
    q = q * x2 + -7.37332916720468e-03f;
    q = q * x2 + -1.42647390514189e-02f;
    return p / q;
}

/// exp(x) by range reduction to 2^n · exp(r), |r| ≤ ln2/2, and a degree-6 polynomial (Cephes).
static inline __attribute__((always_inline)) float exp_approx(float value) {
    const float x = value < -87.3f ? -87.3f : value > 88.3f ? 88.3f : value;
    // Adding 1.5·2^23 rounds to an integer held in the low mantissa bits (no call to rint).
    const float shifted = x * 1.44269504088896341f + 12582912.0f;
    const float n = shifted - 12582912.0f;
    const float r = x - n * 0.693359375f + n * 2.12194440e-4f;
    float y = r * 1.9875691500e-4f + 1.3981999507e-3f;
    y = y * r + 8.3334519073e-3f;
    y = y * r + 4.1665795894e-2f;
    y = y * r + 1.6666665459e-1f;
    y = y * r + 5.0000001201e-1f;
    y = y * r * r + r + 1.0f;
    int32_t bits;
    memcpy(&bits, &shifted, sizeof bits);
    const int32_t exponent = (int32_t)((uint32_t)(bits - 0x4B400000 + 127) << 23);
    float scale;
    memcpy(&scale, &exponent, sizeof scale);
    return y * scale;
}

static inline __attribute__((always_inline)) void gelu_body(float *x, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const float v = x[i];
        x[i] = 0.5f * v * (1.0f + erf_approx(v * 0.70710678118654752f));
    }
}

// The loops are kept apart, and the sum split over 16 lanes, so that each vectorizes (a single
// running float sum forbids it).
static inline __attribute__((always_inline)) void softmax_body(float *x, size_t rows, size_t n) {
    for (size_t row = 0; row < rows; row++, x += n) {
        float top = x[0];
        for (size_t j = 1; j < n; j++) top = x[j] > top ? x[j] : top;
        for (size_t j = 0; j < n; j++) x[j] = exp_approx(x[j] - top);
        float lanes[16] = {0};
        size_t j = 0;
        for (; j + 16 <= n; j += 16)
            for (size_t l = 0; l < 16; l++) lanes[l] += x[j + l];
        float sum = 0;
        for (size_t l = 0; l < 16; l++) sum += lanes[l];
        for (; j < n; j++) sum += x[j];
        const float inverse = 1.0f / sum;
        for (size_t j = 0; j < n; j++) x[j] *= inverse;
    }
}

// Two passes over the row (a one-pass E[x²] − E[x]² variance loses precision).
static void layer_norm_baseline(float *x, size_t rows, size_t n, const float *bias, const float *gamma,
                                const float *beta, float epsilon) {
    for (size_t row = 0; row < rows; row++, x += n) {
        if (bias)
            for (size_t i = 0; i < n; i++) x[i] += bias[i];
        float sum = 0;
        for (size_t i = 0; i < n; i++) sum += x[i];
        const float mean = sum / (float)n;
        float squares = 0;
        for (size_t i = 0; i < n; i++) squares += (x[i] - mean) * (x[i] - mean);
        const float inverse = 1.0f / sqrtf(squares / (float)n + epsilon);
        for (size_t i = 0; i < n; i++) x[i] = (x[i] - mean) * inverse * gamma[i] + beta[i];
    }
}

float deja_erf(float x) { return erf_approx(x); }
float deja_exp(float x) { return exp_approx(x); }

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2,fma"))) static void gelu_avx2(float *x, size_t n) { gelu_body(x, n); }

/// exp_approx on 8 lanes, step for step.
__attribute__((target("avx2,fma"))) static inline __m256 exp8(__m256 value) {
    const __m256 x = _mm256_min_ps(_mm256_max_ps(value, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
    const __m256 shifted = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(12582912.0f));
    const __m256 n = _mm256_sub_ps(shifted, _mm256_set1_ps(12582912.0f));
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fmadd_ps(n, _mm256_set1_ps(2.12194440e-4f), r);
    __m256 y = _mm256_fmadd_ps(r, _mm256_set1_ps(1.9875691500e-4f), _mm256_set1_ps(1.3981999507e-3f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(8.3334519073e-3f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(4.1665795894e-2f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.6666665459e-1f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(5.0000001201e-1f));
    y = _mm256_fmadd_ps(_mm256_mul_ps(y, r), r, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    const __m256i bits = _mm256_castps_si256(shifted);
    const __m256i exponent = _mm256_slli_epi32(_mm256_add_epi32(bits, _mm256_set1_epi32(127 - 0x4B400000)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(exponent));
}

__attribute__((target("avx2"))) static inline float horizontal(__m256 v, bool maximum) {
    float lanes[8], result;
    _mm256_storeu_ps(lanes, v);
    result = lanes[0];
    for (int l = 1; l < 8; l++) result = maximum ? (lanes[l] > result ? lanes[l] : result) : result + lanes[l];
    return result;
}

// The same two passes on 8 lanes: the scalar sums wait on each add, 384 of them per row.
__attribute__((target("avx2,fma")))
static void layer_norm_avx2(float *x, size_t rows, size_t n, const float *bias, const float *gamma,
                            const float *beta, float epsilon) {
    const size_t full = n / 8 * 8;
    for (size_t row = 0; row < rows; row++, x += n) {
        __m256 sum = _mm256_setzero_ps();
        float tail = 0;
        for (size_t i = 0; i < full; i += 8) {
            __m256 v = _mm256_loadu_ps(x + i);
            if (bias) _mm256_storeu_ps(x + i, v = _mm256_add_ps(v, _mm256_loadu_ps(bias + i)));
            sum = _mm256_add_ps(sum, v);
        }
        for (size_t i = full; i < n; i++) tail += bias ? (x[i] += bias[i]) : x[i];
        const float mean = (horizontal(sum, false) + tail) / (float)n;
        const __m256 means = _mm256_set1_ps(mean);
        __m256 squares = _mm256_setzero_ps();
        tail = 0;
        for (size_t i = 0; i < full; i += 8) {
            const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), means);
            squares = _mm256_fmadd_ps(d, d, squares);
        }
        for (size_t i = full; i < n; i++) tail += (x[i] - mean) * (x[i] - mean);
        const float inverse = 1.0f / sqrtf((horizontal(squares, false) + tail) / (float)n + epsilon);
        const __m256 inverses = _mm256_set1_ps(inverse);
        for (size_t i = 0; i < full; i += 8) {
            const __m256 scaled = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), means), inverses);
            _mm256_storeu_ps(x + i, _mm256_fmadd_ps(scaled, _mm256_loadu_ps(gamma + i), _mm256_loadu_ps(beta + i)));
        }
        for (size_t i = full; i < n; i++) x[i] = (x[i] - mean) * inverse * gamma[i] + beta[i];
    }
}

// Written with intrinsics: the compiler vectorizes the plain loops, but a row's last n % 8 scores
// then go one at a time, which for rows of 50-odd scores took as long as the rest. Here they go
// through the same 8 lanes, padded (-inf before the exponential, 0 after).
__attribute__((target("avx2,fma"))) static void softmax_avx2(float *x, size_t rows, size_t n) {
    const size_t full = n / 8 * 8, rest = n - full;
    for (size_t row = 0; row < rows; row++, x += n) {
        float tail[8];
        for (size_t l = 0; l < 8; l++) tail[l] = l < rest ? x[full + l] : -INFINITY;
        __m256 top = _mm256_loadu_ps(tail);
        for (size_t j = 0; j < full; j += 8) top = _mm256_max_ps(top, _mm256_loadu_ps(x + j));
        top = _mm256_set1_ps(horizontal(top, true));

        __m256 sum = _mm256_setzero_ps();
        for (size_t j = 0; j < full; j += 8) {
            const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + j), top));
            _mm256_storeu_ps(x + j, e);
            sum = _mm256_add_ps(sum, e);
        }
        const __m256 valid = _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32((int)rest),
                                                                     _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
        const __m256 ends = _mm256_and_ps(exp8(_mm256_sub_ps(_mm256_loadu_ps(tail), top)), valid);
        sum = _mm256_add_ps(sum, ends);

        const __m256 inverse = _mm256_set1_ps(1.0f / horizontal(sum, false));
        for (size_t j = 0; j < full; j += 8) _mm256_storeu_ps(x + j, _mm256_mul_ps(_mm256_loadu_ps(x + j), inverse));
        _mm256_storeu_ps(tail, _mm256_mul_ps(ends, inverse));
        for (size_t l = 0; l < rest; l++) x[full + l] = tail[l];
    }
}

static bool use_avx2(void) {
    static int chosen = -1;
    if (chosen < 0) chosen = deja_cpu_has_avx2_fma() ? 1 : 0;
    return chosen == 1;
}
#endif

void deja_gelu(float *x, size_t n) {
#if defined(__x86_64__)
    if (use_avx2()) return gelu_avx2(x, n);
#endif
    gelu_body(x, n);
}

void deja_layer_norm_rows(float *x, size_t rows, size_t n, const float *bias, const float *gamma,
                          const float *beta, float epsilon) {
    if (n == 0) return;
#if defined(__x86_64__)
    if (use_avx2()) return layer_norm_avx2(x, rows, n, bias, gamma, beta, epsilon);
#endif
    layer_norm_baseline(x, rows, n, bias, gamma, beta, epsilon);
}

void deja_softmax_rows(float *x, size_t rows, size_t n) {
    if (n == 0) return;
#if defined(__x86_64__)
    if (use_avx2()) return softmax_avx2(x, rows, n);
#endif
    softmax_body(x, rows, n);
}
