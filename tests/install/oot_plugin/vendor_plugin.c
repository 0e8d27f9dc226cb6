/* vendor_plugin.c — the worked example of a device plugin, built OUT OF TREE
 * against an installed neurio SDK (CONTRIBUTING.md; installed with the SDK
 * in <prefix>/share/neurio/examples/oot_plugin).  Its "device" is the real
 * firmware runtime and the portable kernels compiled for this machine with
 * a native board (native_board.c) and run as a child process that talks
 * the link over a socketpair: the same steps as a real board, with `cc`
 * for the cross compiler and a process for the flashed chip.
 *
 *   prepare, codegen  NULL: the SDK's default recipe (optimize, quantize,
 *                     neurio_codegen into gen_dir)
 *   flash             cc the generated code + firmware runtime + kernels +
 *                     board, start it, attach the link (neurio_port_attach)
 *   transfer, infer   the link (neurio_link_transfer / neurio_link_infer)
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <neurio/paths.h>
#include <neurio/plugin.h>
#include <neurio/port.h>

#ifndef VENDOR_NAME
#define VENDOR_NAME "vendor_example"
#endif
#ifndef VENDOR_BOARD_DIR /* where native_board.c is (set by the build) */
#define VENDOR_BOARD_DIR "."
#endif

typedef struct vendor_dev {
    neurio_ctx *ctx;
    const neurio_host *host;
    neurio_child device;
    neurio_link *link;
    char exe[4096], log[4096];
} vendor_dev;

static const neurio_option vendor_options[] = {
    { .name = "cc", .type = NEURIO_OPT_STRING, .default_value = "cc",
      .help = "C compiler that builds the firmware for this machine" },
    { .name = "build_timeout_ms", .type = NEURIO_OPT_INT, .default_value = "300000",
      .help = "longest the firmware build may take" },
    { .name = NULL },
};

static int vendor_fail(vendor_dev *d, int rc, const neurio_errbuf *e)
{
    d->host->set_error(d->ctx, "%s", e->msg);
    return rc;
}

static int vendor_open(neurio_ctx *ctx, const neurio_host *host, void **self)
{
    vendor_dev *d = calloc(1, sizeof *d);
    if (!d) {
        host->set_error(ctx, "out of memory");
        return NEURIO_ERR_NOMEM;
    }
    d->ctx = ctx;
    d->host = host;
    snprintf(d->exe, sizeof d->exe, "%s/device", host->work_dir(ctx));
    snprintf(d->log, sizeof d->log, "%s/device.log", host->work_dir(ctx));
    *self = d;
    return NEURIO_OK;
}

/* argv of the firmware build: every .c of gen_dir, of the runtime and of
 * the portable kernels (not arm/, mve/), and the board. */
static int vendor_build(vendor_dev *d, const char *gen_dir, neurio_errbuf *e)
{
    const char *fw = neurio_firmware_dir();
    const char *const skip[] = { "arm", "mve", NULL };
    char inc[4][4200], dir[2][4096];
    neurio_path_list src = { 0 };
    snprintf(dir[0], sizeof dir[0], "%s/runtime", fw);
    snprintf(dir[1], sizeof dir[1], "%s/kernels", fw);
    int rc = neurio_list_files(gen_dir, ".c", NULL, &src, e);
    if (!rc)
        rc = neurio_list_files(dir[0], ".c", NULL, &src, e);
    if (!rc)
        rc = neurio_list_files(dir[1], ".c", skip, &src, e);
    char **argv = rc ? NULL : calloc(src.count + 16, sizeof *argv);
    if (!rc && !argv)
        rc = neurio_fail(e, NEURIO_ERR_NOMEM, "out of memory");
    if (rc) {
        neurio_path_list_free(&src);
        return rc;
    }
    size_t n = 0;
    argv[n++] = (char *)d->host->opt_string(d->ctx, "cc");
    argv[n++] = "-std=c11";
    argv[n++] = "-O2";
    argv[n++] = "-DNEURIO_LAYER_HOOK_FN=nrt_layer_hook";
    snprintf(inc[0], sizeof inc[0], "-I%s/include", fw);
    snprintf(inc[1], sizeof inc[1], "-I%s", dir[0]);
    snprintf(inc[2], sizeof inc[2], "-I%s", dir[1]);
    snprintf(inc[3], sizeof inc[3], "-I%s", gen_dir);
    for (int i = 0; i < 4; i++)
        argv[n++] = inc[i];
    argv[n++] = "-o";
    argv[n++] = d->exe;
    argv[n++] = VENDOR_BOARD_DIR "/native_board.c";
    for (size_t i = 0; i < src.count; i++)
        argv[n++] = src.paths[i];
    argv[n++] = "-lm";
    int code = 0;
    rc = neurio_proc_run(argv, d->log, (int)d->host->opt_int(d->ctx, "build_timeout_ms"),
                         &code, e);
    if (!rc && code != 0) {
        char tail[600];
        neurio_log_tail(d->log, tail, sizeof tail);
        rc = neurio_fail(e, NEURIO_ERR_TOOLCHAIN, "firmware build failed (exit %d): %s",
                         code, tail);
    }
    free(argv);
    neurio_path_list_free(&src);
    return rc;
}

static int vendor_flash(void *self, const neurio_model *model, const char *gen_dir,
                        neurio_device_info *info)
{
    vendor_dev *d = self;
    neurio_errbuf e = { { 0 } };
    int sv[2], rc = vendor_build(d, gen_dir, &e);
    if (rc)
        return vendor_fail(d, rc, &e);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        d->host->set_error(d->ctx, "socketpair failed");
        return NEURIO_ERR_IO;
    }
    fcntl(sv[0], F_SETFD, FD_CLOEXEC); /* only sv[1] goes to the device */
    char fd[16];
    snprintf(fd, sizeof fd, "%d", sv[1]);
    char *argv[] = { d->exe, "--fd", fd, NULL };
    rc = neurio_child_spawn(&d->device, argv, d->log, &e);
    close(sv[1]);
    neurio_transport *t = NULL;
    if (!rc)
        rc = neurio_transport_fd_open(sv[0], 1, "native device", &t, &e);
    else
        close(sv[0]);
    if (!rc)
        rc = neurio_port_attach(t, NULL, model, d->host->model_sha256(d->ctx), &d->link,
                                info, &e);
    if (rc)
        return vendor_fail(d, rc, &e);
    info->board = "native process";
    info->cpu = "this machine";
    info->toolchain = d->host->opt_string(d->ctx, "cc");
    return NEURIO_OK;
}

static int vendor_transfer(void *self, const neurio_batch *batch)
{
    vendor_dev *d = self;
    neurio_errbuf e = { { 0 } };
    int rc = neurio_link_transfer(d->link, batch, &e);
    return rc ? vendor_fail(d, rc, &e) : NEURIO_OK;
}

static int vendor_infer(void *self, neurio_batch *batch)
{
    vendor_dev *d = self;
    neurio_errbuf e = { { 0 } };
    int rc = neurio_link_infer(d->link, batch, &e);
    return rc ? vendor_fail(d, rc, &e) : NEURIO_OK;
}

static void vendor_close(void *self)
{
    vendor_dev *d = self;
    neurio_link_close(d->link);
    neurio_child_stop(&d->device, 1000);
    free(d);
}

static const neurio_plugin vendor_plugin = {
    NEURIO_PLUGIN_HEADER,
    .name = VENDOR_NAME,
    .version = "0.1",
    .summary = "worked example: the firmware runtime as a native process over a socketpair",
    .options = vendor_options,
    .open = vendor_open,
    .flash = vendor_flash,
    .transfer = vendor_transfer,
    .infer = vendor_infer,
    .close = vendor_close,
};
NEURIO_PLUGIN_DEFINE(vendor_plugin)
