/* sdk/src/interp/interp_internal.h — state shared by interp.c (float ops, driver)
 * and interp_s8.c (int8 ops). */
#ifndef NEURIO_INTERP_INTERNAL_H
#define NEURIO_INTERP_INTERNAL_H

#include "neurio/interp.h"

struct neurio_interp {
    const neurio_model *m;
    void **buf;        /* [n_tensors]: constant data or owned activation */
    unsigned char *owned;
    neurio_interp_hook hook;
    void *user;
    int stateful;      /* 1: variable tensors survive between runs */
};

/* Leading (top/left) padding offset, TFLite style. */
int32_t nit_pad(neurio_padding p, const int32_t *explicit_pad, int side, int32_t in,
                int32_t out, int32_t k, int32_t s, int32_t d);
/* Broadcast strides of the binary op into p (shared by float and int8). */
struct nk_binary_params;
int nit_binary_shape(const neurio_model *m, const neurio_op *op, struct nk_binary_params *p);

/* int8 op; NK_OK or an error; *msg may get a reason. */
int nit_op_s8(neurio_interp *it, const neurio_op *op, neurio_errbuf *err);
/* SVDF, LSTM and the Signal ops (interp_state.c), through lower/. */
int nit_op_state(neurio_interp *it, int32_t oi, neurio_errbuf *err);
/* Ops interp_s8.c can run. */
int nit_s8_supported(neurio_op_kind k);

#endif
