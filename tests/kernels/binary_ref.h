/* tests/kernels/binary_ref.h — shared pieces of the ADD/SUB/MUL tests:
 * TFLite-style parameters from float scales (derived here independently
 * of libneurio) and broadcast stride setup. */
#ifndef NEURIO_TESTS_BINARY_REF_H
#define NEURIO_TESTS_BINARY_REF_H

#include "kernel_ref.h"
#include "nd_ref.h"
#include "nk.h"

/* ADD/SUB parameters as TFLite derives them (left shift 20). */
static inline void ref_addsub_params(nk_binary_params *p, double s1, int zp1, double s2, int zp2,
                                     double so, int zpo)
{
    const double twice_max = 2.0 * (s1 > s2 ? s1 : s2);
    p->left_shift = 20;
    p->in1_zp = zp1;
    p->in2_zp = zp2;
    p->out_zp = zpo;
    ref_multiplier(s1 / twice_max, &p->in1_mult, &p->in1_shift);
    ref_multiplier(s2 / twice_max, &p->in2_mult, &p->in2_shift);
    ref_multiplier(twice_max / ((double)(1 << 20) * so), &p->out_mult, &p->out_shift);
    p->act_min = -128;
    p->act_max = 127;
}

/* Fills rank/out_dims/strides for broadcasting a (dims1) with b (dims2),
 * both already of the same rank. */
static inline void ref_broadcast(nk_binary_params *p, int rank, const int *d1, const int *d2)
{
    int s1 = 1, s2 = 1;
    p->broadcast = 1;
    p->rank = rank;
    for (int d = rank - 1; d >= 0; --d) {
        p->out_dims[d] = d1[d] > d2[d] ? d1[d] : d2[d];
        p->in1_strides[d] = d1[d] == 1 ? 0 : s1;
        p->in2_strides[d] = d2[d] == 1 ? 0 : s2;
        s1 *= d1[d];
        s2 *= d2[d];
    }
}

/* Random broadcast case: rank 1..4, each input axis either the output's
 * extent or 1 (dims into d1/d2); fills p and returns the element count. */
static inline int32_t ref_random_bcast(nk_binary_params *p, uint32_t *seed, int32_t *d1,
                                       int32_t *d2)
{
    int rank = 1 + (int)(ref_rand(seed) % 4);
    int a[4], b[4];
    for (int d = 0; d < rank; ++d) {
        int e = 1 + (int)(ref_rand(seed) % 4);
        a[d] = (ref_rand(seed) % 3 == 0) ? 1 : e;
        b[d] = (ref_rand(seed) % 3 == 0) ? 1 : e;
        d1[d] = a[d];
        d2[d] = b[d];
    }
    ref_broadcast(p, rank, a, b);
    return (int32_t)ref_count(p->out_dims, rank);
}

/* Input offsets of output element number i for the shapes above. */
static inline void ref_bcast_offsets(const nk_binary_params *p, const int32_t *d1,
                                     const int32_t *d2, int32_t i, int64_t *o1, int64_t *o2)
{
    int32_t idx[NK_MAX_DIMS];
    for (int d = p->rank - 1; d >= 0; --d) {
        idx[d] = i % p->out_dims[d];
        i /= p->out_dims[d];
    }
    *o1 = ref_bcast_offset(d1, idx, p->rank);
    *o2 = ref_bcast_offset(d2, idx, p->rank);
}

#endif
