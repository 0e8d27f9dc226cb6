/* sdk/include/neurio/codegen.h — C99 code generator for a prepared model.
 *
 * neurio_codegen() writes two files into out_dir for a model named M (the
 * model's name made a C identifier, or opts->name):
 *   M.h  — the typed entry point int M_run(const in_t *in0, ..., out_t
 *          *out0, ...), the generic M_run_generic(), size macros and the
 *          extern description table `const neurio_model_desc M_desc`
 *          (firmware/include/neurio_model_desc.h);
 *   M.c  — weights and biases as aligned `static const` arrays, every
 *          kernel's parameters (fixed-point multipliers, shifts, padding,
 *          activation ranges) precomputed as `static const` structs, one
 *          static arena of the planned size (neurio/planner.h), and the call
 *          sequence into the portable kernels (firmware/kernels/nk.h), with
 *          NEURIO_LAYER_HOOK(i) before each layer and NEURIO_LAYER_HOOK(n)
 *          at the end.
 * The output compiles warning-free with -std=c99 -Wall -Wextra -pedantic,
 * includes only <stdint.h>, <stddef.h>, <float.h>, "nk.h" and
 * "neurio_model_desc.h", and contains nothing host-specific.  Compile it
 * with -I<firmware>/kernels -I<firmware>/include plus the kernels' .c files.
 *
 * Graph inputs and outputs are the caller's buffers (not in the arena).
 */
#ifndef NEURIO_CODEGEN_H
#define NEURIO_CODEGEN_H

#include "neurio/api.h"

#include <stddef.h>
#include <stdint.h>

#include "neurio/model.h"
#include "neurio/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct neurio_codegen_options {
    const char *name;      /* C identifier for the model, NULL = from model */
    size_t alignment;      /* arena and weights alignment, 0 = 16          */
    int no_alias;          /* passed to the planner                        */
    int no_inplace;        /* also: no conv output over its dying input     */
    int no_default_model;  /* 1: don't emit neurio_model_get() (several
                              models in one image)                         */
    int stateful;          /* models with state (variable tensors): 0 =
                              M_run resets the state before each inference
                              (as TFLite Micro's goldens are made); 1 = the
                              state carries from one inference to the next
                              (streaming; M_reset_state() starts over)     */
    const char *model_sha256; /* neurio_model_sha256_hex of m when the
                              caller has it (a plugin: host->model_sha256),
                              so the model is not hashed again; NULL = hash
                              it here.  Must be 64 hex digits.             */
    int32_t band_rows;     /* > 0: banded execution (neurio/planner.h):
                              chains of convolutions run this many output
                              rows at a time, less RAM for some more
                              instructions; 0 = off (the default)          */
    int fc_weights;        /* the packed FULLY_CONNECTED layers' weights on
                              cores with the DSP extension (nk.h,
                              nk_fc_pack): NEURIO_FC_WEIGHTS_AUTO = int16
                              for each layer, in model order, while the
                              model's constants stay within flash_budget,
                              else int8; _INT8 = one byte per weight;
                              _INT16 = two bytes per weight, faster       */
    uint64_t flash_budget; /* auto: flash bytes the model's constants may
                              take; 0 = unknown (int8 everywhere)          */
    struct neurio_codegen_layer *layers; /* out, NULL = not wanted: the
                              weight layout of each op, [m->n_ops] entries
                              the caller provides (zeroed here first)      */
    uint64_t arena_budget; /* > 0 with band_rows 0: banded execution only
                              when the plain arena exceeds this many bytes,
                              with the most rows per band (the fewest
                              bands, so the fewest extra instructions)
                              whose arena fits; none fits: the smallest
                              arena.  0 = no budget                        */
    int weights;           /* NEURIO_WEIGHTS_FAST (0, the default): the
                              packed layouts that widen weights to int16
                              where they are faster (CONV_2D nk_conv_pack,
                              1x1 nk_pw_pack and its overlapped plans, FC
                              per fc_weights); NEURIO_WEIGHTS_COMPACT:
                              every layer keeps its weights int8, one byte
                              per weight (no nk_conv_pack, no nk_pw_pack,
                              so no 1x1 layer overlaps its input; FC
                              packed int8, or plain; no straight-line FC)
                              and fc_weights AUTO means INT8 (an explicit
                              INT16 still widens the FC layers)         */
} neurio_codegen_options;

/* Weight layouts the generated code holds (neurio_codegen_layer.layout).
 * The packed ones are compiled in where NK_FC_PACKED / NK_CONV_PACKED (nk.h:
 * cores with the DSP extension, not Helium); elsewhere those layers run
 * plain. */
enum {
    NEURIO_LAYOUT_NONE = 0,     /* not a FULLY_CONNECTED or CONV_2D layer     */
    NEURIO_LAYOUT_PLAIN = 1,    /* the model's arrays, the portable call      */
    NEURIO_LAYOUT_FC_INT8 = 2,  /* nk_fc_pack, int8 weights                   */
    NEURIO_LAYOUT_FC_INT16 = 3, /* nk_fc_pack, int16 weights                  */
    NEURIO_LAYOUT_FC_STRAIGHT = 4, /* straight-line C, weights as constants   */
    NEURIO_LAYOUT_CONV_INT16 = 5, /* CONV_2D, nk_conv_pack (int16 weights)    */
    NEURIO_LAYOUT_PW_INT16 = 6  /* 1x1 CONV_2D, nk_pw_pack (int16 weights,
                                   under NK_CONV_ROWS: the row-pair kernel)  */
};

typedef struct neurio_codegen_layer {
    int layout;            /* NEURIO_LAYOUT_*                               */
    uint64_t bytes;        /* flash of the packed arrays (0: plain / none)  */
    uint64_t added_bytes;  /* of those, beyond the int8 layout (FC int16) or
                              the model's arrays (CONV_INT16, PW_INT16)    */
} neurio_codegen_layer;

/* "plain", "packed int8", "packed int16" (FC_INT16, CONV_INT16 and
 * PW_INT16), "straight-line"; NULL for NONE or an unknown value. */
NEURIO_API const char *neurio_codegen_layout_name(int layout);

/* neurio_codegen_options.weights */
enum {
    NEURIO_WEIGHTS_FAST = 0,
    NEURIO_WEIGHTS_COMPACT = 1
};

enum {
    NEURIO_FC_WEIGHTS_AUTO = 0,
    NEURIO_FC_WEIGHTS_INT8 = 1,
    NEURIO_FC_WEIGHTS_INT16 = 2
};

typedef struct neurio_codegen_result {
    char name[128];        /* the identifier used (M)                       */
    char header_path[4096];
    char source_path[4096];
    uint64_t arena_bytes;
    uint64_t weights_bytes;/* bytes of constant arrays emitted              */
    uint32_t n_layers;
    char sha256[65];       /* hex neurio_model_sha256 of the model          */
    const char *plan_strategy; /* static string                             */
    uint32_t fc_int8_layers;   /* packed FULLY_CONNECTED layers per layout  */
    uint32_t fc_int16_layers;
    uint64_t fc_int16_bytes;   /* flash the int16 layouts add over int8     */
    char fc_layout[512];       /* "op 0 int16 (+81920 B), op 2 int8, ..."
                                  ("" = no packed layer; "..." when cut)   */
    uint64_t const_bytes;      /* the model's constant data (auto's base)   */
    uint32_t fc_budget_int8;   /* FULLY_CONNECTED layers auto left int8 (or
                                  plain) because int16 would have exceeded
                                  flash_budget                             */
    int32_t band_rows;         /* rows per band of the banded plan
                                  generated, 0 = not banded                */
} neurio_codegen_result;

/* Generate M.h and M.c for `m` into the existing directory out_dir
 * (files replaced atomically).  opts may be NULL.  res may be NULL.
 * Returns NEURIO_OK; NEURIO_ERR_UNSUPPORTED naming the op index, kind and
 * what is unsupported (dtype, per-channel input, hybrid weights ...);
 * NEURIO_ERR_INVALID for an inconsistent model; NEURIO_ERR_IO. */
NEURIO_API int neurio_codegen(const neurio_model *m, const char *out_dir,
                   const neurio_codegen_options *opts,
                   neurio_codegen_result *res, neurio_errbuf *err);

/* One op that no kernel can run (as the code generator would lower it). */
typedef struct neurio_unsupported_op {
    int32_t op_index;
    neurio_op_kind kind;
    neurio_dtype in_dtype;   /* the op's data input (input 0; TRANSPOSE_CONV:
                                its activation input), UNKNOWN if absent   */
    neurio_dtype out_dtype;  /* output 0                                    */
    int status;              /* NEURIO_ERR_UNSUPPORTED, or _INVALID for
                                inconsistent shapes/quantization            */
    char reason[512];        /* "op 3 (CONV_2D) 'name': <why>"              */
} neurio_unsupported_op;

/* Whether every op of m can be deployed: lowers each op exactly as
 * neurio_codegen() would, generating nothing.  Writes up to `max` entries
 * into out (may be NULL when max is 0) and returns how many ops cannot be
 * deployed (0: all can), or a negative neurio_status (NOMEM) with err set.
 * Ops the optimizer removes (BATCH_NORM, MATMUL, TRANSPOSE where it can)
 * count here: check the model as it will be generated. */
NEURIO_API int32_t neurio_codegen_check(const neurio_model *m, neurio_unsupported_op *out,
                             int32_t max, neurio_errbuf *err);

/* neurio_codegen_check() as one answer: NEURIO_OK when every op can be
 * deployed, else NEURIO_ERR_UNSUPPORTED with "N op(s) cannot be deployed,
 * no kernel for: OP a->b; ... (first: <its reason>)" in err (each op x
 * dtype once), or NOMEM.  What `neurio inspect`, `check` and `run` say. */
NEURIO_API int neurio_codegen_check_all(const neurio_model *m, neurio_errbuf *err);

/* "CONV_2D int16->int16": the op x dtype of an entry (buf of >= 64). */
NEURIO_API const char *neurio_unsupported_op_str(const neurio_unsupported_op *u, char *buf,
                                      size_t size);

/* Make a C identifier from any string ("pretrainedResnet_quant.tflite" ->
 * "pretrainedResnet_quant"): the extension and directories are dropped,
 * other characters become '_', a leading digit gets a 'm_' prefix, C
 * keywords get a '_model' suffix.  Always NUL-terminates; returns the
 * length written. */
NEURIO_API size_t neurio_c_identifier(const char *in, char *out, size_t size);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_CODEGEN_H */
