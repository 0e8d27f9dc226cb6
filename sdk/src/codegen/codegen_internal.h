/* sdk/src/codegen/codegen_internal.h — shared state of the C code generator
 * (codegen.c drives, codegen_ops.c emits one op).  Internal names cg_*. */
#ifndef NEURIO_SRC_CODEGEN_INTERNAL_H
#define NEURIO_SRC_CODEGEN_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "neurio/codegen.h"
#include "neurio/model.h"
#include "neurio/planner.h"

typedef struct cg_ctx {
    const neurio_model *m;
    const neurio_plan *plan;
    const char *name;       /* model identifier M                          */
    FILE *decl;             /* file-scope static const declarations        */
    FILE *body;             /* statements of M_run                         */
    uint8_t *const_done;    /* [n_tensors] 1 = array ng_c<t> emitted       */
    uint64_t weights_bytes;
    neurio_errbuf *err;
} cg_ctx;

/* C type of a dtype ("int8_t", "float"), NULL if unsupported. */
const char *cg_ctype(neurio_dtype dt);

/* Writes into buf a typed pointer expression to tensor t's storage, e.g.
 * "((int8_t *)(void *)(ng_arena.b + 128))", "in0", "out1", "ng_c7",
 * emitting constant data on first use.  NEURIO_OK or an error. */
int cg_ptr(cg_ctx *c, int32_t t, char *buf, size_t size);

/* Emit `static const int32_t <name>[n] = {...};` (counted as weights). */
void cg_emit_i32_array(cg_ctx *c, const char *name, const int32_t *v, int32_t n);

/* Print a float so that it parses back to the same float ("1.5e+00f"). */
void cg_float(FILE *f, float v);

/* Fail for op `oi`: "codegen: op 3 (CONV_2D) 'name': <msg>". */
int cg_fail(cg_ctx *c, int32_t oi, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Emit params and the kernel call of op oi into c->decl / c->body. */
int cg_emit_op(cg_ctx *c, int32_t oi);

/* Write s into a C comment safely ("*" "/" split, control chars as '?'). */
void cg_comment(FILE *f, const char *s);

/* --- helpers shared by the op emitters (codegen_ops.c) --------------- */
const neurio_tensor *cg_t(cg_ctx *c, int32_t t);
/* Per-tensor scale/zero point of an int8 activation (fails naming it). */
int cg_q1(cg_ctx *c, int32_t oi, int32_t t, float *scale, int32_t *zp);
/* Turns a failed requant.h call into an op-level message. */
int cg_rq(cg_ctx *c, int32_t oi, int rc, const neurio_errbuf *e);
/* One designated initializer line of a params struct. */
void cg_f(cg_ctx *c, const char *field, float v);
void cg_i(cg_ctx *c, const char *field, long v);
void cg_dims(cg_ctx *c, const char *field, const int32_t *v, int32_t n);
/* The kernel call line, returning NEURIO_RUN_ERR_LAYER + oi on failure. */
void cg_call(cg_ctx *c, int32_t oi, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Input k of op oi (sets *rc and returns -1 when missing). */
int32_t cg_in(cg_ctx *c, int32_t oi, int32_t k, int *rc);
/* Input 0 and output 0 share a dtype that has kernels (int8/float32). */
int cg_all_dtype(cg_ctx *c, int32_t oi, neurio_dtype *dt);
/* Element i of an int32/int64 constant tensor. */
int64_t cg_const_int(const neurio_tensor *t, size_t i);

/* SVDF, LSTM and the Signal ops (codegen_state.c). */
int cg_state_op(cg_ctx *c, int32_t oi, const neurio_op *op);
/* Emits M_reset_state(), which resets every variable tensor. */
void cg_state_reset_fn(cg_ctx *c, FILE *f);

/* Layout ops (codegen_layout.c). */
int cg_reshape(cg_ctx *c, int32_t oi, const neurio_op *op);
int cg_pad_op(cg_ctx *c, int32_t oi, const neurio_op *op);
int cg_concat(cg_ctx *c, int32_t oi, const neurio_op *op);
int cg_mean(cg_ctx *c, int32_t oi, const neurio_op *op);

#endif /* NEURIO_SRC_CODEGEN_INTERNAL_H */
