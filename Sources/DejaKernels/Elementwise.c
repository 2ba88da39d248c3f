#include "DejaKernels.h"

#include <stdint.h>
#include <string.h>

// libm's erff and expf are opaque calls the compiler cannot vectorize; these are branch-free
// arithmetic it does, at fp32-noise accuracy (ElementwiseKernelTests bounds them against libm). Each
// loop body is written once and compiled twice: for AVX2 with FMA (8 lanes) and for the target's
// baseline, chosen at run time.

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

float deja_erf(float x) { return erf_approx(x); }
float deja_exp(float x) { return exp_approx(x); }

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static void gelu_avx2(float *x, size_t n) { gelu_body(x, n); }
__attribute__((target("avx2,fma"))) static void softmax_avx2(float *x, size_t rows, size_t n) { softmax_body(x, rows, n); }

static bool use_avx2(void) {
    static int chosen = -1;
    if (chosen < 0) chosen = deja_cpu_has_avx2_fma() ? 1 : 0;
    return chosen == 1;
}
#endif
static void gelu_baseline(float *x, size_t n) { gelu_body(x, n); }
static void softmax_baseline(float *x, size_t rows, size_t n) { softmax_body(x, rows, n); }

void deja_gelu(float *x, size_t n) {
#if defined(__x86_64__)
    if (use_avx2()) return gelu_avx2(x, n);
#endif
    gelu_baseline(x, n);
}

void deja_softmax_rows(float *x, size_t rows, size_t n) {
    if (n == 0) return;
#if defined(__x86_64__)
    if (use_avx2()) return softmax_avx2(x, rows, n);
#endif
    softmax_baseline(x, rows, n);
}
