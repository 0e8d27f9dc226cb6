/* results/reference/hostref.h — the host reference of a run, one for every observer.
 *
 * The model as imported (a copy the pipeline takes before the plugin
 * prepares it), optimized for the host and run by libneurio's reference
 * interpreter (neurio/interp.h) on the run's samples: the user's data as
 * read once by the pipeline, converted to the reference model's input
 * dtype (neurio/dataprep.h).  Every sample runs once per run, however many
 * observers ask: the quantization cost (core/quant_cost.c) and the
 * fidelity KPIs of task.reference_run = "host" (core/report.c) read the
 * same rows.  The user's arrays are read and converted one requested
 * range (one batch) at a time, never whole: memory is bounded by the
 * batch size, not the number of samples.
 *
 *     observer.needs_hostref = 1;              // nr_observer, pipeline.h
 *     ...in on_batch:
 *     const float *ref = nr_hostref_rows(run->hostref, b->first, b->done, &err);
 *
 * Rows are output 0 (or the one nr_hostref_configure chose) as real values (dequantized when the reference model's
 * output is quantized), nr_hostref_out_elems() floats per sample.  The rows
 * of the last range asked for are kept (one batch: memory stays bounded by
 * the batch size, not the run).
 */
#ifndef NEURIO_CORE_HOSTREF_H
#define NEURIO_CORE_HOSTREF_H

#include <stddef.h>
#include <stdint.h>

#include "neurio/model.h"
#include "neurio/npy.h"
#include "neurio/status.h"

typedef struct nr_hostref nr_hostref;

/* Build the reference from `imported` (taken over: freed by
 * nr_hostref_free, also when this call fails) for a run of n_samples of
 * the .npy files `paths` (n_paths, one per graph input; the array of
 * strings is borrowed until free: rows are read from the files on
 * demand).
 * `prepared` (borrowed until free) is what the device runs: the reference
 * must have its number of inputs, the same element count per input, and
 * the same element count of output 0.  Errors name the mismatch, the
 * optimizer's or the interpreter's message (NEURIO_ERR_UNSUPPORTED for an
 * op it cannot run), or the data conversion. */
int nr_hostref_new(neurio_model *imported, const neurio_model *prepared,
                   const char *const *paths, size_t n_paths, size_t n_samples,
                   nr_hostref **out, neurio_errbuf *err);

/* Before the first nr_hostref_rows: the rows hold graph output `output`
 * (task.output; default 0) and, with `stateful` (data.stateful), the
 * model's state carries from one sample to the next as on the device
 * (rows must then be asked for in sample order, each range once, as the
 * pipeline's batches do).  NEURIO_OK, or INVALID / UNSUPPORTED (no such
 * output, or its element count differs from the prepared model's). */
int nr_hostref_configure(nr_hostref *h, int32_t output, int stateful, neurio_errbuf *err);

/* The reference of one run, as the pipeline builds it: nr_hostref_new on
 * data.inputs (`paths`, one per graph input of `prepared`; read batch by
 * batch, never whole: the reference converts the user's values itself)
 * taking `imported` (freed on every path), then nr_hostref_configure.  The
 * pipeline has opened and checked the same files for the device (data it
 * cannot read fails the run there).  A reference that cannot be built does
 * not fail the run: NEURIO_OK with *out NULL and its message in ref_err
 * (the observers that need it say why); err is kept for that contract. */
int nr_hostref_for_run(neurio_model *imported, const neurio_model *prepared,
                       const char *const *paths, size_t n_paths, size_t n_samples,
                       int32_t output, int stateful, nr_hostref **out,
                       neurio_errbuf *ref_err, neurio_errbuf *err);

/* Rows of samples [first, first + count) (count * out_elems floats,
 * row-major), run on the first request and kept until a different range
 * is asked for.  Valid until the next call or free.  NULL with a message
 * in err when a sample is out of range or the interpreter fails (naming
 * the op). */
const float *nr_hostref_rows(nr_hostref *h, size_t first, size_t count, neurio_errbuf *err);

/* Floats per row (elements of output 0). */
size_t nr_hostref_out_elems(const nr_hostref *h);

/* The reference model (optimized copy of the import), owned by h. */
const neurio_model *nr_hostref_model(const nr_hostref *h);

/* Samples the interpreter has run so far (each at most once per request
 * range; for tests and the run's log). */
uint64_t nr_hostref_runs(const nr_hostref *h);

void nr_hostref_free(nr_hostref *h);

#endif /* NEURIO_CORE_HOSTREF_H */
