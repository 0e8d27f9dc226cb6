/* results/reference/layer_debug.h — per-layer readback against the host
 * reference (task.debug = "layers", `neurio debug`): each sample runs once
 * on libneurio's reference interpreter (neurio/interp.h) over the prepared
 * model, and once per output of every layer on the device with that
 * output read back through a capture callback (the pipeline's: one-sample
 * batches with the ABI 1.2 capture fields and the 1.3 output index);
 * every output of every layer is compared (mismatching
 * elements, max abs error in real units, relative L2, SNR).
 *
 * The same comparison serves `neurio debug`'s host part: the prepared model
 * against the float model on the host interpreter (nr_layer_float_run),
 * every output of every layer. */
#ifndef NEURIO_RESULTS_LAYER_DEBUG_H
#define NEURIO_RESULTS_LAYER_DEBUG_H

#include <stddef.h>
#include <stdint.h>

#include "neurio/model.h"
#include "neurio/status.h"

/* One output of one layer (= prepared op = device layer), summed over the
 * samples. */
typedef struct nr_layer_debug {
    int32_t op;               /* = layer index                              */
    int32_t output;           /* which output of the op (0 = the first)     */
    const char *op_name;      /* static                                     */
    const char *tensor;       /* that output tensor (owned by the model)    */
    const char *dtype;        /* static                                     */
    int compared;             /* 0: not read back (no output tensor)        */
    uint64_t elements;        /* compared, over all samples                 */
    uint64_t mismatches;      /* elements that differ: bytes (same dtype)
                                 or real values (float against quantized)   */
    double max_abs;           /* largest |device - host| in real units      */
    double err2, ref2;        /* sums of squares: error and host reference  */
} nr_layer_debug;

/* Relative L2 error (0 when both are zero) and SNR in dB (INFINITY when
 * identical) of a row. */
double nr_layer_debug_rel_l2(const nr_layer_debug *l);
double nr_layer_debug_snr_db(const nr_layer_debug *l);
/* Does the row differ from the reference: any mismatch on an integer
 * tensor, a relative L2 error above 1e-5 on a float one. */
int nr_layer_debug_differs(const nr_layer_debug *l);

/* Accumulate one sample of one row: `got` (tensor gx's dtype and
 * quantization) against the reference `ref` (tensor rx's), both of
 * gx's element count.  Sets compared. */
void nr_layer_debug_add(nr_layer_debug *l, const neurio_tensor *rx, const void *ref,
                        const neurio_tensor *gx, const void *got);

/* Prepared model p against float model f (both optimized; f's tensors are
 * matched to p's by name and element count) on the host interpreter, over
 * the first n samples: in_f[k] / in_p[k] hold model input k of every
 * sample back to back, in f's / p's input dtype.  One row per output of
 * every op of p, in op then output order (*n_rows, *rows malloc'ed:
 * free()); a row whose tensor has no float twin has compared = 0.  Errors:
 * the interpreter's, NEURIO_ERR_INVALID when the models' input counts
 * differ. */
int nr_layer_float_run(const neurio_model *f, const neurio_model *p, const void *const *in_f,
                       const void *const *in_p, size_t n, nr_layer_debug **rows,
                       size_t *n_rows, neurio_errbuf *err);

/* "3" for layer 3's first output, "3:1" for its second (buf returned). */
const char *nr_layer_debug_row_id(const nr_layer_debug *l, char buf[32]);

/* Run sample `sample` on the device with output `output` of layer `layer`
 * (`bytes` bytes) copied into buf.  NEURIO_OK, NR_LAYER_NOT_READ (this
 * device cannot read that output back: the row stays "not read back", err
 * says why, the comparison goes on) or a status with err set. */
#define NR_LAYER_NOT_READ 1
typedef int (*nr_layer_capture_fn)(void *user, size_t sample, int32_t layer, int32_t output,
                                   void *buf, uint32_t bytes, neurio_errbuf *err);

/* Compare the first n samples: inputs[k] holds model input k of every
 * sample back to back, in_bytes[k] each (m->n_inputs of them).  One row
 * per output of every op, in op then output order.  On success *rows
 * ([*n_rows], malloc'ed: free()) and *first_diff (the first differing
 * row, -1 = every output equal).  Errors: the interpreter's, or the
 * capture's. */
int nr_layer_debug_run(const neurio_model *m, const void *const *inputs, const size_t *in_bytes,
                       size_t n, nr_layer_capture_fn capture, void *user, nr_layer_debug **rows,
                       size_t *n_rows, int32_t *first_diff, neurio_errbuf *err);

/* The terminal table (n rows) and the verdict line. */
void nr_layer_debug_print(const nr_layer_debug *rows, uint32_t n, uint32_t samples,
                          int32_t first_diff);

#endif /* NEURIO_RESULTS_LAYER_DEBUG_H */
