/* plugins/host/host_plugin.c — the `host` device: the workstation runs the
 * generated C itself (compiled into a shared object, called through
 * libffi), measuring every inference with the monotonic clock and rdtsc. */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "host_probe.h"
#include "host_runner.h"
#include "neurio/codegen.h"
#include "neurio/model.h"
#include "neurio/optimize.h"
#include "neurio/paths.h"
#include "neurio/plugin.h"
#include "neurio/quantize.h"

typedef struct host_dev {
    neurio_ctx *ctx;
    const neurio_host *host;
    neurio_codegen_result gen;
    int generated;
    nh_module *mod;
    char so_path[4200];
    char toolchain[256];
    char board[128];
    char cpu[256];
    const neurio_batch *pending;   /* set by transfer, consumed by infer */
} host_dev;

static const neurio_option host_options[] = {
    {.name = "cc", .type = NEURIO_OPT_STRING, .default_value = "cc",
     .help = "C compiler used to build the generated model into a shared object"},
    {.name = "cflags", .type = NEURIO_OPT_STRING, .default_value = "-O2",
     .help = "compiler flags (space-separated) for the generated code and kernels"},
    {.name = "layer_cycles", .type = NEURIO_OPT_BOOL, .default_value = "true",
     .help = "time every layer with rdtsc (adds a few ns per layer)"},
    {.name = "optimize", .type = NEURIO_OPT_BOOL, .default_value = "true",
     .help = "run neurio's graph optimizer in prepare"},
    {.name = "test_fault_layer", .type = NEURIO_OPT_INT, .default_value = "-1",
     .help = "TEST-ONLY fault injection: flip the low bit of every byte of this layer's "
             "output, as a broken kernel would (-1 = none), for testing `neurio debug`"},
    {.name = "test_fault_output", .type = NEURIO_OPT_INT, .default_value = "0",
     .help = "TEST-ONLY fault injection: which output of test_fault_layer is broken "
             "(0 = the first)"},
    {.name = NULL},
};

/* The host device loads the generated model into the launcher's own
 * process.  Code built with a sanitizer needs that sanitizer's runtime to
 * be the first library of the process, which only a launcher built with
 * -DNEURIO_SANITIZE=ON has (it exports __asan_init / __ubsan_handle_*):
 * anywhere else, loading it aborts the launcher with the run half-done.
 * So refuse such flags up front, naming them, unless the runtime is here. */
static int host_check_cflags(const char *cflags, char *why, size_t cap)
{
    const char *p = cflags ? strstr(cflags, "-fsanitize=") : NULL;
    if (!p)
        return 0;
    int asan = strstr(p, "address") != NULL || strstr(p, "thread") != NULL ||
               strstr(p, "memory") != NULL || strstr(p, "leak") != NULL;
    int ubsan = strstr(p, "undefined") != NULL || strstr(p, "integer") != NULL ||
                strstr(p, "bounds") != NULL || strstr(p, "shift") != NULL;
    const char *need = asan ? "__asan_init" : ubsan ? "__ubsan_handle_add_overflow" : NULL;
    if (need && dlsym(RTLD_DEFAULT, need))
        return 0; /* the launcher itself carries the runtime */
    snprintf(why, cap,
             "host: device.cflags = \"%s\" asks for a sanitizer, but the host device "
             "runs the generated code inside the launcher, which was built without that "
             "sanitizer's runtime (loading it would abort the run); build neurio with "
             "-DNEURIO_SANITIZE=ON to check the generated code under ASan/UBSan, or drop "
             "-fsanitize from device.cflags", cflags);
    return -1;
}

static int host_open(neurio_ctx *ctx, const neurio_host *host, void **self)
{
    char why[1024];
    if (host_check_cflags(host->opt_string(ctx, "cflags"), why, sizeof why) != 0) {
        host->set_error(ctx, "%s", why);
        return NEURIO_ERR_CONFIG;
    }
    host_dev *d = calloc(1, sizeof *d);
    if (!d) {
        host->set_error(ctx, "host: out of memory");
        return NEURIO_ERR_NOMEM;
    }
    d->ctx = ctx;
    d->host = host;
    *self = d;
    return NEURIO_OK;
}

static int host_prepare(void *self, neurio_model *model, const neurio_prepare_args *args)
{
    host_dev *d = self;
    neurio_errbuf err = {{0}};
    int rc;
    if (d->host->opt_bool(d->ctx, "optimize") && (rc = neurio_optimize(model, &err))) {
        d->host->set_error(d->ctx, "%s", err.msg);
        return rc;
    }
    if (args && args->quantize && strcmp(args->quantize, "none") &&
        (rc = neurio_quantize(model, args, &err))) {
        d->host->set_error(d->ctx, "%s", err.msg);
        return rc;
    }
    return NEURIO_OK;
}

static int host_codegen(void *self, const neurio_model *model, const char *out_dir)
{
    host_dev *d = self;
    neurio_errbuf err = {{0}};
    neurio_codegen_options opts = {
        .model_sha256 = d->host->model_sha256(d->ctx),
        .stateful = neurio_host_run_stateful(d->host, d->ctx)};
    int rc = neurio_codegen(model, out_dir, &opts, &d->gen, &err);
    if (rc) {
        d->host->set_error(d->ctx, "%s", err.msg);
        return rc;
    }
    d->generated = 1;
    d->host->log(d->ctx, NEURIO_LOG_INFO,
                 "generated %s: %u layers, arena %llu bytes (%s), weights %llu bytes",
                 d->gen.source_path, d->gen.n_layers, (unsigned long long)d->gen.arena_bytes,
                 d->gen.plan_strategy, (unsigned long long)d->gen.weights_bytes);
    return NEURIO_OK;
}

static void host_cpu_name(char *out, size_t size)
{
    char line[512];
    snprintf(out, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "model name", 10)) {
            char *p = strchr(line, ':');
            if (p) {
                p += 1 + strspn(p + 1, " \t");
                p[strcspn(p, "\n")] = '\0';
                snprintf(out, size, "%s", p);
            }
            break;
        }
    }
    fclose(f);
}

static int host_flash(void *self, const neurio_model *model, const char *gen_dir,
                      neurio_device_info *info)
{
    host_dev *d = self;
    neurio_errbuf err = {{0}};
    nh_sizes sz;
    int rc;
    if (!d->generated) {
        /* codegen ran in an earlier process: take the name from the model */
        const char *sha = d->host->model_sha256(d->ctx);
        neurio_c_identifier(model->name, d->gen.name, sizeof d->gen.name);
        snprintf(d->gen.sha256, sizeof d->gen.sha256, "%s", sha ? sha : "");
    }
    nh_build_opts bo = {.cc = d->host->opt_string(d->ctx, "cc"),
                        .cflags = d->host->opt_string(d->ctx, "cflags"),
                        .layer_hook = d->host->opt_bool(d->ctx, "layer_cycles"),
                        .n_layers = (uint32_t)model->n_ops,
                        .layer_capture = neurio_host_layer_capture(d->host, d->ctx),
                        .test_fault = d->host->opt_int(d->ctx, "test_fault_layer") >= 0,
                        .test_fault_layer = (int32_t)d->host->opt_int(d->ctx, "test_fault_layer"),
                        .test_fault_output =
                            (int32_t)d->host->opt_int(d->ctx, "test_fault_output")};
    d->host->progress(d->ctx, "compiling generated model", 0, 0);
    rc = nh_build(gen_dir, d->gen.name, neurio_firmware_dir(), &bo, d->so_path,
                  sizeof d->so_path, &sz, d->toolchain, sizeof d->toolchain, &err);
    if (!rc)
        rc = nh_open(d->so_path, d->gen.name, d->gen.sha256[0] ? d->gen.sha256 : NULL,
                     &d->mod, &err);
    if (rc && d->host->cancelled(d->ctx)) {
        /* the same Ctrl-C (or SIGTERM to the group) stopped the compiler */
        d->host->set_error(d->ctx, "host: build interrupted: %s", err.msg);
        return NEURIO_ERR_CANCELLED;
    }
    if (rc) {
        d->host->set_error(d->ctx, "%s", err.msg);
        return rc;
    }
    const neurio_model_desc *desc = nh_desc(d->mod);
    if (desc->n_inputs != (uint32_t)model->n_inputs ||
        desc->n_outputs != (uint32_t)model->n_outputs) {
        d->host->set_error(d->ctx, "host: %s has %u inputs/%u outputs, the model %d/%d",
                           d->so_path, desc->n_inputs, desc->n_outputs, model->n_inputs,
                           model->n_outputs);
        return NEURIO_ERR_STALE;
    }
    struct utsname u;
    snprintf(d->board, sizeof d->board, "host");
    if (uname(&u) == 0 &&
        snprintf(d->board, sizeof d->board, "%s host (%s)", u.machine, u.nodename) < 0)
        snprintf(d->board, sizeof d->board, "host");
    host_cpu_name(d->cpu, sizeof d->cpu);
    info->board = d->board;
    info->cpu = d->cpu;
    info->firmware = d->so_path;
    info->toolchain = d->toolchain;
    info->cycle_source = nh_cycle_source();
    info->cycle_unit = "cycles";
    info->clock_hz = 0.0;
    info->max_batch = 0;
    info->flash_text = sz.text;
    info->flash_rodata = sz.rodata;
    info->flash_data = sz.data;
    info->weights_bytes = desc->weights_bytes;
    info->arena_bytes = desc->arena_bytes;
    /* The model's RAM: its statics plus one sample of every input and
     * output tensor (in the core's buffers here, but RAM the model needs on
     * any device). */
    uint64_t io = 0;
    for (uint32_t i = 0; i < desc->n_inputs; i++)
        io += desc->inputs[i].bytes;
    for (uint32_t i = 0; i < desc->n_outputs; i++)
        io += desc->outputs[i].bytes;
    info->ram_bytes = sz.data + sz.bss + io;
    d->host->log(d->ctx, NEURIO_LOG_INFO, "built %s (text %llu, rodata %llu, data %llu, bss %llu)",
                 d->so_path, (unsigned long long)sz.text, (unsigned long long)sz.rodata,
                 (unsigned long long)sz.data, (unsigned long long)sz.bss);
    return NEURIO_OK;
}

static int host_transfer(void *self, const neurio_batch *batch)
{
    host_dev *d = self;
    if (!d->mod) {
        d->host->set_error(d->ctx, "host: transfer before flash");
        return NEURIO_ERR_INVALID;
    }
    const neurio_model_desc *desc = nh_desc(d->mod);
    if (batch->n_inputs != desc->n_inputs || batch->n_outputs != desc->n_outputs) {
        d->host->set_error(d->ctx, "host: batch has %u inputs/%u outputs, model %u/%u",
                           batch->n_inputs, batch->n_outputs, desc->n_inputs, desc->n_outputs);
        return NEURIO_ERR_INVALID;
    }
    /* Shared memory: nothing to send, infer reads the core's buffers. */
    d->pending = batch;
    return NEURIO_OK;
}

#define HOST_MAX_IO 64

static int host_infer(void *self, neurio_batch *batch)
{
    host_dev *d = self;
    neurio_errbuf err = {{0}};
    const void *in[HOST_MAX_IO];
    void *out[HOST_MAX_IO];
    batch->done = 0;
    batch->layers_filled = 0;
    if (!d->mod || d->pending != batch) {
        d->host->set_error(d->ctx, "host: infer without a matching transfer");
        return NEURIO_ERR_INVALID;
    }
    const neurio_model_desc *desc = nh_desc(d->mod);
    if (desc->n_inputs > HOST_MAX_IO || desc->n_outputs > HOST_MAX_IO) {
        d->host->set_error(d->ctx, "host: more than %d inputs or outputs", HOST_MAX_IO);
        return NEURIO_ERR_UNSUPPORTED;
    }
    int want_layers = batch->layer_cycles && batch->n_layers == desc->n_layers;
    int capture = NEURIO_BATCH_HAS_CAPTURE(batch) && batch->capture_buf;
    if (capture) {
        batch->capture_bytes = 0;
        if (batch->count != 1 || !batch->capture_buf ||
            (uint32_t)batch->capture_layer >= desc->n_layers ||
            nh_capture_set(d->mod, batch->capture_layer, NEURIO_BATCH_CAPTURE_OUTPUT(batch),
                           batch->capture_buf, batch->capture_cap)) {
            d->host->set_error(d->ctx, "host: cannot capture layer %d of %u (%u samples): %s",
                               (int)batch->capture_layer, desc->n_layers, batch->count,
                               batch->count != 1 || !batch->capture_buf
                                   ? "expected one sample and a buffer"
                                   : "the model was built without the layer output hook");
            return NEURIO_ERR_UNSUPPORTED;
        }
    }
    for (uint32_t s = 0; s < batch->count; s++) {
        if (d->host->cancelled(d->ctx))
            return NEURIO_ERR_CANCELLED;
        for (uint32_t i = 0; i < desc->n_inputs; i++)
            in[i] = (const char *)batch->inputs[i] + (size_t)s * desc->inputs[i].bytes;
        for (uint32_t i = 0; i < desc->n_outputs; i++)
            out[i] = (char *)batch->outputs[i] + (size_t)s * desc->outputs[i].bytes;
        neurio_measure *m = &batch->measures[s];
        uint32_t layers = 0;
        memset(m, 0, sizeof *m);
        int rc = nh_run(d->mod, in, out, &m->host_ns, &m->cycles,
                        want_layers ? batch->layer_cycles + (size_t)s * batch->n_layers : NULL,
                        &layers, &err);
        if (rc) {
            d->host->set_error(d->ctx, "%s (sample %u)", err.msg, batch->first + s);
            return rc;
        }
        if (want_layers)
            batch->layers_filled = layers;
        batch->done = s + 1;
    }
    d->pending = NULL;
    if (capture) {
        uint32_t got = nh_capture_bytes(d->mod);
        nh_capture_set(d->mod, -1, 0, NULL, 0);
        if (got != batch->capture_cap) {
            d->host->set_error(d->ctx, "host: layer %d's output %u is %u bytes, %u expected%s",
                               (int)batch->capture_layer,
                               (unsigned)NEURIO_BATCH_CAPTURE_OUTPUT(batch), got,
                               batch->capture_cap, got ? "" : " (not kept: unused by the graph?)");
            return got ? NEURIO_ERR_STALE : NEURIO_ERR_UNSUPPORTED;
        }
        batch->capture_bytes = got;
    }
    return NEURIO_OK;
}

static void host_close(void *self)
{
    host_dev *d = self;
    if (!d)
        return;
    nh_close(d->mod);
    free(d);
}

static const neurio_plugin host_plugin = {
    NEURIO_PLUGIN_HEADER,
    .name = "host",
    .version = "1.0.0",
    .summary = "the workstation as a device: generated C compiled with cc, called via libffi",
    .options = host_options,
    .open = host_open,
    .prepare = host_prepare,
    .codegen = host_codegen,
    .flash = host_flash,
    .transfer = host_transfer,
    .infer = host_infer,
    .close = host_close,
    .probe = host_probe, /* host_probe.c */
};

NEURIO_PLUGIN_DEFINE(host_plugin)
