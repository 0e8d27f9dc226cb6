/* sdk/src/interp/interp_internal.h — state shared by interp.c (driver),
 * interp_kernels.c (kernel calls) and interp_host.c (host-only ops). */
#ifndef NEURIO_INTERP_INTERNAL_H
#define NEURIO_INTERP_INTERNAL_H

#include "lower/lower.h"
#include "neurio/interp.h"

struct neurio_interp {
    const neurio_model *m;
    void **buf;        /* [n_tensors]: constant data or owned activation */
    unsigned char *owned;
    lw_op *low;        /* [n_ops]: the lowered op (kernel + parameters) */
    void ***args;      /* [n_ops]: its operand buffers, or NULL for a host-only op */
    neurio_interp_hook hook;
    void *user;
    int stateful;      /* 1: variable tensors survive between runs */
};

/* Calls the kernel of l on args (buffers in l's operand order); NK_OK or
 * the kernel's error. */
int nit_call(const lw_op *l, void *const *args);

/* Ops with no device kernel that the interpreter runs itself (float
 * BATCH_NORM and MATMUL): 1 if op is one of them. */
int nit_host_only(const neurio_model *m, const neurio_op *op);
/* Runs such an op; NK_OK or NK_ERR_PARAMS. */
int nit_host_op(neurio_interp *it, const neurio_op *op);

/* SVDF, LSTM and the Signal ops (interp_state.c), through
 * lower/lower_state.h until they join lw_lower(). */
int nit_op_state(neurio_interp *it, int32_t oi, neurio_errbuf *err);

#endif
