#ifndef DEJA_KERNELS_H
#define DEJA_KERNELS_H

#include <stdbool.h>
#include <stddef.h>

/// What the CPU offers for deja_sgemm_rows.
bool deja_cpu_has_avx512(void);
bool deja_cpu_has_avx2_fma(void);

/// True when deja_sgemm_rows runs here: AVX-512F, or AVX2 with FMA (DEJA_KERNEL=avx2 forces the
/// AVX2 path on an AVX-512 CPU; DEJA_KERNEL=blas turns both off).
bool deja_sgemm_rows_supported(void);

/// The path deja_sgemm_rows takes: "avx512", "avx2" or "blas" (not supported).
const char *deja_sgemm_rows_path(void);

/// C[m x n] += A[m x k] * W[k x n] for the columns [first, last) of C (multiples of 32 but for n).
/// W comes packed once at load time as panels of 32 columns: panel p holds W[0..<k][32p..<32p+32]
/// row by row, zero-padded past n. BLAS libraries pack W on every call, which for a handful of
/// rows costs as much as the product. Call only when deja_sgemm_rows_supported().
void deja_sgemm_rows(size_t m, size_t k, const float *a, size_t lda,
                     const float *panels, size_t n, float *c, size_t ldc, size_t first, size_t last);

/// The two paths themselves, for tests: call each only when the CPU has what it needs.
void deja_sgemm_rows_avx512(size_t m, size_t k, const float *a, size_t lda,
                            const float *panels, size_t n, float *c, size_t ldc, size_t first, size_t last);
void deja_sgemm_rows_avx2(size_t m, size_t k, const float *a, size_t lda,
                          const float *panels, size_t n, float *c, size_t ldc, size_t first, size_t last);

/// Writes the transpose of the rows x columns matrix at `source` (rows `stride` apart), times
/// `scale`, as deja_sgemm_rows' weight panels: panel p holds source rows 32p..<32p+32 as its
/// columns, one line per source column, zero past the last row.
void deja_pack_transposed(const float *source, size_t rows, size_t columns, size_t stride, float scale, float *panels);

/// The dot product of a[0..<n] and b[0..<n], vectorized on any x86-64 or ARM CPU.
float deja_dot(const float *a, const float *b, size_t n);

/// x[0..<n] ← GELU(x) (the erf form), in place; AVX2 with FMA where the CPU has it.
void deja_gelu(float *x, size_t n);

/// Each of `rows` rows of `n` floats ← its softmax, in place; AVX2 with FMA where the CPU has it.
void deja_softmax_rows(float *x, size_t rows, size_t n);

/// Each of `rows` rows of `n` floats ← LayerNorm(row + bias) · gamma + beta, in place, the variance
/// in two passes; `bias` may be NULL. AVX2 with FMA where the CPU has it.
void deja_layer_norm_rows(float *x, size_t rows, size_t n, const float *bias, const float *gamma,
                          const float *beta, float epsilon);

/// The approximations those use, one value at a time (for tests): erf within 5e-7 of libm's,
/// exp within 2e-7 relative.
float deja_erf(float x);
float deja_exp(float x);

#endif
