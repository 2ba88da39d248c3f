#include "DejaKernels.h"

float deja_dot(const float *a, const float *b, size_t n) {
    // Sixteen independent sums: each lane is its own reduction, so the compiler vectorizes the
    // loop without reordering any single sum (which it may not do for floats).
    float lanes[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        for (size_t j = 0; j < 16; j++) lanes[j] += a[i + j] * b[i + j];
    }
    float sum = 0;
    for (size_t j = 0; j < 16; j++) sum += lanes[j];
    for (; i < n; i++) sum += a[i] * b[i];
    return sum;
}
