/* tests/install/oot_plugin/vendor_plugin.c — a device plugin built OUT OF
 * TREE against an installed neurio SDK (test fixture for tests/install and
 * the worked example of CONTRIBUTING.md).  It declares options, validates
 * them in open, and implements every hook the way a vendor would start:
 * prepare uses libneurio's IR, codegen writes a file, and the device-side
 * hooks say clearly that there is no hardware behind this example. */
#include <stdio.h>
#include <stdlib.h>

#include <neurio/model.h>
#include <neurio/plugin.h>

#ifndef VENDOR_NAME
#define VENDOR_NAME "vendor_example"
#endif

typedef struct vendor_dev {
    neurio_ctx *ctx;
    const neurio_host *host;
    const char *port;
    int64_t baud;
} vendor_dev;

static const neurio_option vendor_options[] = {
    { .name = "port", .type = NEURIO_OPT_STRING, .default_value = "/dev/ttyACM0",
      .help = "serial port of the board" },
    { .name = "baud", .type = NEURIO_OPT_INT, .default_value = "115200",
      .help = "serial speed" },
    { .name = NULL },
};

static int vendor_open(neurio_ctx *ctx, const neurio_host *host, void **self)
{
    vendor_dev *d = calloc(1, sizeof *d);
    if (!d) {
        host->set_error(ctx, "out of memory");
        return NEURIO_ERR_NOMEM;
    }
    d->ctx = ctx;
    d->host = host;
    d->port = host->opt_string(ctx, "port");
    d->baud = host->opt_int(ctx, "baud");
    if (d->baud <= 0) {
        host->set_error(ctx, "device.baud = %lld: must be positive", (long long)d->baud);
        free(d);
        return NEURIO_ERR_CONFIG;
    }
    host->log(ctx, NEURIO_LOG_INFO, "using %s at %lld baud", d->port, (long long)d->baud);
    *self = d;
    return NEURIO_OK;
}

static int vendor_prepare(void *self, neurio_model *model, const neurio_prepare_args *args)
{
    vendor_dev *d = self;
    (void)args;
    d->host->log(d->ctx, NEURIO_LOG_INFO, "model %s: %d ops", model->name, (int)model->n_ops);
    return NEURIO_OK;
}

static int vendor_codegen(void *self, const neurio_model *model, const char *out_dir)
{
    vendor_dev *d = self;
    char path[4096];
    snprintf(path, sizeof path, "%s/vendor_model.txt", out_dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        d->host->set_error(d->ctx, "cannot write %s", path);
        return NEURIO_ERR_IO;
    }
    fprintf(f, "%s\n", model->name);
    fclose(f);
    return NEURIO_OK;
}

static int vendor_flash(void *self, const neurio_model *model, const char *gen_dir,
                        neurio_device_info *info)
{
    vendor_dev *d = self;
    (void)model, (void)gen_dir, (void)info;
    d->host->set_error(d->ctx, "example plugin: no board behind %s; this out-of-tree "
                               "example stops before flashing", d->port);
    return NEURIO_ERR_UNSUPPORTED;
}

static int vendor_transfer(void *self, const neurio_batch *batch)
{
    vendor_dev *d = self;
    (void)batch;
    d->host->set_error(d->ctx, "example plugin: no device link");
    return NEURIO_ERR_UNSUPPORTED;
}

static int vendor_infer(void *self, neurio_batch *batch)
{
    vendor_dev *d = self;
    batch->done = 0;
    d->host->set_error(d->ctx, "example plugin: no device link");
    return NEURIO_ERR_UNSUPPORTED;
}

static void vendor_close(void *self)
{
    free(self);
}

static const neurio_plugin vendor_plugin = {
    NEURIO_PLUGIN_HEADER,
    .name = VENDOR_NAME,
    .version = "0.1",
    .summary = "out-of-tree example plugin (test fixture, no hardware)",
    .options = vendor_options,
    .open = vendor_open,
    .prepare = vendor_prepare,
    .codegen = vendor_codegen,
    .flash = vendor_flash,
    .transfer = vendor_transfer,
    .infer = vendor_infer,
    .close = vendor_close,
};

NEURIO_PLUGIN_DEFINE(vendor_plugin)
