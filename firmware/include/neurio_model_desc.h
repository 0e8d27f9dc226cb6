/* firmware/include/neurio_model_desc.h — the description table every
 * generated model exports, so a device runtime can run a model without
 * knowing it at compile time.
 *
 * C99, freestanding: only <stdint.h>.  No host types.  The code generator
 * (sdk/src/codegen/) emits, for a model named M:
 *
 *   const neurio_model_desc M_desc;           the table below
 *   int M_run(const in_t *in0, ..., out_t *out0, ...);   typed entry
 *   int M_run_generic(const void *const *in, void *const *out);  = desc.run
 *   const neurio_model_desc *neurio_model_get(void);  returns &M_desc,
 *       unless the build defines NEURIO_NO_DEFAULT_MODEL (several models in
 *       one image).
 *
 * Layer hook: the generated run function calls NEURIO_LAYER_HOOK(i) just
 * before layer i (0 <= i < n_layers) and NEURIO_LAYER_HOOK(n_layers) after
 * the last one, so a runtime can time layers.  By default it expands to
 * nothing.  A runtime either defines NEURIO_LAYER_HOOK(i) itself before this
 * header is included (e.g. on the compiler command line), or defines
 * NEURIO_LAYER_HOOK_FN=my_fn: then my_fn(uint32_t layer) is declared here and
 * called (the runtime provides it).
 *
 * Layer output hook (debug builds): right after layer i ran, the generated
 * run function calls NEURIO_LAYER_OUTPUT_K(i, k, data, bytes) for each
 * output k of the layer (0 = the first; data points at its bytes in the
 * arena, an input or an output buffer; writable except when the planner
 * aliased a graph input).  By default it expands to nothing;
 * NEURIO_LAYER_OUTPUT_K_FN=my_fn declares and calls my_fn(uint32_t layer,
 * uint32_t out_idx, void *data, uint32_t bytes) (the device runtime's
 * nrt_layer_output_k copies one layer output for `neurio debug`).  The
 * older first-output hook still works: NEURIO_LAYER_OUTPUT_FN=my_fn (or a
 * NEURIO_LAYER_OUTPUT(i, data, bytes) macro of the runtime's own) gets
 * my_fn(layer, data, bytes) for output 0 only.
 *
 * Return codes of run: 0 success; NEURIO_RUN_ERR_* otherwise.
 */
#ifndef NEURIO_MODEL_DESC_H
#define NEURIO_MODEL_DESC_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever neurio_model_desc changes incompatibly. */
#define NEURIO_MODEL_DESC_VERSION 1u

#define NEURIO_DESC_MAX_RANK 6

/* Element types; the numbering equals libneurio's neurio_dtype. */
#define NEURIO_DESC_DT_FLOAT32 1
#define NEURIO_DESC_DT_INT8 2
#define NEURIO_DESC_DT_UINT8 3
#define NEURIO_DESC_DT_INT16 4
#define NEURIO_DESC_DT_INT32 5
#define NEURIO_DESC_DT_INT64 6
#define NEURIO_DESC_DT_BOOL 7
#define NEURIO_DESC_DT_UINT32 9
#define NEURIO_DESC_DT_UINT64 10

/* Status of run(). */
#define NEURIO_RUN_OK 0
#define NEURIO_RUN_ERR_ARG 1      /* a NULL input/output pointer */
#define NEURIO_RUN_ERR_LAYER 256  /* + i: the kernel of layer i refused its
                                     parameters (a code generator bug)    */

/* One graph input or output. */
typedef struct neurio_tensor_desc {
    const char *name;        /* tensor name in the source model          */
    int32_t dtype;           /* NEURIO_DESC_DT_*                         */
    int32_t rank;
    int32_t dims[NEURIO_DESC_MAX_RANK];
    uint32_t bytes;          /* bytes of one sample of this tensor        */
    float scale;             /* real = scale * (q - zero_point);
                                0.0f when the tensor is not quantized     */
    int32_t zero_point;
} neurio_tensor_desc;

typedef struct neurio_model_desc {
    uint32_t version;                 /* NEURIO_MODEL_DESC_VERSION          */
    const char *name;                 /* C identifier, e.g. "kws_ref_model" */
    const char *sha256;               /* 64 lower-case hex chars of the
                                         prepared model (neurio_model_sha256) */
    uint32_t n_inputs;
    uint32_t n_outputs;
    const neurio_tensor_desc *inputs;   /* [n_inputs]                       */
    const neurio_tensor_desc *outputs;  /* [n_outputs]                      */
    uint32_t arena_bytes;             /* static activation arena            */
    uint32_t weights_bytes;           /* constant data (weights, biases,
                                         requantization tables)            */
    uint32_t n_layers;                /* = calls to kernels (prepared ops)  */
    const char *const *layer_ops;     /* [n_layers] op names ("CONV_2D")    */
    const uint64_t *layer_macs;       /* [n_layers] multiply-accumulates    */
    /* Run one inference: inputs[i] points at inputs[i].bytes bytes in the
     * tensor's dtype, outputs[i] at outputs[i].bytes writable bytes.  Not
     * reentrant (one static arena).  Returns NEURIO_RUN_OK or an error. */
    int (*run)(const void *const *inputs, void *const *outputs);
} neurio_model_desc;

#ifndef NEURIO_NO_DEFAULT_MODEL
/* The model linked into this image (defined by the generated code). */
const neurio_model_desc *neurio_model_get(void);
#endif

#ifndef NEURIO_LAYER_HOOK
#ifdef NEURIO_LAYER_HOOK_FN
void NEURIO_LAYER_HOOK_FN(uint32_t layer);
#define NEURIO_LAYER_HOOK(i) NEURIO_LAYER_HOOK_FN((uint32_t)(i))
#else
#define NEURIO_LAYER_HOOK(i) ((void)0)
#endif
#endif

#ifndef NEURIO_LAYER_OUTPUT
#ifdef NEURIO_LAYER_OUTPUT_FN
void NEURIO_LAYER_OUTPUT_FN(uint32_t layer, void *data, uint32_t bytes);
#define NEURIO_LAYER_OUTPUT(i, p, n) \
    NEURIO_LAYER_OUTPUT_FN((uint32_t)(i), (void *)(p), (uint32_t)(n))
#else
#define NEURIO_LAYER_OUTPUT(i, p, n) ((void)0)
#endif
#endif

#ifndef NEURIO_LAYER_OUTPUT_K
#ifdef NEURIO_LAYER_OUTPUT_K_FN
void NEURIO_LAYER_OUTPUT_K_FN(uint32_t layer, uint32_t out_idx, void *data, uint32_t bytes);
#define NEURIO_LAYER_OUTPUT_K(i, k, p, n) \
    NEURIO_LAYER_OUTPUT_K_FN((uint32_t)(i), (uint32_t)(k), (void *)(p), (uint32_t)(n))
#else /* the first-output hook, if any */
#define NEURIO_LAYER_OUTPUT_K(i, k, p, n) \
    do {                                  \
        if ((k) == 0)                     \
            NEURIO_LAYER_OUTPUT(i, p, n); \
    } while (0)
#endif
#endif

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_MODEL_DESC_H */
