#include "DejaKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

bool deja_cpu_has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

bool deja_cpu_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

// The path chosen once: AVX-512 where the CPU has it, else AVX2 with FMA; DEJA_KERNEL=avx2 takes
// the AVX2 path on an AVX-512 CPU (to measure it), DEJA_KERNEL=blas leaves every product to BLAS.
static int chosen_path(void) {
    static int path = -1;
    if (path < 0) {
        const char *forced = getenv("DEJA_KERNEL");
        if (forced && strcmp(forced, "blas") == 0) path = 0;
        else if (forced && strcmp(forced, "avx2") == 0) path = deja_cpu_has_avx2_fma() ? 2 : 0;
        else path = deja_cpu_has_avx512() ? 3 : deja_cpu_has_avx2_fma() ? 2 : 0;
    }
    return path;
}

bool deja_sgemm_rows_supported(void) { return chosen_path() != 0; }

const char *deja_sgemm_rows_path(void) {
    switch (chosen_path()) {
    case 3: return "avx512";
    case 2: return "avx2";
    default: return "blas";
    }
}

// A block of R rows by 32 columns (two 16-lane registers) of C, accumulated over all of k.
// `mask0`/`mask1` select the valid columns at the right edge.
#define DEJA_BLOCK(R)                                                                                   \
static inline __attribute__((always_inline, target("avx512f"))) void block##R(                          \
    size_t k, const float *a, size_t lda, const float *w, size_t ldw, float *c, size_t ldc,             \
    __mmask16 mask0, __mmask16 mask1) {                                                                 \
    __m512 acc0[R], acc1[R];                                                                            \
    for (int r = 0; r < R; r++) { acc0[r] = _mm512_setzero_ps(); acc1[r] = _mm512_setzero_ps(); }      \
    for (size_t p = 0; p < k; p++) {                                                                    \
        _mm_prefetch((const char *)(w + (p + 32) * ldw), _MM_HINT_T0);                                   \
        _mm_prefetch((const char *)(w + (p + 32) * ldw + 16), _MM_HINT_T0);                              \
        const __m512 w0 = _mm512_maskz_loadu_ps(mask0, w + p * ldw);                                   \
        const __m512 w1 = _mm512_maskz_loadu_ps(mask1, w + p * ldw + 16);                              \
        for (int r = 0; r < R; r++) {                                                                   \
            const __m512 x = _mm512_set1_ps(a[r * lda + p]);                                            \
            acc0[r] = _mm512_fmadd_ps(x, w0, acc0[r]);                                                  \
            acc1[r] = _mm512_fmadd_ps(x, w1, acc1[r]);                                                  \
        }                                                                                               \
    }                                                                                                   \
    for (int r = 0; r < R; r++) {                                                                       \
        float *row = c + r * ldc;                                                                       \
        _mm512_mask_storeu_ps(row, mask0, _mm512_add_ps(_mm512_maskz_loadu_ps(mask0, row), acc0[r]));   \
        _mm512_mask_storeu_ps(row + 16, mask1, _mm512_add_ps(_mm512_maskz_loadu_ps(mask1, row + 16), acc1[r])); \
    }                                                                                                   \
}
DEJA_BLOCK(1)
DEJA_BLOCK(2)
DEJA_BLOCK(3)
DEJA_BLOCK(4)
DEJA_BLOCK(5)
DEJA_BLOCK(6)
DEJA_BLOCK(7)
DEJA_BLOCK(8)
DEJA_BLOCK(9)
DEJA_BLOCK(10)
DEJA_BLOCK(11)
DEJA_BLOCK(12)

__attribute__((target("avx512f")))
void deja_sgemm_rows_avx512(size_t m, size_t k, const float *a, size_t lda,
                     const float *panels, size_t n, float *c, size_t ldc, size_t first, size_t last) {
    // Column panels outermost: a panel of W (k x 32, contiguous) stays in L2 while every row block uses it.
    for (size_t j = first; j < last; j += 32) {
        const float *w = panels + (j / 32) * k * 32;
        const size_t ldw = 32;
        const size_t width = n - j < 32 ? n - j : 32;
        const __mmask16 mask0 = width >= 16 ? 0xFFFF : (__mmask16)((1u << width) - 1);
        const __mmask16 mask1 = width >= 32 ? 0xFFFF : width <= 16 ? 0 : (__mmask16)((1u << (width - 16)) - 1);
        // Row blocks of at most 12 (24 accumulators of the 32 registers), as even as possible:
        // fewer passes over the panel and more multiply-adds per load than small blocks.
        const size_t blocks = (m + 11) / 12;
        size_t i = 0;
        for (size_t b = 0; b < blocks; b++) {
            const size_t rows = (m - i) / (blocks - b);
            const float *ar = a + i * lda;
            float *cr = c + i * ldc + j;
            switch (rows) {
            case 12: block12(k, ar, lda, w, ldw, cr, ldc, mask0, mask1); break;
            case 11: block11(k, ar, lda, w, ldw, cr, ldc, mask0, mask1); break;
            case 10: block10(k, ar, lda, w, ldw, cr, ldc, mask0, mask1); break;
            case 9: block9(k, ar, lda, w, ldw, cr, ldc, mask0, mask1); break;
            case 8: block8(k, ar, lda, w, ldw, cr, ldc, mask0, mask1); break;
            case 7: block7(k, ar, lda, w, ldw, cr, ldc, mask0, mask1); break;
            case 6: block6(k, ar, lda, w, ldw, cr, ldc, mask0, mask1); break;
            case 5: block5(k, ar, lda, w, ldw, cr, ldc, mask0, mask1); break;
            case 4: block4(k, ar, lda, w, ldw, cr, ldc, mask0, mask1); break;
            case 3: block3(k, ar, lda, w, ldw, cr, ldc, mask0, mask1); break;
            case 2: block2(k, ar, lda, w, ldw, cr, ldc, mask0, mask1); break;
            case 1: block1(k, ar, lda, w, ldw, cr, ldc, mask0, mask1); break;
            default: break;
            }
            i += rows;
        }
    }
}

// AVX2: 16 registers of 8 lanes. A panel is taken in two halves of 16 columns (two registers);
// blocks of at most 6 rows keep 12 accumulators, the half-row of W and the broadcast in registers.
// Full-width halves store without masks: a masked store costs Zen 1 about a dozen cycles, which
// with the short k of attention's products was a third of the multiply-adds' time.
// No software prefetch: on an AVX2-only EPYC (Zen 1) the hardware's stride prefetcher streams the
// panels from memory 6–10% faster without it (a prefetch 16, 32, 64 or 128 rows ahead all lost).
#define DEJA_BLOCK_AVX2(R)                                                                              \
static inline __attribute__((always_inline, target("avx2,fma"))) void avx2block##R(                     \
    size_t k, const float *a, size_t lda, const float *w, float *c, size_t ldc,                         \
    bool full, __m256i mask0, __m256i mask1) {                                                                     \
    __m256 acc0[R], acc1[R];                                                                            \
    for (int r = 0; r < R; r++) { acc0[r] = _mm256_setzero_ps(); acc1[r] = _mm256_setzero_ps(); }      \
    for (size_t p = 0; p < k; p++) {                                                                    \
        const __m256 w0 = _mm256_loadu_ps(w + p * 32);                                                  \
        const __m256 w1 = _mm256_loadu_ps(w + p * 32 + 8);                                              \
        for (int r = 0; r < R; r++) {                                                                   \
            const __m256 x = _mm256_broadcast_ss(a + r * lda + p);                                      \
            acc0[r] = _mm256_fmadd_ps(x, w0, acc0[r]);                                                  \
            acc1[r] = _mm256_fmadd_ps(x, w1, acc1[r]);                                                  \
        }                                                                                               \
    }                                                                                                   \
    for (int r = 0; r < R; r++) {                                                                       \
        float *row = c + r * ldc;                                                                       \
        if (full) {                                                                                     \
            _mm256_storeu_ps(row, _mm256_add_ps(_mm256_loadu_ps(row), acc0[r]));                        \
            _mm256_storeu_ps(row + 8, _mm256_add_ps(_mm256_loadu_ps(row + 8), acc1[r]));                \
        } else {                                                                                        \
            _mm256_maskstore_ps(row, mask0, _mm256_add_ps(_mm256_maskload_ps(row, mask0), acc0[r]));   \
            _mm256_maskstore_ps(row + 8, mask1, _mm256_add_ps(_mm256_maskload_ps(row + 8, mask1), acc1[r])); \
        }                                                                                               \
    }                                                                                                   \
}
DEJA_BLOCK_AVX2(1)
DEJA_BLOCK_AVX2(2)
DEJA_BLOCK_AVX2(3)
DEJA_BLOCK_AVX2(4)
DEJA_BLOCK_AVX2(5)
DEJA_BLOCK_AVX2(6)

/// Lanes below `valid` set (all ones), the rest clear: which columns a masked load or store touches.
__attribute__((target("avx2")))
static inline __m256i lanes_below(long valid) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)valid), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

__attribute__((target("avx2,fma")))
void deja_sgemm_rows_avx2(size_t m, size_t k, const float *a, size_t lda,
                          const float *panels, size_t n, float *c, size_t ldc, size_t first, size_t last) {
    for (size_t j = first; j < last; j += 32) {
        const float *panel = panels + (j / 32) * k * 32;
        for (size_t half = 0; half < 32 && j + half < last; half += 16) {
            const long width = (long)(n - (j + half)) < 16 ? (long)(n - (j + half)) : 16;
            const bool full = width == 16;
            const __m256i mask0 = lanes_below(width), mask1 = lanes_below(width - 8);
            const size_t blocks = (m + 5) / 6;
            size_t i = 0;
            for (size_t b = 0; b < blocks; b++) {
                const size_t rows = (m - i) / (blocks - b);
                const float *ar = a + i * lda;
                const float *w = panel + half;
                float *cr = c + i * ldc + j + half;
                switch (rows) {
                case 6: avx2block6(k, ar, lda, w, cr, ldc, full, mask0, mask1); break;
                case 5: avx2block5(k, ar, lda, w, cr, ldc, full, mask0, mask1); break;
                case 4: avx2block4(k, ar, lda, w, cr, ldc, full, mask0, mask1); break;
                case 3: avx2block3(k, ar, lda, w, cr, ldc, full, mask0, mask1); break;
                case 2: avx2block2(k, ar, lda, w, cr, ldc, full, mask0, mask1); break;
                case 1: avx2block1(k, ar, lda, w, cr, ldc, full, mask0, mask1); break;
                default: break;
                }
                i += rows;
            }
        }
    }
}

void deja_sgemm_rows(size_t m, size_t k, const float *a, size_t lda,
                     const float *panels, size_t n, float *c, size_t ldc, size_t first, size_t last) {
    if (chosen_path() == 3) deja_sgemm_rows_avx512(m, k, a, lda, panels, n, c, ldc, first, last);
    else deja_sgemm_rows_avx2(m, k, a, lda, panels, n, c, ldc, first, last);
}

#else

bool deja_cpu_has_avx512(void) { return false; }
bool deja_cpu_has_avx2_fma(void) { return false; }
bool deja_sgemm_rows_supported(void) { return false; }
const char *deja_sgemm_rows_path(void) { return "blas"; }

void deja_sgemm_rows(size_t m, size_t k, const float *a, size_t lda,
                     const float *panels, size_t n, float *c, size_t ldc, size_t first, size_t last) {
    // Portable fallback; callers use BLAS instead when deja_sgemm_rows_supported() is false.
    for (size_t i = 0; i < m; i++)
        for (size_t p = 0; p < k; p++)
            for (size_t j = first; j < last && j < n; j++)
                c[i * ldc + j] += a[i * lda + p] * panels[(j / 32) * k * 32 + p * 32 + j % 32];
}

void deja_sgemm_rows_avx512(size_t m, size_t k, const float *a, size_t lda,
                            const float *panels, size_t n, float *c, size_t ldc, size_t first, size_t last) {
    deja_sgemm_rows(m, k, a, lda, panels, n, c, ldc, first, last);
}

void deja_sgemm_rows_avx2(size_t m, size_t k, const float *a, size_t lda,
                          const float *panels, size_t n, float *c, size_t ldc, size_t first, size_t last) {
    deja_sgemm_rows(m, k, a, lda, panels, n, c, ldc, first, last);
}

#endif
