/* tests/plugins/test_ctor.c — TEST ONLY: a plugin whose library constructor
 * leaves a mark (the file named by $NEURIO_TEST_CTOR_MARK), to check that
 * `neurio run`/`check` for another plugin never load it. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>

#include "neurio/model.h"
#include "neurio/plugin.h"

__attribute__((constructor)) static void ctor_mark(void)
{
    const char *p = getenv("NEURIO_TEST_CTOR_MARK");
    FILE *f = p ? fopen(p, "w") : NULL;
    if (f) {
        fputs("loaded\n", f);
        fclose(f);
    }
}

static int ctor_open(neurio_ctx *ctx, const neurio_host *host, void **self)
{
    host->set_error(ctx, "test_ctor: not a device");
    *self = NULL;
    return NEURIO_ERR_UNSUPPORTED;
}

static int ctor_nop(void *self)
{
    (void)self;
    return NEURIO_ERR_UNSUPPORTED;
}

static int ctor_prepare(void *self, neurio_model *m, const neurio_prepare_args *a)
{
    (void)m;
    (void)a;
    return ctor_nop(self);
}

static int ctor_codegen(void *self, const neurio_model *m, const char *d)
{
    (void)m;
    (void)d;
    return ctor_nop(self);
}

static int ctor_flash(void *self, const neurio_model *m, const char *d, neurio_device_info *i)
{
    (void)m;
    (void)d;
    (void)i;
    return ctor_nop(self);
}

static int ctor_transfer(void *self, const neurio_batch *b)
{
    (void)b;
    return ctor_nop(self);
}

static int ctor_infer(void *self, neurio_batch *b)
{
    (void)b;
    return ctor_nop(self);
}

static void ctor_close(void *self)
{
    (void)self;
}

static const neurio_option ctor_options[] = { { .name = NULL } };

static const neurio_plugin ctor_plugin = {
    NEURIO_PLUGIN_HEADER,
    .name = "test_ctor",
    .version = "1.0-test",
    .summary = "TEST ONLY: marks its loading",
    .options = ctor_options,
    .open = ctor_open,
    .prepare = ctor_prepare,
    .codegen = ctor_codegen,
    .flash = ctor_flash,
    .transfer = ctor_transfer,
    .infer = ctor_infer,
    .close = ctor_close,
};

NEURIO_PLUGIN_DEFINE(ctor_plugin)
