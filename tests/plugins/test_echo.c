#define _POSIX_C_SOURCE 200809L /* kill, nanosleep, clock_gettime */
/* tests/plugins/test_echo.c — a device plugin used ONLY by neurio's tests
 * (never installed, never a real device).  Every hook works, so the
 * pipeline can be exercised end to end without hardware:
 *   - infer copies the batch's input bytes cyclically into each output and
 *     reports synthetic measures (host_ns = 1000 * (sample + 1),
 *     cycles = 100 + sample, layer l = 10 * (l + 1));
 *   - codegen writes test_echo_model.txt with the model's name, op count
 *     and the hash the core hands on (host->model_sha256);
 *   - option `fail_at` makes one hook fail with a known message, and
 *     `fail_after` makes infer fail after that many samples of the run, to
 *     test error wrapping and result keeping;
 *   - `slowdown` multiplies the synthetic host_ns, cycles and layer counts
 *     (only layer `slow_layer` when >= 0): a deliberate latency regression;
 *     `batch_ms` makes every batch take that long (polling cancellation):
 *     a run that lasts, for the farm and sweep tests; `ram_bytes` and
 *     `flash_bytes` are the memory figures it reports; `layout` names the
 *     weight layout it reports for every layer l (1000 * (l + 1) bytes,
 *     100 * (l + 1) added);
 *   - `signal_at` sends the launcher a signal mid-run, `stall_at` makes one
 *     answer never come (the plugin waits polling host->cancelled, as the
 *     link does), `late_at` flags one answer as delayed by the link. */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "neurio/model.h"
#include "neurio/plugin.h"

typedef struct echo {
    int64_t signal_at, stall_at, stall_ms, late_at, remove_at, slow_layer, batch_ms;
    int64_t ram_bytes, flash_bytes;
    double slowdown;
    const char *remove_path, *layout;
    neurio_layer_layout *layouts;
    int sig;
    neurio_ctx *ctx;
    const neurio_host *host;
    const char *fail_at;
    int64_t fail_after;
    int64_t max_batch;
    const neurio_batch *sent;
    size_t in_bytes;      /* one sample of input 0 */
    size_t out_bytes[8];  /* one sample of each output */
} echo;

static const neurio_option echo_options[] = {
    { .name = "fail_at", .type = NEURIO_OPT_STRING, .default_value = "none",
      .choices = "none|open|prepare|codegen|flash|transfer|infer",
      .help = "make this hook fail (tests)" },
    { .name = "fail_after", .type = NEURIO_OPT_INT, .default_value = "-1",
      .help = "infer fails once this many samples are done (-1 = never)" },
    { .name = "max_batch", .type = NEURIO_OPT_INT, .default_value = "0",
      .help = "device batch limit reported by flash (0 = none)" },
    { .name = "gain", .type = NEURIO_OPT_FLOAT, .default_value = "1.0",
      .help = "unused; exercises float options" },
    { .name = "verbose", .type = NEURIO_OPT_BOOL, .default_value = "false",
      .help = "log every batch" },
    { .name = "serial_dir", .type = NEURIO_OPT_PATH, .default_value = ".",
      .help = "unused; exercises path options" },
    { .name = "signal_at", .type = NEURIO_OPT_INT, .default_value = "-1",
      .help = "send `signal` to the launcher when this sample is done (-1 = never)" },
    { .name = "signal", .type = NEURIO_OPT_STRING, .default_value = "TERM",
      .choices = "INT|TERM|HUP", .help = "the signal signal_at sends" },
    { .name = "stall_at", .type = NEURIO_OPT_INT, .default_value = "-1",
      .help = "this sample's answer never comes: infer waits, polling host->cancelled, "
              "for stall_ms, then reports it late as a lost answer did (-1 = never)" },
    { .name = "stall_ms", .type = NEURIO_OPT_INT, .default_value = "30000",
      .help = "how long stall_at waits" },
    { .name = "remove_at", .type = NEURIO_OPT_INT, .default_value = "-1",
      .help = "delete the file remove_path when this sample is done (-1 = never)" },
    { .name = "remove_path", .type = NEURIO_OPT_STRING, .default_value = "",
      .help = "the file remove_at deletes (a store, to test that it is noticed)" },
    { .name = "late_at", .type = NEURIO_OPT_INT, .default_value = "-1",
      .help = "this sample's answer comes after a retransmission: flagged "
              "NEURIO_MEASURE_STALLED with host_ns 5 s (-1 = never)" },
    { .name = "slowdown", .type = NEURIO_OPT_FLOAT, .default_value = "1.0",
      .help = "multiply host_ns, cycles and layer counts (a deliberate regression)" },
    { .name = "slow_layer", .type = NEURIO_OPT_INT, .default_value = "-1",
      .help = "slowdown applies to this layer only (-1 = every layer)" },
    { .name = "batch_ms", .type = NEURIO_OPT_INT, .default_value = "0",
      .help = "each batch takes this long (ms), polling cancellation" },
    { .name = "ram_bytes", .type = NEURIO_OPT_INT, .default_value = "0",
      .help = "RAM the \"firmware\" reports (0 = none)" },
    { .name = "flash_bytes", .type = NEURIO_OPT_INT, .default_value = "0",
      .help = "flash (text) the \"firmware\" reports (0 = none)" },
    { .name = "layout", .type = NEURIO_OPT_STRING, .default_value = "",
      .help = "weight layout reported for every layer (\"\" = none)" },
    { .name = NULL },
};

static int echo_should_fail(echo *e, const char *hook)
{
    if (strcmp(e->fail_at, hook) != 0)
        return 0;
    e->host->set_error(e->ctx, "test_echo: %s failed on purpose (fail_at = \"%s\")", hook,
                       hook);
    return 1;
}

static int echo_open(neurio_ctx *ctx, const neurio_host *host, void **self)
{
    echo *e = calloc(1, sizeof *e);
    if (!e) {
        host->set_error(ctx, "out of memory");
        return NEURIO_ERR_NOMEM;
    }
    e->ctx = ctx;
    e->host = host;
    e->fail_at = host->opt_string(ctx, "fail_at");
    e->fail_after = host->opt_int(ctx, "fail_after");
    e->max_batch = host->opt_int(ctx, "max_batch");
    if (host->model_sha256(ctx)) { /* no prepared model yet */
        host->set_error(ctx, "test_echo: host->model_sha256 is set before prepare");
        free(e);
        return NEURIO_ERR_INTERNAL;
    }
    e->signal_at = host->opt_int(ctx, "signal_at");
    e->stall_at = host->opt_int(ctx, "stall_at");
    e->stall_ms = host->opt_int(ctx, "stall_ms");
    e->late_at = host->opt_int(ctx, "late_at");
    e->remove_at = host->opt_int(ctx, "remove_at");
    e->remove_path = host->opt_string(ctx, "remove_path");
    e->slowdown = host->opt_float(ctx, "slowdown");
    e->slow_layer = host->opt_int(ctx, "slow_layer");
    e->batch_ms = host->opt_int(ctx, "batch_ms");
    e->ram_bytes = host->opt_int(ctx, "ram_bytes");
    e->flash_bytes = host->opt_int(ctx, "flash_bytes");
    e->layout = host->opt_string(ctx, "layout");
    const char *sg = host->opt_string(ctx, "signal");
    e->sig = sg && !strcmp(sg, "INT") ? SIGINT : sg && !strcmp(sg, "HUP") ? SIGHUP : SIGTERM;
    if (!e->fail_at || echo_should_fail(e, "open")) {
        free(e);
        return NEURIO_ERR_DEVICE;
    }
    host->log(ctx, NEURIO_LOG_DEBUG, "opened (work dir %s)", host->work_dir(ctx));
    *self = e;
    return NEURIO_OK;
}

__attribute__((unused)) static int echo_prepare(void *self, neurio_model *model, const neurio_prepare_args *args)
{
    echo *e = self;
    (void)model;
    (void)args;
    return echo_should_fail(e, "prepare") ? NEURIO_ERR_UNSUPPORTED : NEURIO_OK;
}

__attribute__((unused)) static int echo_codegen(void *self, const neurio_model *model, const char *out_dir)
{
    echo *e = self;
    if (echo_should_fail(e, "codegen"))
        return NEURIO_ERR_TOOLCHAIN;
    char path[4096];
    snprintf(path, sizeof path, "%s/test_echo_model.txt", out_dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        e->host->set_error(e->ctx, "cannot write %s", path);
        return NEURIO_ERR_IO;
    }
#ifdef ECHO_ABI_1_0
    const char *sha = NULL; /* a 1.0 plugin knows no model_sha256 */
#else
    const char *sha = e->host->model_sha256(e->ctx); /* ABI 1.1: handed on by the core */
#endif
    fprintf(f, "model %s: %d ops\nsha256 %s\n", model->name, (int)model->n_ops,
            sha ? sha : "(none)");
    fclose(f);
    return NEURIO_OK;
}

static int echo_flash(void *self, const neurio_model *model, const char *gen_dir,
                      neurio_device_info *info)
{
    echo *e = self;
    (void)gen_dir;
    if (echo_should_fail(e, "flash"))
        return NEURIO_ERR_DEVICE;
    if (model->n_inputs < 1 || model->n_outputs > 8) {
        e->host->set_error(e->ctx, "test_echo handles 1+ inputs and up to 8 outputs");
        return NEURIO_ERR_UNSUPPORTED;
    }
    e->in_bytes = neurio_tensor_bytes(&model->tensors[model->inputs[0]]);
    for (int32_t k = 0; k < model->n_outputs; k++)
        e->out_bytes[k] = neurio_tensor_bytes(&model->tensors[model->outputs[k]]);
    info->board = "test_echo";
    info->cpu = "none";
    info->firmware = "test_echo (no firmware)";
    info->cycle_source = "synthetic (test_echo)";
    info->cycle_unit = "cycles";
    info->clock_hz = 1e6;
    info->max_batch = (uint32_t)e->max_batch;
    info->ram_bytes = (uint64_t)e->ram_bytes;
    info->flash_text = (uint64_t)e->flash_bytes;
    if (e->layout && e->layout[0] && model->n_ops > 0 &&
        info->size >= offsetof(neurio_device_info, n_layouts) + sizeof info->n_layouts) {
        free(e->layouts);
        e->layouts = calloc((size_t)model->n_ops, sizeof *e->layouts);
        if (!e->layouts)
            return NEURIO_ERR_NOMEM;
        for (int32_t l = 0; l < model->n_ops; l++)
            e->layouts[l] = (neurio_layer_layout){ .layout = e->layout,
                                                   .bytes = 1000u * (uint64_t)(l + 1),
                                                   .added_bytes = 100u * (uint64_t)(l + 1) };
        info->layouts = e->layouts;
        info->n_layouts = (uint32_t)model->n_ops;
    }
    return NEURIO_OK;
}

static int echo_transfer(void *self, const neurio_batch *batch)
{
    echo *e = self;
    if (echo_should_fail(e, "transfer"))
        return NEURIO_ERR_TIMEOUT;
    e->sent = batch;
    return NEURIO_OK;
}

static int echo_infer(void *self, neurio_batch *batch)
{
    echo *e = self;
    if (echo_should_fail(e, "infer"))
        return NEURIO_ERR_DEVICE;
    if (e->sent != batch) {
        e->host->set_error(e->ctx, "infer called without a matching transfer");
        return NEURIO_ERR_INTERNAL;
    }
    batch->done = 0;
    for (int64_t waited = 0; waited < e->batch_ms; waited += 10) {
        struct timespec nap = { .tv_sec = 0, .tv_nsec = 10000000 };
        if (e->host->cancelled(e->ctx)) {
            e->host->set_error(e->ctx, "test_echo: cancelled during batch_ms");
            return NEURIO_ERR_CANCELLED;
        }
        nanosleep(&nap, NULL);
    }
    for (uint32_t i = 0; i < batch->count; i++) {
        uint32_t sample = batch->first + i;
        if (e->fail_after >= 0 && sample >= (uint64_t)e->fail_after) {
            e->host->set_error(e->ctx, "test_echo: device stopped after %u samples", sample);
            return NEURIO_ERR_TIMEOUT;
        }
        const unsigned char *in = (const unsigned char *)batch->inputs[0] + i * e->in_bytes;
        for (uint32_t k = 0; k < batch->n_outputs; k++) {
            unsigned char *out = (unsigned char *)batch->outputs[k] + i * e->out_bytes[k];
            for (size_t j = 0; j < e->out_bytes[k]; j++)
                out[j] = e->in_bytes ? in[j % e->in_bytes] : 0;
        }
        double whole = e->slow_layer < 0 ? e->slowdown : 1.0;
        batch->measures[i].host_ns = (uint64_t)(1000.0 * (sample + 1) * whole);
        batch->measures[i].cycles = (uint64_t)((100.0 + sample) * whole);
        batch->measures[i].flags = 0;
        if ((int64_t)sample == e->late_at) {
            batch->measures[i].host_ns = 5000000000ull;
            batch->measures[i].flags = NEURIO_MEASURE_STALLED;
        }
        if ((int64_t)sample == e->stall_at) {
            /* a device that never answers; a link polls for cancellation */
            struct timespec t0, t1, nap = { .tv_sec = 0, .tv_nsec = 10000000 };
            clock_gettime(CLOCK_MONOTONIC, &t0);
            for (;;) {
                if (e->host->cancelled(e->ctx)) {
                    e->host->set_error(e->ctx, "test_echo: no answer for sample %u "
                                       "(cancelled while waiting)", sample);
                    return NEURIO_ERR_CANCELLED;
                }
                clock_gettime(CLOCK_MONOTONIC, &t1);
                int64_t ms = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 +
                             (t1.tv_nsec - t0.tv_nsec) / 1000000;
                if (ms >= e->stall_ms) {
                    batch->measures[i].host_ns = (uint64_t)ms * 1000000ull;
                    break;
                }
                nanosleep(&nap, NULL);
            }
        }
        for (uint32_t l = 0; batch->layer_cycles && l < batch->n_layers; l++)
            batch->layer_cycles[(size_t)i * batch->n_layers + l] =
                (uint64_t)(10.0 * (l + 1) *
                           (e->slow_layer < 0 || (int64_t)l == e->slow_layer ? e->slowdown
                                                                             : 1.0));
        batch->done = i + 1;
        if ((int64_t)sample == e->remove_at && e->remove_path && *e->remove_path)
            unlink(e->remove_path);
        if ((int64_t)sample == e->signal_at)
            kill(getpid(), e->sig); /* as if the user or a scheduler sent it */
    }
    batch->layers_filled = batch->n_layers;
    return NEURIO_OK;
}

static void echo_close(void *self)
{
    if (self)
        free(((echo *)self)->layouts);
    free(self);
}

#ifndef ECHO_NAME
#define ECHO_NAME "test_echo"
#endif

#ifdef ECHO_ABI_1_0
/* Built as against SDK 1.0 (tests/plugins/CMakeLists.txt: test_echo_abi10):
 * the descriptor of ABI 1.0, a real object that ends after `probe`, so a
 * loader reading past its size reads past the object (ASan would say). */
typedef struct echo_plugin_1_0 {
    uint16_t abi_major, abi_minor;
    uint32_t size;
    const char *name, *version, *summary;
    const neurio_option *options;
    int (*open)(neurio_ctx *, const neurio_host *, void **);
    int (*prepare)(void *, struct neurio_model *, const neurio_prepare_args *);
    int (*codegen)(void *, const struct neurio_model *, const char *);
    int (*flash)(void *, const struct neurio_model *, const char *, neurio_device_info *);
    int (*transfer)(void *, const neurio_batch *);
    int (*infer)(void *, neurio_batch *);
    void (*close)(void *);
    int (*probe)(neurio_ctx *, const neurio_host *, neurio_probe_fn, void *);
} echo_plugin_1_0;
static const echo_plugin_1_0 echo_plugin = {
    .abi_major = 1,
    .abi_minor = 0,
    .size = (uint32_t)sizeof(echo_plugin_1_0),
#else
static const neurio_plugin echo_plugin = {
    NEURIO_PLUGIN_HEADER,
#endif
    .name = ECHO_NAME,
    .version = "1.0-test",
    .summary = "TEST ONLY: echoes inputs into outputs, synthetic measures",
    .options = echo_options,
    .open = echo_open,
#ifndef ECHO_LEAN /* ABI 1.1: without prepare and codegen, the SDK's recipe runs */
    .prepare = echo_prepare,
    .codegen = echo_codegen,
#endif
    .flash = echo_flash,
    .transfer = echo_transfer,
    .infer = echo_infer,
    .close = echo_close,
};

#ifdef ECHO_ABI_1_0
NEURIO_PLUGIN_EXPORT const neurio_plugin *neurio_plugin_init(const neurio_host *host);
const neurio_plugin *neurio_plugin_init(const neurio_host *host)
{
    (void)host;
    return (const neurio_plugin *)(const void *)&echo_plugin;
}
#else
NEURIO_PLUGIN_DEFINE(echo_plugin)
#endif
