/* sdk/src/lower/lower.h — the one lowering: an IR op -> the portable kernel
 * that runs it (firmware/kernels/nk.h) and that kernel's parameters, every
 * fixed-point constant computed by neurio/requant.h.
 *
 * The host reference interpreter (sdk/src/interp/) calls the kernel with
 * these parameters; the C generator (sdk/src/codegen/) prints them as
 * `static const` structs and the same call.  So an op means exactly the same
 * thing on the host and on every device, and whether an op x dtype can be
 * deployed is decided here, once (neurio_lower_check).
 *
 * Adding an op (docs/architecture.md, "Adding an op"): write the kernel, add
 * one line to lower_kernels.h, one lowering function (lower_*.c) and its
 * case in lw_lower(); a new parameter struct also gets a field table in
 * codegen/codegen_params.c.  Internal to libneurio (names lw_*). */
#ifndef NEURIO_SRC_LOWER_H
#define NEURIO_SRC_LOWER_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/nk.h"
#include "neurio/model.h"
#include "neurio/status.h"

/* How a kernel is called; interp and codegen each have one way per shape.
 * Operands (lw_op.args) are the kernel's tensor arguments in call order,
 * the output last. */
typedef enum lw_shape {
    LW_SHAPE_IO,       /* fn(&p, in, out)                                 */
    LW_SHAPE_IIO,      /* fn(&p, in1, in2, out)                           */
    LW_SHAPE_IWBO,     /* fn(&p, in, weights, bias or NULL, out)          */
    LW_SHAPE_LIST,     /* fn(&p, {in0, in1, ...}, out)                    */
    LW_SHAPE_SIZE_IO,  /* fn(p.scalar.size, in, out)                      */
    LW_SHAPE_CLAMP_IO, /* fn(p.scalar.size, p.scalar.lo, p.scalar.hi, in, out) */
    LW_SHAPE_COPY,     /* fn(in, out, p.scalar.bytes)                     */
    LW_SHAPE_SPLIT,    /* fn(&p, in, {out0, out1, ...}): args in, outputs */
    LW_SHAPE_IIIO,     /* fn(&p, in1, in2, in3, out)                      */
    LW_SHAPE_CODE_IIO, /* fn(&p, code, in1, in2, out)                     */
    LW_SHAPE_CODE_SIZE_IO, /* fn(code, p.scalar.size, in, out)            */
    LW_SHAPE_LIST_RQ   /* fn(&p, arrays[1] as nk_concat_requant[], code
                          (the output zero point), {in0, ...}, out)       */
} lw_shape;

/* Field groups of a parameter struct: which fields a kernel reads (the
 * generator prints group-0 fields and the groups of the kernel). */
#define LW_G_INT 1u   /* integer arithmetic: zero points, multipliers, ranges */
#define LW_G_FLT 2u   /* float arithmetic: float ranges                   */
#define LW_G_ADD 4u   /* ADD/SUB input rescaling (left_shift, in*_mult)   */
#define LW_G_LUT 8u   /* lookup tables in lw_op.arrays (int16 SOFTMAX)    */

/* Arguments of the kernels that take no parameter struct. */
typedef struct lw_scalar {
    int32_t size;      /* elements                                         */
    float lo, hi;      /* CLAMP_IO bounds                                  */
    size_t bytes;      /* COPY                                             */
} lw_scalar;

/* Every parameter struct a kernel takes; lower_kernels.h names the member. */
typedef union lw_params {
    nk_conv_params conv;
    nk_fc_params fc;
    nk_pool_params pool;
    nk_binary_params binary;
    nk_softmax_params softmax;
    nk_sigmoid_params sigmoid;
    nk_quantize_params quantize;
    nk_requant_params requant;
    nk_pad_params pad;
    nk_concat_params concat;
    nk_mean_params mean;
    nk_leaky_relu_params leaky_relu;
    nk_slice_params slice;
    lw_scalar scalar;
    nk_transpose_params transpose;
    nk_split_params split;
    nk_gather_params gather;
    nk_space_depth_params space_depth;
    nk_select_params select;
    nk_resize_params resize;
    nk_hard_swish_params hard_swish;
    nk_log_softmax_params log_softmax;
    nk_l2norm_params l2norm;
    nk_cast_params cast;
    nk_batch_matmul_params bmm;
} lw_params;

/* The parameter struct kinds (one per lw_params member). */
typedef enum lw_ptype {
    LW_P_conv, LW_P_fc, LW_P_pool, LW_P_binary, LW_P_softmax, LW_P_sigmoid,
    LW_P_quantize, LW_P_requant, LW_P_pad, LW_P_concat, LW_P_mean, LW_P_scalar,
    LW_P_leaky_relu, LW_P_slice,
    LW_P_transpose, LW_P_split, LW_P_gather, LW_P_space_depth, LW_P_select,
    LW_P_resize, LW_P_hard_swish, LW_P_log_softmax, LW_P_l2norm, LW_P_cast, LW_P_bmm,
    LW_P_COUNT
} lw_ptype;

#include "lower/lower_kernels.h"

typedef enum lw_kernel {
#define LW_ENUM(id, fn, member, shape, groups) LW_K_##id,
    LW_KERNELS(LW_ENUM)
#undef LW_ENUM
    LW_K_COUNT
} lw_kernel;

/* The kernel of an op lowered by lower_state.c (SVDF, LSTM, the Signal
 * ops): lw_lower() checks it can be deployed; the interpreter
 * (interp_state.c) and the generator (codegen_state.c) call its kernels
 * with the parameters lower_state.h derives. */
#define LW_K_STATE LW_K_COUNT

typedef struct lw_kernel_info {
    const char *name;     /* C function, "nk_conv2d_s8"                  */
    lw_ptype ptype;       /* its parameter struct                        */
    lw_shape shape;
    unsigned groups;      /* LW_G_* fields it reads                       */
} lw_kernel_info;

/* Static description of kernel k (k < LW_K_COUNT). */
const lw_kernel_info *lw_kernel_get(lw_kernel k);

/* An int32 array the parameters point into (per-channel multipliers, ...),
 * owned by the lw_op; the generator names it ng_<tag><op index>. */
#define LW_MAX_ARRAYS 2
typedef struct lw_array {
    const char *tag;      /* "m", "s", "inner" (static string)            */
    int32_t *v;
    int32_t n;
} lw_array;

#define LW_MAX_ARGS 8
typedef struct lw_op {
    lw_kernel kernel;
    lw_params p;          /* pointer fields point into arrays[]           */
    int32_t code;         /* CODE_* shapes: NK_CMP_* or NK_UNARY_*         */
    int32_t n_args;       /* kernel tensor operands, output last          */
    int32_t *args;        /* tensor indices, -1 = NULL (absent bias)      */
    int32_t args_small[LW_MAX_ARGS];
    lw_array arrays[LW_MAX_ARRAYS];
} lw_op;

/* Lower op `oi` of m into *out (zeroed first; release with lw_op_free,
 * also after a failure).  NEURIO_OK, NEURIO_ERR_UNSUPPORTED when no kernel
 * runs this op x dtype (or these attributes), NEURIO_ERR_INVALID for
 * inconsistent shapes or quantization; the message in err reads
 * "op 3 (CONV_2D) 'name': <what>" (callers prefix their stage). */
int lw_lower(const neurio_model *m, int32_t oi, lw_op *out, neurio_errbuf *err);

void lw_op_free(lw_op *l);

#endif /* NEURIO_SRC_LOWER_H */
