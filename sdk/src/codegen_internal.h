/* sdk/src/codegen_internal.h — shared state of the C code generator
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

#endif /* NEURIO_SRC_CODEGEN_INTERNAL_H */
