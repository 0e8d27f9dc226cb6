/* plugins/riscv/src/rv_plugin.c — the `riscv` device plugin: a 32-bit RISC-V
 * microcontroller on QEMU's `virt` machine (rv32imac, or rv32imafc with
 * device.march), built out of tree against the installed neurio SDK only.
 * prepare/codegen: none, so the core runs the SDK's default recipe (ABI 1.1);
 * flash: riscv64-unknown-elf-gcc + picolibc build of the generated model,
 * the SDK's runtime and portable kernels and firmware/rv_board.c, QEMU under
 * -icount, the SDK's host link over its UART socket attached and checked
 * against the model by the port kit (neurio_port_attach); transfer/infer: the link; close: link closed, QEMU reaped. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "neurio/link_host.h"
#include "neurio/model.h"
#include "neurio/paths.h"
#include "neurio/plugin.h"
#include "neurio/port.h"
#include "rv.h"

#ifndef RV_INSTALLED_FIRMWARE /* where rv_board.c is: installed, else in the source tree */
#define RV_INSTALLED_FIRMWARE ""
#define RV_SOURCE_FIRMWARE ""
#endif

/* The emulated part: QEMU virt's RAM (0x80000000) split into a "flash"
 * region for code and weights and a RAM region for data, arena, stack and
 * batches, sized like a large RISC-V microcontroller. */
#define RV_FLASH_ORIGIN 0x80000000u
#define RV_RAM_ORIGIN 0x80800000u /* 8 MiB above: room for any flash_bytes */
#define RV_MAX_REGION (8u << 20)

typedef struct rv_plugin {
    neurio_ctx *ctx;
    const neurio_host *host;
    rv_qemu qemu;
    neurio_link *link;
    rv_sizes sz;
    uint64_t answers;     /* samples answered in the current infer() */
    uint32_t batch_first; /* its batch's first sample */
    char board_dir[4096], build_id[128], toolchain[160], cpu[32];
} rv_plugin;

static const neurio_option rv_options[] = {
    {"march", NEURIO_OPT_STRING, "rv32imac", "rv32imac|rv32imafc",
     "ISA: rv32imac (integer; float models in software floating point) or rv32imafc "
     "(single-precision FPU)"},
    {"clock_hz", NEURIO_OPT_INT, "100000000", NULL,
     "core clock for latency estimates (QEMU counts instructions: 1 per cycle assumed)"},
    {"flash_bytes", NEURIO_OPT_INT, "4194304", NULL, "flash for code and weights (max 8 MiB)"},
    {"ram_bytes", NEURIO_OPT_INT, "524288", NULL,
     "RAM for data+bss+arena+stack; the rest holds batches (max 8 MiB)"},
    {"stack_bytes", NEURIO_OPT_INT, "16384", NULL, "stack size"},
    {"qemu", NEURIO_OPT_STRING, "qemu-system-riscv32", NULL, "QEMU executable"},
    {"toolchain", NEURIO_OPT_STRING, "riscv64-unknown-elf-gcc", NULL,
     "cross compiler (multilib with rv32imac/ilp32 and rv32imafc/ilp32f, picolibc)"},
    {"opt_level", NEURIO_OPT_STRING, "2", "0|1|2|3|s", "firmware optimisation level (-O)"},
    {"board_dir", NEURIO_OPT_STRING, "", NULL,
     "directory holding rv_board.c (absolute); empty = the one shipped with the plugin"},
    {"boot_timeout_ms", NEURIO_OPT_INT, "10000", NULL, "wait for QEMU and the first hello"},
    {"run_timeout_ms", NEURIO_OPT_INT, "120000", NULL, "wait for one inference"},
    {NULL, 0, NULL, NULL, NULL},
};

static int rv_fail(rv_plugin *s, int rc, const neurio_errbuf *e)
{
    s->host->set_error(s->ctx, "%s", e->msg[0] ? e->msg : neurio_status_str(rc));
    return rc;
}

/* device.board_dir, else the installed board port, else the source tree's. */
static int find_board_dir(rv_plugin *s, neurio_errbuf *e)
{
    const char *opt = s->host->opt_string(s->ctx, "board_dir");
    const char *dirs[] = {opt && *opt ? opt : RV_INSTALLED_FIRMWARE, RV_SOURCE_FIRMWARE};
    char path[4200];
    struct stat st;
    for (int i = 0; i < (opt && *opt ? 1 : 2); i++)
        if (rv_fmt(path, sizeof path, "%s/rv_board.c", dirs[i]) == 0 && stat(path, &st) == 0)
            return rv_fmt(s->board_dir, sizeof s->board_dir, "%s", dirs[i]) ? NEURIO_ERR_CONFIG : 0;
    return neurio_fail(e, NEURIO_ERR_CONFIG, "riscv board port (rv_board.c) not found in %s%s%s; "
                       "set device.board_dir", dirs[0], opt && *opt ? "" : " or ",
                       opt && *opt ? "" : dirs[1]);
}

static int rv_open(neurio_ctx *ctx, const neurio_host *host, void **self)
{
    neurio_errbuf e = {{0}};
    int rc = NEURIO_OK;
    static const struct { const char *name; int64_t lo, hi; } lim[] = {
        {"flash_bytes", 1024, RV_MAX_REGION}, {"ram_bytes", 1024, RV_MAX_REGION},
        {"stack_bytes", 1024, RV_MAX_REGION}, {"clock_hz", 0, INT32_MAX},
        {"boot_timeout_ms", 0, INT32_MAX},    {"run_timeout_ms", 0, INT32_MAX}};
    for (size_t i = 0; i < sizeof lim / sizeof lim[0] && !rc; i++) {
        int64_t v = host->opt_int(ctx, lim[i].name);
        if (v < lim[i].lo || v > lim[i].hi)
            rc = neurio_fail(&e, NEURIO_ERR_CONFIG, "device.%s = %lld must be in %lld..%lld",
                             lim[i].name, (long long)v, (long long)lim[i].lo,
                             (long long)lim[i].hi);
    }
    if (!rc && host->opt_int(ctx, "stack_bytes") >= host->opt_int(ctx, "ram_bytes"))
        rc = neurio_fail(&e, NEURIO_ERR_CONFIG, "device.stack_bytes must be below ram_bytes");
    rv_plugin *s = rc ? NULL : calloc(1, sizeof *s);
    if (!rc && !s)
        rc = neurio_fail(&e, NEURIO_ERR_NOMEM, "out of memory");
    if (!rc)
        *s = (rv_plugin){.ctx = ctx, .host = host}, rc = find_board_dir(s, &e);
    if (rc) {
        host->set_error(ctx, "%s", e.msg);
        free(s);
        return rc;
    }
    *self = s;
    return NEURIO_OK;
}

static void link_log(void *user, int level, const char *msg)
{
    ((rv_plugin *)user)->host->log(((rv_plugin *)user)->ctx, level, "link: %s", msg);
}

static int link_cancelled(void *user)
{
    return ((rv_plugin *)user)->host->cancelled(((rv_plugin *)user)->ctx);
}

/* A sample's result arrived: progress, which also restarts the run's
 * stall deadline (data.stall_timeout_ms counts from the last answer, not
 * from the batch's start). */
static void link_answered(void *user)
{
    rv_plugin *s = user;
    s->answers++;
    s->host->progress(s->ctx, "inference", s->batch_first + s->answers, 0);
}

/* Build fw.elf in <work>/firmware from the generated model. */
static int build(rv_plugin *s, const char *gen_dir, char *elf, size_t cap, neurio_errbuf *e)
{
    neurio_ctx *c = s->ctx;
    const neurio_host *h = s->host;
    char out[4096];
    if (rv_fmt(out, sizeof out, "%s/firmware", h->work_dir(c)) != 0 ||
        (mkdir(out, 0755) != 0 && errno != EEXIST))
        return neurio_fail(e, NEURIO_ERR_IO, "cannot create %s: %s", out, strerror(errno));
    const char *sha = h->model_sha256(c);
    int debug = neurio_host_layer_capture(h, c);
    rv_fmt(s->build_id, sizeof s->build_id, "neurio-rv %s %.12s%s", h->opt_string(c, "march"),
           sha ? sha : "", debug ? " debug" : "");
    rv_fmt(s->toolchain, sizeof s->toolchain, "%s (picolibc)", h->opt_string(c, "toolchain"));
    rv_fmt(s->cpu, sizeof s->cpu, "%s", h->opt_string(c, "march"));
    rv_build_args a = {
        .gcc = h->opt_string(c, "toolchain"), .march = s->cpu, .board_dir = s->board_dir,
        .fw_dir = neurio_firmware_dir(), .gen_dir = gen_dir, .out_dir = out,
        .opt_level = h->opt_string(c, "opt_level"), .build_id = s->build_id,
        .flash_origin = RV_FLASH_ORIGIN, .flash_bytes = (uint32_t)h->opt_int(c, "flash_bytes"),
        .ram_origin = RV_RAM_ORIGIN, .ram_bytes = (uint32_t)h->opt_int(c, "ram_bytes"),
        .stack_bytes = (uint32_t)h->opt_int(c, "stack_bytes"),
        .clock_hz = (uint32_t)h->opt_int(c, "clock_hz"),
        .rx_timeout_ms = 10000, /* virtual ms: virtual time races while the guest polls */
        .timeout_ms = 600000, .layer_capture = debug,
    };
    h->progress(c, "building firmware", 0, 0);
    int rc = rv_build(&a, elf, cap, &s->sz, e);
    if (!rc)
        h->log(c, NEURIO_LOG_INFO, "firmware %s: text %llu, rodata %llu, data %llu, bss %llu, "
               "stack %llu bytes", elf, (unsigned long long)s->sz.text,
               (unsigned long long)s->sz.rodata, (unsigned long long)s->sz.data,
               (unsigned long long)s->sz.bss, (unsigned long long)s->sz.stack);
    return rc;
}

static int rv_flash(void *self, const neurio_model *model, const char *gen_dir,
                    neurio_device_info *info)
{
    rv_plugin *s = self;
    neurio_ctx *c = s->ctx;
    neurio_errbuf e = {{0}};
    char elf[4096];
    int rc = build(s, gen_dir, elf, sizeof elf, &e);
    if (rc)
        return rv_fail(s, rc, &e);
    /* QEMU's rv32 CPU without the extensions the image was not built for */
    const char *cpu = strcmp(s->cpu, "rv32imafc") == 0 ? "rv32,d=false" : "rv32,f=false,d=false";
    neurio_transport *t = NULL;
    s->host->progress(c, "starting QEMU", 0, 0);
    int boot_ms = (int)s->host->opt_int(c, "boot_timeout_ms");
    rc = rv_qemu_start(&s->qemu, s->host->opt_string(c, "qemu"), cpu, elf,
                       s->host->work_dir(c), boot_ms, &t, &e);
    if (rc)
        return rv_fail(s, rc, &e);
    neurio_link_options lo;
    neurio_link_options_default(&lo);
    lo.boot_timeout_ms = boot_ms, lo.timeout_ms = 3000; /* emulated UART on a loaded host */
    lo.run_timeout_ms = (int)s->host->opt_int(c, "run_timeout_ms");
    /* The emulated UART shares the host's cores with QEMU's guest: a copy
     * sent early queues behind the original on a slow wire (firmware/LINK.md). */
    lo.rto_min_us = 10000;
    lo.log = link_log;
    lo.cancelled = link_cancelled;
    lo.answered = link_answered;
    lo.user = s;
    /* the port kit: hello, model identity, tensor sizes, room for a sample */
    rc = neurio_port_attach(t, &lo, model, s->host->model_sha256(c), &s->link, info, &e);
    if (rc == NEURIO_ERR_UNSUPPORTED && strstr(e.msg, "no room for one sample"))
        neurio_fail(&e, rc, "%s (raise device.ram_bytes or lower device.stack_bytes)", e.msg);
    if (rc) {
        rv_qemu_stop(&s->qemu);
        return rv_fail(s, rc, &e);
    }
    info->board = "qemu-virt-rv32", info->cpu = s->cpu, info->toolchain = s->toolchain;
    info->cycle_unit = "instructions", info->clock_hz = (double)s->host->opt_int(c, "clock_hz");
    info->flash_text = s->sz.text, info->flash_rodata = s->sz.rodata;
    info->flash_data = s->sz.data, info->ram_bytes = s->sz.data + s->sz.bss + s->sz.stack;
    if (info->size >= offsetof(neurio_device_info, stack_region) + sizeof info->stack_region)
        /* ram_bytes by part (SDK 1.3): .data, .bss (the arena in it), the stack region */
        info->ram_data = s->sz.data, info->ram_bss = s->sz.bss, info->stack_region = s->sz.stack;
    const neurio_link_hello *h = neurio_link_info(s->link);
    s->host->log(c, NEURIO_LOG_INFO, "qemu virt %s ready: %s, max batch %u, %s", s->cpu,
                 h->build_id, h->max_batch, h->cycle_method);
    return NEURIO_OK;
}

static int rv_transfer(void *self, const neurio_batch *batch)
{
    neurio_errbuf e = {{0}};
    int rc = neurio_link_transfer(((rv_plugin *)self)->link, batch, &e);
    return rc ? rv_fail(self, rc, &e) : NEURIO_OK;
}

static int rv_infer(void *self, neurio_batch *batch)
{
    rv_plugin *s = self;
    neurio_errbuf e = {{0}};
    s->answers = 0;
    s->batch_first = batch->first;
    int rc = neurio_link_infer(s->link, batch, &e);
    if (rc && neurio_child_exited(&s->qemu.child)) {
        char tail[300];
        neurio_log_tail(s->qemu.log_path, tail, sizeof tail);
        s->host->set_error(s->ctx, "%s (QEMU exited, status %d: %s)", e.msg,
                           s->qemu.child.status, tail);
        return rc;
    }
    return rc ? rv_fail(s, rc, &e) : NEURIO_OK;
}

static void rv_close(void *self)
{
    rv_plugin *s = self;
    if (!s)
        return;
    neurio_link_close(s->link);
    rv_qemu_stop(&s->qemu);
    free(s);
}

static const neurio_plugin rv_descriptor = {
    NEURIO_PLUGIN_HEADER, .name = "riscv", .version = "0.1.0",
    .summary = "32-bit RISC-V (rv32imac / rv32imafc) on QEMU virt, out-of-tree vendor plugin",
    .options = rv_options, .open = rv_open, .flash = rv_flash, .transfer = rv_transfer,
    .infer = rv_infer, .close = rv_close, /* prepare, codegen: the SDK's default recipe */
};

NEURIO_PLUGIN_DEFINE(rv_descriptor)
