#ifndef DEJA_KERNELS_H
#define DEJA_KERNELS_H

#include <stdbool.h>
#include <stddef.h>

/// True when this CPU can run deja_sgemm_rows (AVX-512F).
bool deja_sgemm_rows_supported(void);

/// C[m x n] += A[m x k] * W[k x n] for the columns [first, last) of C (multiples of 32 but for n).
/// W comes packed once at load time as panels of 32 columns: panel p holds W[0..<k][32p..<32p+32]
/// row by row, zero-padded past n. BLAS libraries pack W on every call, which for a handful of
/// rows costs as much as the product. Call only when deja_sgemm_rows_supported().
void deja_sgemm_rows(size_t m, size_t k, const float *a, size_t lda,
                     const float *panels, size_t n, float *c, size_t ldc, size_t first, size_t last);

/// The dot product of a[0..<n] and b[0..<n], vectorized on any x86-64 or ARM CPU.
float deja_dot(const float *a, const float *b, size_t n);

#endif
