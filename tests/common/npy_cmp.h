/* tests/common/npy_cmp.h — comparing a run's predictions with reference
 * outputs (TFLite Micro goldens, the host device, the reference
 * interpreter), as every conformance test does: integers bit for bit,
 * float32 within a tolerance relative to the reference's output range.
 * Link tests/common/npy_cmp.c. */
#ifndef NEURIO_TESTS_NPY_CMP_H
#define NEURIO_TESTS_NPY_CMP_H

#include <stddef.h>

#include "neurio/npy.h"

/* 0 when the first `bytes` bytes of p and g agree: same dtype, p holding
 * exactly `bytes` and g at least that many; integers bit for bit, float32
 * with max |p - g| <= tol * (range of g's compared values, 1 when flat).
 * *maxdiff gets the largest |p - g| (floats; 0 for integers, INFINITY on a
 * NaN).  1 otherwise. */
int neurio_test_npy_cmp(const neurio_npy *p, const neurio_npy *g, size_t bytes, double tol,
                        double *maxdiff);

/* Bytes of the first n samples (rows) of g: g->bytes when n is 0 or not
 * below g's row count. */
size_t neurio_test_npy_rows_bytes(const neurio_npy *g, size_t n);

#endif
