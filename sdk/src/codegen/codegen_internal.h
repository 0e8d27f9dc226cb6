/* sdk/src/codegen/codegen_internal.h — shared state of the C code generator
 * (codegen.c drives, codegen_ops.c emits one op, codegen_params.c prints its
 * parameters, codegen_data.c places tensors and constants, codegen_files.c
 * writes the text of M.c and M.h).  Internal names cg_*. */
#ifndef NEURIO_SRC_CODEGEN_INTERNAL_H
#define NEURIO_SRC_CODEGEN_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "lower/lower.h"
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
    int stateful;           /* neurio_codegen_options.stateful             */
    int32_t fc_xwords;      /* words of ng_fcx (packed FC input), 0 = none */
    int fc_weights;         /* neurio_codegen_options.fc_weights (compact:
                               AUTO resolved to INT8)                      */
    int compact;            /* options.weights == NEURIO_WEIGHTS_COMPACT:
                               int8 layouts only, one byte per weight      */
    uint64_t flash_budget;  /* neurio_codegen_options.flash_budget         */
    uint64_t const_bytes;   /* the model's constant data (int8 layouts)    */
    uint64_t fc16_bytes;    /* flash the int16 layouts chosen so far add   */
    uint32_t fc_n8, fc_n16; /* packed layers per layout                    */
    char fc_layout[512];    /* neurio_codegen_result.fc_layout             */
    uint32_t fc_budget8;    /* neurio_codegen_result.fc_budget_int8        */
    neurio_codegen_layer *layers; /* options.layers ([n_ops]) or NULL      */
    uint8_t *pw_rows;       /* [n_ops] cg_pw_rows_mask: 1x1 layers the
                               row-pair kernel can run                     */
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

/* Emit params and the kernel call of op oi into c->decl / c->body. */
int cg_emit_op(cg_ctx *c, int32_t oi);

/* Write s into a C comment safely ("*" "/" split, control chars as '?'). */
void cg_comment(FILE *f, const char *s);

/* One designated initializer line of a params struct. */
void cg_f(cg_ctx *c, const char *field, float v);
void cg_i(cg_ctx *c, const char *field, long v);
void cg_dims(cg_ctx *c, const char *field, const int32_t *v, int32_t n);

/* The arrays (ng_<tag><oi>) and the `static const` parameter struct
 * (ng_p<oi>) of lowered op l (codegen_params.c). */
int cg_emit_params(cg_ctx *c, int32_t oi, const lw_op *l);
/* The same, with the arrays (and the fields pointing at them) only under
 * #if !macro: for a layer whose call under #if macro reads none of them
 * (codegen_pwrows.c).  macro NULL: cg_emit_params. */
int cg_emit_params_unless(cg_ctx *c, int32_t oi, const lw_op *l, const char *macro);

/* The text of M.c (around the emitted declarations and run body) and of
 * M.h, in buffers the caller frees (codegen_files.c).  NEURIO_OK or
 * NEURIO_ERR_NOMEM. */
int cg_source_text(const cg_ctx *c, const char *hex, const char *decl, size_t decl_len,
                   const char *body, size_t body_len, int default_model, char **text,
                   size_t *len);
int cg_header_text(const cg_ctx *c, const char *hex, char **text, size_t *len);

/* What the packed layouts share (codegen_pack.c).  cg_pack_input_ok: 1
 * when wt holds at least n_w int8 weights and bt (NULL: no bias) n_b
 * int32 values, as the packers read them.  cg_bias_copy: *bias = a copy of
 * bt's n int32 values (aligned; NULL without bt), NEURIO_OK or
 * NEURIO_ERR_NOMEM (the caller frees). */
int cg_pack_input_ok(const neurio_tensor *wt, const neurio_tensor *bt, size_t n_w, int32_t n_b);
int cg_bias_copy(const neurio_tensor *bt, int32_t n, int32_t **bias);
/* `static const int16_t NG_ALIGN ng_<tag><oi>[n] = {...};` with 16 values
 * a line; cg_pack_i32 the same for int32_t, per_line values a line. */
void cg_pack_i16(cg_ctx *c, const char *tag, int32_t oi, const int16_t *v, int32_t n);
void cg_pack_i32(cg_ctx *c, const char *tag, int32_t oi, const int32_t *v, int32_t n,
                 int per_line);
/* The plain weight and bias expressions p[1], p[2] (cg_ptr: emitted on
 * first use) under #if !guard. */
int cg_plain_consts(cg_ctx *c, const lw_op *l, char (*p)[160], const char *guard);
/* The body's two calls of layer oi: cg_packed_call opens #if guard with
 * fn(&ng_p<oi>, &<pack><oi>, p[0], p[3]); cg_plain_call writes #else,
 * fn(&ng_p<oi>, p[0], p[1], p[2] or NULL, p[3]) and #endif. */
void cg_packed_call(cg_ctx *c, int32_t oi, char (*p)[160], const char *guard, const char *fn,
                    const char *pack);
void cg_plain_call(cg_ctx *c, int32_t oi, const lw_op *l, char (*p)[160], const char *fn);
/* The report's entry (neurio_codegen_options.layers) of CONV_2D layer oi
 * on a packed layout: bytes of packed arrays in place of its int8 weights
 * and int32 bias. */
void cg_conv_note(cg_ctx *c, int32_t oi, const lw_op *l, int layout, uint64_t bytes);

/* When op oi (lowered to nk_fully_connected_s8 as l, operand expressions
 * p) can run on packed weights (nk.h, nk_fc_pack): emits the packed arrays
 * and both calls, the packed one under #if NK_FC_PACKED, and sets *done
 * (codegen_fcpack.c).  Otherwise *done = 0 and nothing is written. */
int cg_fc_packed(cg_ctx *c, int32_t oi, const lw_op *l, char (*p)[160], int *done);
/* 1 when operand t of op oi is a constant that only that slot uses and
 * that is not emitted yet (its emission can then go under an #if); *src =
 * its constant index (codegen_fcpack.c). */
int cg_exclusive_const(const cg_ctx *c, int32_t oi, int32_t t, int32_t *src);
/* The same for CONV_2D int8 on packed weights (nk.h, nk_conv_pack) under
 * #if NK_CONV_PACKED (codegen_convpack.c). */
int cg_conv_packed(cg_ctx *c, int32_t oi, const lw_op *l, char (*p)[160], int *done);
/* Its declarations only (ng_cp<oi> under #if NK_CONV_PACKED, the plain
 * weight and bias expressions p[1], p[2] under #if !NK_CONV_PACKED), for a
 * caller that writes its own calls (banded execution, codegen_band.c). */
int cg_conv_pack_decl(cg_ctx *c, int32_t oi, const lw_op *l, char (*p)[160], int *done);

/* Which ops (mask[n_ops]) are 1x1 CONV_2D int8 layers the row-pair kernel
 * can run (nk_pw_pack_s8 accepts them, weights and bias theirs alone): the
 * planner may overlap those (neurio_plan_options.op_rows_1x1).
 * NEURIO_OK or NEURIO_ERR_NOMEM (codegen_pwrows.c). */
int cg_pw_rows_mask(const neurio_model *m, uint8_t *mask);

/* Whether layer oi (lowered as l) goes through cg_pw_rows: a 1x1 CONV_2D
 * the plan overlaps with its input (it must), or one the row-pair kernel
 * can run with at most CG_PW_ROWS_MAX_BYTES int8 weights (faster than the
 * column-chunk GEMM; the flash doubles). */
int cg_pw_rows_wanted(const cg_ctx *c, int32_t oi, const lw_op *l);

/* Emits layer oi through nk_conv2d_1x1_s8_rows under #if NK_CONV_ROWS;
 * p[0] and p[3] hold the input and output pointers.  NEURIO_ERR_INTERNAL
 * when the layout does not suit it (an overlapped layer: the plan should
 * not have overlapped it). */
int cg_pw_rows(cg_ctx *c, int32_t oi, const lw_op *l, char (*p)[160]);
/* Its declarations only, when the packer takes the layer (*done = 1; else
 * nothing is written): ng_pk<oi> under #if NK_CONV_ROWS, the plain weight
 * and bias expressions p[1], p[2] under #if !NK_CONV_ROWS (band calls,
 * codegen_band.c). */
int cg_pw_rows_decl(cg_ctx *c, int32_t oi, const lw_op *l, char (*p)[160], int *done);

/* Band chain ci of the plan: every op's parameters and its band calls
 * (codegen_band.c). */
int cg_emit_chain(cg_ctx *c, int32_t ci);
/* neurio_plan_model(m, po), and with po->band_rows 0 and budget > 0 an
 * arena over the budget: the plans banded at every height from the
 * tallest tensor's down, the first (most rows) whose arena fits the
 * budget, else the smallest arena (neurio_codegen_options.arena_budget). */
int cg_plan(const neurio_model *m, neurio_plan_options *po, uint64_t budget, neurio_plan **out,
            neurio_errbuf *err);

/* SVDF, LSTM and the Signal ops (codegen_state.c). */
int cg_state_op(cg_ctx *c, int32_t oi, const neurio_op *op);
/* Emits M_reset_state(), which resets every variable tensor. */
void cg_state_reset_fn(const cg_ctx *c, FILE *f);

#endif /* NEURIO_SRC_CODEGEN_INTERNAL_H */
