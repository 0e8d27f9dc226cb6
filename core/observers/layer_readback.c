/* core/observers/layer_readback.c — task.debug = "layers", the step the
 * pipeline runs after the batches (nr_layer_readback, pipeline.h):
 * each debug sample runs once per output of every layer on the device as a
 * one-sample batch asking for that output (plugin ABI 1.2 layer capture,
 * 1.3 the output index; a 1.2 plugin reads first outputs only), compared
 * with the host reference interpreter on the prepared model by
 * reference/layer_debug.c. */
#include <stdio.h>
#include <string.h>

#include "host.h"
#include "neurio/dataprep.h"
#include "pipeline.h"

#define PIPE_MAX_IO NEURIO_DATAPREP_MAX_INPUTS

typedef struct rb_ctx {
    const nr_readback_io *io;
    nr_run *run;
} rb_ctx;

/* Layer readback: sample s capturing output `output` of `layer` into buf. */
static int pipe_capture(void *user, size_t s, int32_t layer, int32_t output, void *buf,
                        uint32_t bytes, neurio_errbuf *err)
{
    const rb_ctx *c = user;
    const nr_readback_io *io = c->io;
    nr_run *run = c->run;
    const neurio_plugin *d = io->plugin;
    const void *in_ptr[PIPE_MAX_IO] = { 0 };
    void *out_ptr[PIPE_MAX_IO] = { 0 };
    neurio_measure meas;
    if (nr_cancel_requested())
        return neurio_fail(err, NEURIO_ERR_CANCELLED, "layer readback %s at sample %zu",
                           nr_cancel_reason(), s);
    if (output > 0 && d->abi_minor < 3)
        return neurio_fail(err, NR_LAYER_NOT_READ, "plugin %s is built for ABI %u.%u, which "
                           "reads back the first output of a layer only (1.3 reads any)",
                           d->name, (unsigned)d->abi_major, (unsigned)d->abi_minor);
    if (run->n_inputs > PIPE_MAX_IO || run->n_outputs > PIPE_MAX_IO)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "layer readback: more than %d inputs "
                           "or outputs", PIPE_MAX_IO);
    for (uint32_t k = 0; k < run->n_inputs; k++)
        in_ptr[k] = (const char *)io->inputs[k] + s * io->input_bytes[k];
    for (uint32_t k = 0; k < run->n_outputs; k++)
        out_ptr[k] = (char *)io->outputs[k] + s * io->output_bytes[k];
    neurio_batch b = {
        .first = (uint32_t)s, .count = 1, .n_inputs = run->n_inputs,
        .n_outputs = run->n_outputs, .inputs = in_ptr, .outputs = (void *const *)out_ptr,
        .measures = &meas, .size = (uint32_t)sizeof(neurio_batch),
        .capture_layer = layer, .capture_cap = bytes, .capture_buf = buf,
        .capture_output = (uint32_t)output,
    };
    nr_ctx_clear_error(io->ctx);
    int rc = d->transfer(io->self, &b);
    if (!rc)
        rc = d->infer(io->self, &b);
    if (!rc && b.capture_bytes != bytes) {
        nr_host()->set_error(io->ctx, "infer gave %u bytes of the layer's output, %u expected "
                                     "(a plugin without ABI 1.2 layer capture?)",
                             b.capture_bytes, bytes);
        rc = NEURIO_ERR_UNSUPPORTED;
    }
    if (rc) {
        const char *why = nr_ctx_error(io->ctx);
        /* an output after the first the device cannot read back (a firmware
         * with the first-output hook, an output the graph does not keep):
         * that row stays "not read back" */
        if (output > 0 && rc == NEURIO_ERR_UNSUPPORTED)
            return neurio_fail(err, NR_LAYER_NOT_READ, "[%s] %s", d->name,
                               why ? why : "the plugin gave no reason");
        return neurio_fail(err, rc, "layer readback, sample %zu, layer %d output %d: [%s] %s",
                           s, (int)layer, (int)output, d->name,
                           why ? why : "the plugin gave no reason");
    }
    if (layer + 1 == run->model->n_ops && output == 0)
        nr_host()->progress(io->ctx, "layer readback", s + 1, run->debug_samples);
    return NEURIO_OK;
}

int nr_layer_readback(const nr_readback_io *io, const nr_rig *rig, nr_run *run,
                      nr_layer_debug **rows, neurio_errbuf *err)
{
    if (rig->data_stateful)
        return neurio_fail(err, NEURIO_ERR_CONFIG, "task.debug = \"layers\" runs each sample "
                           "once per layer, so the model's state cannot carry from sample to "
                           "sample: drop data.stateful = true (or task.debug) from the rig");
    if ((int64_t)run->n_inputs != run->model->n_inputs)
        return neurio_fail(err, NEURIO_ERR_INTERNAL, "layer readback: %u inputs for a model "
                           "with %d", run->n_inputs, (int)run->model->n_inputs);
    size_t n = (size_t)rig->task_debug_samples;
    run->debug_samples = (uint32_t)(n = n < run->n_done ? n : run->n_done);
    rb_ctx c = { io, run };
    size_t n_rows = 0;
    int rc = nr_layer_debug_run(run->model, io->inputs, io->input_bytes, n, pipe_capture, &c,
                                rows, &n_rows, &run->debug_first_diff, err);
    nr_ctx_progress_done(io->ctx);
    if (rc)
        return rc;
    run->debug_layers = *rows;
    run->debug_rows = (uint32_t)n_rows;
    nr_layer_debug_print(*rows, (uint32_t)n_rows, run->debug_samples, run->debug_first_diff);
    return NEURIO_OK;
}
