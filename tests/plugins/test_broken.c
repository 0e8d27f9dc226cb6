/* tests/plugins/test_broken.c — deliberately broken plugins, TEST ONLY.
 * Built several times with one BROKEN_* macro each (tests/plugins/
 * CMakeLists.txt); the loader tests assert the exact refusal of each. */
#include <stddef.h>
#include <stdint.h>

#include "neurio/plugin.h"

static int b_open(neurio_ctx *ctx, const neurio_host *host, void **self)
{
    host->set_error(ctx, "test_broken: open always fails");
    (void)self;
    return NEURIO_ERR_DEVICE;
}
static int b_prepare(void *self, struct neurio_model *m, const neurio_prepare_args *a)
{
    (void)self, (void)m, (void)a;
    return NEURIO_ERR_UNSUPPORTED;
}
static int b_codegen(void *self, const struct neurio_model *m, const char *d)
{
    (void)self, (void)m, (void)d;
    return NEURIO_ERR_UNSUPPORTED;
}
static int b_flash(void *self, const struct neurio_model *m, const char *d,
                   neurio_device_info *i)
{
    (void)self, (void)m, (void)d, (void)i;
    return NEURIO_ERR_UNSUPPORTED;
}
static int b_transfer(void *self, const neurio_batch *b)
{
    (void)self, (void)b;
    return NEURIO_ERR_UNSUPPORTED;
}
__attribute__((unused)) static int b_infer(void *self, neurio_batch *b)
{
    (void)self, (void)b;
    return NEURIO_ERR_UNSUPPORTED;
}
static void b_close(void *self)
{
    (void)self;
}

#ifndef BROKEN_NAME
#define BROKEN_NAME "test_broken"
#endif

#define BROKEN_HOOKS                                                          \
    .open = b_open, .prepare = b_prepare, .codegen = b_codegen,               \
    .flash = b_flash, .transfer = b_transfer, .close = b_close

#if defined(BROKEN_BAD_DEFAULT)
static const neurio_option b_options[] = {
    { .name = "baud", .type = NEURIO_OPT_INT, .default_value = "fast", .help = "bad default" },
    { .name = NULL },
};
#define BROKEN_OPTIONS .options = b_options,
#elif defined(BROKEN_REQUIRED)
static const neurio_option b_options[] = {
    { .name = "port", .type = NEURIO_OPT_STRING, .default_value = NULL,
      .help = "serial port of the board" },
    { .name = NULL },
};
#define BROKEN_OPTIONS .options = b_options,
#else
#define BROKEN_OPTIONS
#endif

#if defined(BROKEN_OVERSIZED)
/* A descriptor from a "future" SDK: 64 bytes more than this core knows. */
static const struct {
    neurio_plugin p;
    char future[64];
} b_big = { .p = { .abi_major = NEURIO_ABI_MAJOR, .abi_minor = NEURIO_ABI_MINOR,
                   .size = (uint32_t)sizeof(neurio_plugin) + 64, .name = BROKEN_NAME,
                   .version = "0", BROKEN_HOOKS, .infer = b_infer } };
NEURIO_PLUGIN_EXPORT const neurio_plugin *neurio_plugin_init(const neurio_host *host);
const neurio_plugin *neurio_plugin_init(const neurio_host *host)
{
    (void)host;
    return &b_big.p;
}
#elif defined(BROKEN_NO_ENTRY)
/* Exports a symbol, but not the entry point. */
NEURIO_PLUGIN_EXPORT int neurio_plugin_init_typo(void);
int neurio_plugin_init_typo(void)
{
    return 0;
}
static const neurio_plugin b_desc = { NEURIO_PLUGIN_HEADER, .name = BROKEN_NAME,
                                      BROKEN_HOOKS, .infer = b_infer };
const void *b_keep = &b_desc;
#elif defined(BROKEN_NULL)
/* hooks exist but the entry point returns no descriptor */
static const neurio_plugin b_unused = { NEURIO_PLUGIN_HEADER, .name = BROKEN_NAME,
                                        BROKEN_HOOKS, .infer = b_infer };
const void *b_keep = &b_unused;
NEURIO_PLUGIN_EXPORT const neurio_plugin *neurio_plugin_init(const neurio_host *host);
const neurio_plugin *neurio_plugin_init(const neurio_host *host)
{
    (void)host;
    return NULL;
}
#else
static const neurio_plugin b_desc = {
#if defined(BROKEN_MAJOR)
    .abi_major = NEURIO_ABI_MAJOR + 1, .abi_minor = 0,
    .size = (uint32_t)sizeof(neurio_plugin),
#elif defined(BROKEN_MINOR)
    .abi_major = NEURIO_ABI_MAJOR, .abi_minor = NEURIO_ABI_MINOR + 1,
    .size = (uint32_t)sizeof(neurio_plugin),
#elif defined(BROKEN_UNDERSIZED)
    .abi_major = NEURIO_ABI_MAJOR, .abi_minor = 0, .size = 16,
#else
    NEURIO_PLUGIN_HEADER,
#endif
#if !defined(BROKEN_NO_NAME)
    .name = BROKEN_NAME,
#endif
    .version = "0-test",
    .summary = "TEST ONLY: deliberately broken",
    BROKEN_OPTIONS
    BROKEN_HOOKS,
#if !defined(BROKEN_NO_INFER)
    .infer = b_infer,
#endif
};
NEURIO_PLUGIN_DEFINE(b_desc)
#endif
