/* tests/kernels/nd_ref.h — N-d index helpers for the layout and broadcast
 * kernel tests: row-major offsets and odometer-style index stepping,
 * written directly from the definitions. */
#ifndef NEURIO_TESTS_ND_REF_H
#define NEURIO_TESTS_ND_REF_H

#include <stdint.h>

/* Row-major offset of idx[0..rank) in a tensor of `dims`. */
static inline int64_t ref_offset(const int32_t *dims, const int32_t *idx, int rank)
{
    int64_t off = 0;
    for (int d = 0; d < rank; ++d)
        off = off * dims[d] + idx[d];
    return off;
}

/* Advances idx like an odometer over dims; returns 0 after the last index. */
static inline int ref_next(int32_t *idx, const int32_t *dims, int rank)
{
    for (int d = rank - 1; d >= 0; --d) {
        if (++idx[d] < dims[d])
            return 1;
        idx[d] = 0;
    }
    return 0;
}

static inline int64_t ref_count(const int32_t *dims, int rank)
{
    int64_t n = 1;
    for (int d = 0; d < rank; ++d)
        n *= dims[d];
    return n;
}

/* Broadcast offset: index idx of the output read from an input of `dims`
 * (same rank; axes of extent 1 are broadcast). */
static inline int64_t ref_bcast_offset(const int32_t *dims, const int32_t *idx, int rank)
{
    int64_t off = 0;
    for (int d = 0; d < rank; ++d)
        off = off * dims[d] + (dims[d] == 1 ? 0 : idx[d]);
    return off;
}

#endif
