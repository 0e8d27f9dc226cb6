/* tests/kernels/sigmoid_ref.h — LOGISTIC/TANH int8 parameters as TFLite
 * Micro derives them (frexp of scale * 2^27, radius from 4 integer bits). */
#ifndef NEURIO_TESTS_SIGMOID_REF_H
#define NEURIO_TESTS_SIGMOID_REF_H

#include "kernel_ref.h"
#include "nk.h"

static inline void ref_sigmoid_params(nk_sigmoid_params *p, double scale, int zp, int size)
{
    int e = 0;
    double q = frexp(scale * (double)(1 << 27), &e);
    p->in_mult = (int32_t)llround(q * 2147483648.0);
    p->in_left_shift = e;
    p->in_range_radius = (int32_t)floor(15.0 * (double)(1 << 27) / (double)(1LL << e));
    p->in_zp = zp;
    p->size = size;
}

#endif
