#include "DejaKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Attention packs each head's keys, transposed, as deja_sgemm_rows' weight panels: for 50-token
// lines this costs as much as the product itself when written one float at a time, since every
// store lands 32 floats from the last. AVX2 moves them in 8 × 8 tiles: eight rows in, eight
// contiguous runs out.

static inline float *panel_slot(float *panels, size_t columns, size_t row, size_t column) {
    return panels + (row / 32) * columns * 32 + column * 32 + row % 32;
}

/// Rows [first_row, rows) by columns [first_column, columns), one float at a time.
static void pack_scalar(const float *source, size_t rows, size_t columns, size_t stride, float scale,
                        float *panels, size_t first_row, size_t first_column) {
    for (size_t row = first_row; row < rows; row++)
        for (size_t column = first_column; column < columns; column++)
            *panel_slot(panels, columns, row, column) = source[row * stride + column] * scale;
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static void pack_avx2(const float *source, size_t rows, size_t columns, size_t stride, float scale, float *panels) {
    const __m256 factor = _mm256_set1_ps(scale);
    const size_t full_rows = rows / 8 * 8, full_columns = columns / 8 * 8;
    for (size_t row = 0; row < full_rows; row += 8) {
        for (size_t column = 0; column < full_columns; column += 8) {
            __m256 r[8];
            for (int t = 0; t < 8; t++) r[t] = _mm256_mul_ps(_mm256_loadu_ps(source + (row + t) * stride + column), factor);
            const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
            const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
            const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
            const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
            const __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
            const __m256 u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
            const __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
            const __m256 u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
            const __m256 u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
            const __m256 u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
            const __m256 u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
            const __m256 u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
            // Column c of the tile, over its eight rows, goes to the panel's line for column c.
            float *out = panel_slot(panels, columns, row, column);
            _mm256_storeu_ps(out + 0 * 32, _mm256_permute2f128_ps(u0, u4, 0x20));
            _mm256_storeu_ps(out + 1 * 32, _mm256_permute2f128_ps(u1, u5, 0x20));
            _mm256_storeu_ps(out + 2 * 32, _mm256_permute2f128_ps(u2, u6, 0x20));
            _mm256_storeu_ps(out + 3 * 32, _mm256_permute2f128_ps(u3, u7, 0x20));
            _mm256_storeu_ps(out + 4 * 32, _mm256_permute2f128_ps(u0, u4, 0x31));
            _mm256_storeu_ps(out + 5 * 32, _mm256_permute2f128_ps(u1, u5, 0x31));
            _mm256_storeu_ps(out + 6 * 32, _mm256_permute2f128_ps(u2, u6, 0x31));
            _mm256_storeu_ps(out + 7 * 32, _mm256_permute2f128_ps(u3, u7, 0x31));
        }
    }
    // The edges: columns past the last tile for the tiled rows, then the rows past the last tile.
    pack_scalar(source, full_rows, columns, stride, scale, panels, 0, full_columns);
    pack_scalar(source, rows, columns, stride, scale, panels, full_rows, 0);
}
#endif

void deja_pack_transposed(const float *source, size_t rows, size_t columns, size_t stride, float scale, float *panels) {
#if defined(__x86_64__)
    static int avx2 = -1;
    if (avx2 < 0) avx2 = deja_cpu_has_avx2_fma() ? 1 : 0;
    if (avx2) pack_avx2(source, rows, columns, stride, scale, panels);
    else pack_scalar(source, rows, columns, stride, scale, panels, 0, 0);
#else
    pack_scalar(source, rows, columns, stride, scale, panels, 0, 0);
#endif
    // Rows past the last up to the panel's 32 are zero columns of W.
    const size_t padded = (rows + 31) / 32 * 32;
    for (size_t row = rows; row < padded; row++)
        for (size_t column = 0; column < columns; column++) *panel_slot(panels, columns, row, column) = 0;
}
