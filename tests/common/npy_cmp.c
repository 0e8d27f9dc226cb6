/* tests/common/npy_cmp.c — see npy_cmp.h. */
#include "npy_cmp.h"

#include <math.h>
#include <string.h>

int neurio_test_npy_cmp(const neurio_npy *p, const neurio_npy *g, size_t bytes, double tol,
                        double *maxdiff)
{
    *maxdiff = 0;
    if (p->dtype != g->dtype || p->bytes != bytes || g->bytes < bytes)
        return 1;
    if (p->dtype != NEURIO_DT_FLOAT32)
        return memcmp(p->data, g->data, bytes) != 0;
    const float *x = p->data, *y = g->data;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < bytes / sizeof(float); i++) {
        double d = fabs((double)x[i] - (double)y[i]);
        *maxdiff = isnan(d) ? INFINITY : fmax(*maxdiff, d);
        lo = fmin(lo, y[i]);
        hi = fmax(hi, y[i]);
    }
    return *maxdiff > tol * (hi > lo ? hi - lo : 1.0);
}

size_t neurio_test_npy_rows_bytes(const neurio_npy *g, size_t n)
{
    size_t rows = g->rank > 0 && g->dims[0] > 0 ? (size_t)g->dims[0] : 0;
    if (!n || !rows || n >= rows)
        return g->bytes;
    return g->bytes / rows * n;
}
