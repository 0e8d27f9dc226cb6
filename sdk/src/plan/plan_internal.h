/* sdk/src/plan/plan_internal.h — what planner.c and plan_band.c share
 * (internal names pl_*). */
#ifndef NEURIO_SRC_PLAN_INTERNAL_H
#define NEURIO_SRC_PLAN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "neurio/planner.h"

#define NEURIO_BAND_MAX_OPS 8      /* ops of one band chain */
#define NEURIO_BAND_MAX_STEPS 4096 /* bands of one chain */

static inline size_t pl_align(size_t v, size_t a)
{
    return (v + a - 1) / a * a;
}

/* The smallest gap with which op may write its output below its dying
 * input, or -1 (the overlap table, plan_overlap.c).  rows_1x1: the caller
 * runs a 1x1 CONV_2D with the row-pair kernel (neurio_plan_options.
 * op_rows_1x1); 1x1 convolutions never overlap without it. */
int64_t pl_overlap_gap(const neurio_model *m, const neurio_op *op, int rows_1x1);

/* op is a CONV_2D with a 1x1 filter (plan_overlap.c). */
int pl_is_1x1_conv(const neurio_model *m, const neurio_op *op);

/* Band chains of m with `rows` rows per band (rows < 1: none): allocates
 * and fills p->chains, p->n_chains and p->op_chain (every op -1 when
 * none).  NEURIO_OK or NEURIO_ERR_NOMEM. */
int pl_band_find(const neurio_model *m, int32_t rows, size_t align, neurio_plan *p);

/* The gap of chain ops f..l (neurio_band_chain.gap when the input may be
 * overlapped) and whether it is in place; -2 when out of memory. */
int64_t pl_band_gap(const neurio_model *m, int32_t f, int32_t l, int32_t rows, int *in_place);

/* Largest window (bytes) of the output of op k, inside chain ch. */
size_t pl_band_window_bytes(const neurio_model *m, const neurio_band_chain *ch, int32_t k);

/* ch describes a chain of m (ops that chain, a sane row count). */
int pl_band_chain_valid(const neurio_model *m, const neurio_band_chain *ch);

#endif /* NEURIO_SRC_PLAN_INTERNAL_H */
