/* sdk/include/neurio/planner.h — static memory planner.
 *
 * Gives every activation tensor of a model a place: an offset in one arena,
 * the caller's input/output buffer, or the constant data.  Tensor lifetimes
 * come from the op order (a tensor lives from its producer to its last
 * consumer); buffers whose lifetimes overlap never overlap in memory.
 *
 * Aliasing (no copy, no extra memory):
 *   - RESHAPE: the output shares its input's storage.
 *   - element-wise ops (ADD, SUB, MUL, DIV, SQUARED_DIFFERENCE, MAXIMUM,
 *     MINIMUM without broadcast; RELU, RELU6, CLIP, LEAKY_RELU, HARD_SWISH,
 *     LOGISTIC, TANH, QUANTIZE, ABS, NEG, SQRT, RSQRT, EXP, LOG; equal
 *     element sizes) write in place into an input whose storage dies at
 *     that op.
 *   - CONV_2D (filter larger than 1x1), DEPTHWISE_CONV_2D (int8, 3x3
 *     stride 1 on images the DSP kernel holds whole) and 1x1 CONV_2D (int8,
 *     only with op_rows_1x1) whose input storage dies at the op: the
 *     output may start `gap` bytes (or more) below the input and run on
 *     over it, since no kernel the generated code may call (portable, DSP,
 *     Helium) writes output bytes over input it still reads; `gap` follows
 *     from the shapes, stride and padding and from how each kernel walks
 *     memory (the overlap table, sdk/src/plan/plan_overlap.c;
 *     op_overlap_gap).
 * Storage shared this way forms one "group"; a group may sit in the arena,
 * in one graph input buffer (read-only), one graph output buffer, or in
 * constant data (read-only).
 *
 * Variable tensors (neurio_tensor.is_variable: SVDF/LSTM state) live for
 * the whole run and across runs: they are packed at the start of the arena
 * (plan->state_bytes), never aliased, and everything else is planned above.
 *
 * Banded execution (neurio_plan_options.band_rows > 0, off by default; the
 * technique of MCUNetV2's patch-based inference, by rows): a "band chain"
 * is a run of consecutive int8 ops CONV_2D / DEPTHWISE_CONV_2D (stride and
 * dilation 1 in height, output as high as the input) and ADD (no
 * broadcast, its other input the chain's input), where every tensor
 * between two ops of the run is read only by the next op.  The chain runs
 * band_rows output rows at a time (every kernel call computes a band of
 * rows, with the padding rows it needs): the tensors between its ops never
 * exist in full, only a window of the rows still needed (a few rows each),
 * and the chain's output may overlap its dying input, lagging behind the
 * rows still to be read (neurio_band_chain.gap).  Every kernel call reads and
 * writes disjoint bytes (or exactly the same, ADD in place), so this holds
 * for every kernel set whatever its traversal order.  The ops of a chain
 * count as one step for lifetimes (first_op/last_op are the chain's first
 * op).  Runs are cut into the chains (or single unbanded ops) whose
 * largest footprint (input + windows + output, less the overlap) is the
 * smallest (counting what lives across them), fewer banded ops on a tie;
 * the banded plan is kept only when its arena is smaller than the plain
 * plan's.  A chain's extra instructions are the per-call costs of its band
 * calls.
 *
 * Placement is greedy: buffers are taken in several orders (largest first,
 * earliest first, longest-lived first, largest size x duration first), each
 * placed at the lowest aligned offset free for its whole lifetime; the
 * smallest arena wins.
 */
#ifndef NEURIO_PLANNER_H
#define NEURIO_PLANNER_H

#include "neurio/api.h"

#include <stddef.h>
#include <stdint.h>

#include "neurio/model.h"
#include "neurio/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum neurio_mem_kind {
    NEURIO_MEM_NONE = 0,   /* tensor unused by the graph                    */
    NEURIO_MEM_CONST,      /* constant data (index = the const tensor)      */
    NEURIO_MEM_ARENA,      /* arena at `offset`                             */
    NEURIO_MEM_INPUT,      /* the caller's buffer of graph input `index`    */
    NEURIO_MEM_OUTPUT      /* the caller's buffer of graph output `index`   */
} neurio_mem_kind;

typedef struct neurio_tensor_place {
    neurio_mem_kind kind;
    int32_t index;      /* INPUT/OUTPUT: graph io position; CONST: tensor  */
    size_t offset;      /* ARENA: byte offset; else 0                       */
    int32_t alias_of;   /* tensor whose storage this one reuses (RESHAPE or
                           in place), or -1                                 */
    int32_t first_op;   /* lifetime of the tensor's storage group, in op    */
    int32_t last_op;    /* indices (inclusive); -1 when not in the arena    */
    int32_t group;      /* representative tensor of the storage group       */
    size_t bytes;       /* bytes of storage: the tensor's size, or for a
                           tensor inside a band chain its window            */
} neurio_tensor_place;

/* One band chain: ops first_op..last_op run `rows` output rows at a time. */
typedef struct neurio_band_chain {
    int32_t first_op, last_op;
    int32_t rows;          /* output rows of the last op per band           */
    int32_t n_steps;       /* bands: ceil(height / rows)                    */
    int32_t in_tensor;     /* the chain's input (op first_op's input 0)     */
    int32_t out_tensor;    /* the chain's output (op last_op's output)      */
    int64_t gap;           /* >= 0: the output may start this many bytes
                              below the input and overlap it (0 with
                              in_place: the same bytes); -1: no overlap     */
    int in_place;          /* 1: output and input share storage (a final
                              ADD writes its band over the input's band)    */
} neurio_band_chain;

/* What op `op` (of chain ch) does in band `step`: it computes rows
 * [out_lo, out_hi) of its output (none when equal) from rows [in_lo,
 * in_hi) of its input 0 with pad_top padding rows above them (ADD: the
 * same rows of both inputs).  A tensor inside the chain is held in a
 * window: before the call the window's first `drop` rows are discarded
 * (the `keep` rows after them move to the window's start), then the call
 * appends its rows; win_lo is the first row in the window after the call,
 * so row r is at (r - win_lo) * row bytes. */
typedef struct neurio_band_call {
    int32_t out_lo, out_hi;
    int32_t in_lo, in_hi, pad_top;
    int32_t drop, keep, win_lo;
} neurio_band_call;

typedef struct neurio_plan_options {
    size_t alignment;        /* arena offsets are multiples; 0 means 16    */
    int no_alias;            /* 1: RESHAPE always copies                    */
    int no_inplace;          /* 1: element-wise ops never write in place    */
    int no_overlap;          /* 1: conv output never overlaps its input     */
    int io_in_arena;         /* 1: graph inputs/outputs live in the arena
                                too (TFLite Micro's accounting)             */
    const size_t *op_scratch;/* [n_ops] scratch bytes each op needs during
                                its execution only, or NULL                */
    int32_t band_rows;       /* > 0: banded execution of band chains, this
                                many output rows per band; 0 = off          */
    const uint8_t *op_rows_1x1; /* [n_ops] or NULL: 1 = the caller runs the
                                1x1 CONV_2D op with the row-pair kernel on
                                DSP cores (nk.h, nk_conv2d_1x1_s8_rows), so
                                its output may overlap its input            */
} neurio_plan_options;

typedef struct neurio_plan {
    int32_t n_tensors;
    int32_t n_ops;
    neurio_tensor_place *tensors;  /* [n_tensors]                           */
    size_t *scratch_offset;        /* [n_ops] arena offset of op scratch    */
    size_t *scratch_bytes;         /* [n_ops] 0 = none                      */
    uint8_t *op_elided;            /* [n_ops] 1 = nothing to execute
                                      (aliased RESHAPE)                     */
    int64_t *op_overlap_gap;       /* [n_ops] >= 0: the op's output may start
                                      this many bytes below its dying input
                                      and overlap it; -1: no overlap       */
    uint8_t *op_overlap;           /* [n_ops] 1 = output and input do share
                                      bytes in this plan                   */
    size_t arena_bytes;            /* total arena size (aligned)            */
    size_t state_bytes;            /* the arena's first state_bytes hold the
                                      variable tensors (model state kept
                                      between inferences), nothing else
                                      ever: resetting the state is zeroing
                                      that prefix (int8 state: its zero
                                      point)                               */
    size_t alignment;
    size_t naive_bytes;            /* sum of all arena buffers (no reuse),
                                      for comparison                       */
    const char *strategy;          /* static name of the winning order      */
    size_t peak_live_bytes;        /* max over ops of the (aligned) bytes
                                      live at once (an overlap pair counted
                                      as max(out, gap + in)): a lower bound
                                      for any placement of these buffers   */
    int32_t n_chains;              /* band chains (band_rows > 0)           */
    neurio_band_chain *chains;     /* [n_chains]                            */
    int32_t *op_chain;             /* [n_ops] chain index, -1 = none        */
} neurio_plan;

/* Plan `m` (validated, ops in execution order).  opts may be NULL
 * (defaults).  On success *out is owned by the caller (neurio_plan_free).
 * Errors: NEURIO_ERR_INVALID (bad indices, tensor of unknown size) with a
 * message naming the op/tensor; NEURIO_ERR_NOMEM. */
NEURIO_API int neurio_plan_model(const neurio_model *m, const neurio_plan_options *opts,
                      neurio_plan **out, neurio_errbuf *err);

NEURIO_API void neurio_plan_free(neurio_plan *p);

/* Independent check of a plan against its model: every arena tensor fits in
 * the arena and is aligned, and no two storage groups whose lifetimes
 * overlap share a byte, except a conv's dying input and its output placed
 * at least the gap (recomputed from the model) below it.  Returns NEURIO_OK or NEURIO_ERR_INTERNAL with the
 * two tensors named. */
NEURIO_API int neurio_plan_check(const neurio_model *m, const neurio_plan *p,
                      neurio_errbuf *err);

/* Op `op` of chain ch in band `step` (0 <= step < ch->n_steps) of model m:
 * *out.  Pure function of the model and ch->rows (the code generator and
 * neurio_plan_check use it).  NEURIO_OK or NEURIO_ERR_INVALID. */
NEURIO_API int neurio_band_call_of(const neurio_model *m, const neurio_band_chain *ch,
                                   int32_t op, int32_t step, neurio_band_call *out);

/* Static name of a placement kind ("arena", "input", ...). */
NEURIO_API const char *neurio_mem_kind_name(neurio_mem_kind k);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_PLANNER_H */
