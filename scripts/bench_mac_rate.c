// This CPU's multiply-accumulate rate per core, fp32 FMA against AVX2's int8 dot product
// (vpmaddubsw, then vpmaddwd by ones to widen to int32, as int8 GEMMs on AVX2 do): whether an
// int8 encoder path could pay here at all. Six independent chains each (enough to cover the
// latency, few enough to stay in registers), so throughput, not latency, is measured.
//
//     cc -O2 -mavx2 -mfma scripts/bench_mac_rate.c -o /tmp/mac_rate && /tmp/mac_rate
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
    const long rounds = 40000000;
    // Distinct operands per chain, so the compiler cannot fold the chains into one.
    __m256 a = _mm256_set1_ps(1.0001f);
    __m256 b0 = _mm256_set1_ps(0.91f), b1 = _mm256_set1_ps(0.92f), b2 = _mm256_set1_ps(0.93f);
    __m256 b3 = _mm256_set1_ps(0.94f), b4 = _mm256_set1_ps(0.95f), b5 = _mm256_set1_ps(0.96f);
    __m256 f0 = _mm256_setzero_ps(), f1 = f0, f2 = f0, f3 = f0, f4 = f0, f5 = f0;
    double start = now();
    for (long i = 0; i < rounds; i++) {
        f0 = _mm256_fmadd_ps(a, b0, f0); f1 = _mm256_fmadd_ps(a, b1, f1); f2 = _mm256_fmadd_ps(a, b2, f2);
        f3 = _mm256_fmadd_ps(a, b3, f3); f4 = _mm256_fmadd_ps(a, b4, f4); f5 = _mm256_fmadd_ps(a, b5, f5);
    }
    double fp32 = rounds * 6.0 * 8 / (now() - start);

    __m256i x0 = _mm256_set1_epi8(3), x1 = _mm256_set1_epi8(4), x2 = _mm256_set1_epi8(5);
    __m256i x3 = _mm256_set1_epi8(6), x4 = _mm256_set1_epi8(7), x5 = _mm256_set1_epi8(8);
    __m256i y = _mm256_set1_epi8(2), ones = _mm256_set1_epi16(1);
    __m256i c0 = _mm256_setzero_si256(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
    start = now();
    for (long i = 0; i < rounds; i++) {
#define STEP(c, x) c = _mm256_add_epi32(c, _mm256_madd_epi16(_mm256_maddubs_epi16(x, y), ones));
        STEP(c0, x0) STEP(c1, x1) STEP(c2, x2) STEP(c3, x3) STEP(c4, x4) STEP(c5, x5)
        // Inputs opaque to the compiler each round: no product is hoisted out of the loop.
        __asm__ volatile("" : "+x"(x0), "+x"(x1), "+x"(x2), "+x"(x3), "+x"(x4), "+x"(x5), "+x"(y));
    }
    double int8 = rounds * 6.0 * 32 / (now() - start);

    float sink[8];
    _mm256_storeu_ps(sink, _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(f0, f1), f2), _mm256_add_ps(_mm256_add_ps(f3, f4), f5)));
    int isink[8];
    _mm256_storeu_si256((__m256i *)isink, _mm256_add_epi32(_mm256_add_epi32(_mm256_add_epi32(c0, c1), c2),
                                                            _mm256_add_epi32(_mm256_add_epi32(c3, c4), c5)));
    printf("fp32 FMA %.1f GMAC/s, int8 (vpmaddubsw + vpmaddwd) %.1f GMAC/s per core: int8 / fp32 = %.2f  [%g %d]\n",
           fp32 / 1e9, int8 / 1e9, int8 / fp32, sink[0], isink[0]);
    return 0;
}
