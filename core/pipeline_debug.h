/* core/pipeline_debug.h — the pipeline's per-layer readback (task.debug =
 * "layers", `neurio debug`): run each debug sample once per layer on the
 * device with that layer's output captured (ABI 1.2 batch capture; the
 * plugin built its debug firmware because host->layer_capture() said so),
 * and compare every layer with the host reference interpreter on the
 * prepared model.  Internal to the pipeline. */
#ifndef NEURIO_CORE_PIPELINE_DEBUG_H
#define NEURIO_CORE_PIPELINE_DEBUG_H

#include <stddef.h>
#include <stdint.h>

#include "neurio/model.h"
#include "neurio/plugin.h"
#include "pipeline.h"

typedef struct nr_debug_io {
    const neurio_plugin *plugin;
    void *self;
    neurio_ctx *ctx;
    const neurio_model *model;   /* prepared                                */
    const void *inputs;          /* input 0, samples back to back           */
    size_t in_bytes;             /* per sample                              */
    size_t n_samples;            /* available                               */
    uint32_t n_outputs;
    const size_t *out_bytes;     /* per sample, per output                  */
    uint32_t samples;            /* how many to compare (task.debug_samples) */
} nr_debug_io;

/* Compare.  On success *rows ([model->n_ops], malloc'ed, the caller frees)
 * and *first_diff (-1 = all equal), *samples = samples compared.  Errors
 * (a plugin that cannot capture, a device failure) return a status with a
 * one-line message in err. */
int nr_pipe_debug(const nr_debug_io *io, nr_layer_debug **rows, uint32_t *samples,
                  int32_t *first_diff, neurio_errbuf *err);

/* The terminal table and the verdict line. */
void nr_pipe_debug_print(const nr_layer_debug *rows, uint32_t n, uint32_t samples,
                         int32_t first_diff);

#endif /* NEURIO_CORE_PIPELINE_DEBUG_H */
