/* tests/riscv/rv_test_util.c — see rv_test_util.h. */
#include "rv_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/npy.h"
#include "npy_cmp.h"
#include "test_util.h"

static char prefix[2048], plugdir[2200], launcher[2200];

const char *rv_test_launcher(void) { return launcher; }
const char *rv_test_plugin_dir(void) { return plugdir; }

static int sh(const char *cmd)
{
    char *out = NULL;
    int rc = neurio_test_run(cmd, &out);
    if (rc != 0)
        fprintf(stderr, "\n$ %s\n(exit %d)\n%s\n", cmd, rc, out ? out : "");
    free(out);
    return rc;
}

int rv_test_setup(void)
{
    if (!neurio_test_shared_dir())
        neurio_test_skip("../shared (golden models) is absent");
    if (neurio_test_run("riscv64-unknown-elf-gcc -march=rv32imac -mabi=ilp32 "
                        "--specs=picolibc.specs -print-file-name=libc.a >/dev/null && "
                        "qemu-system-riscv32 --version >/dev/null", NULL) != 0)
        neurio_test_skip("riscv64-unknown-elf-gcc with picolibc or qemu-system-riscv32 missing "
                         "(Debian gcc-riscv64-unknown-elf, picolibc-riscv64-unknown-elf, "
                         "qemu-system-misc: ./scripts/install-deps)");
    const char *tmp = neurio_test_tmpdir();
    snprintf(prefix, sizeof prefix, "%s/prefix", tmp);
    snprintf(plugdir, sizeof plugdir, "%s/riscv-build/plugins", tmp);
    snprintf(launcher, sizeof launcher, "%s/bin/neurio", prefix);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cmake --install '%s' --prefix '%s' >/dev/null", NEURIO_BINARY_DIR,
             prefix);
    if (sh(cmd))
        return -1;
    /* the plugin's own project, against the installed SDK only */
    snprintf(cmd, sizeof cmd,
             "cmake -S '%s/plugins/riscv' -B '%s/riscv-build' -DCMAKE_PREFIX_PATH='%s' "
             "-DCMAKE_BUILD_TYPE=Release && cmake --build '%s/riscv-build'",
             NEURIO_SOURCE_DIR, tmp, prefix, tmp);
    return sh(cmd);
}

int rv_test_golden(const char *model, const char *device, int limit, double *maxdiff)
{
    const char *tmp = neurio_test_tmpdir(), *sd = neurio_test_shared_dir();
    char rig[2048], text[8192], cmd[8192], path[2048];
    static int run_no; /* one output dir per run: a model may run twice */
    run_no++;
    snprintf(rig, sizeof rig, "%s/%s-%d.cfg", tmp, model, run_no);
    snprintf(text, sizeof text,
             "plugin_path = [ \"%s\" ];\n"
             "device = { plugin = \"riscv\"; run_timeout_ms = 600000; %s };\n"
             "model = { path = \"%s/models/%s.tflite\"; quantize = \"none\"; };\n"
             "data = { inputs = \"%s/golden/%s/input.npy\"; batch_size = 64; limit = %d; };\n"
             "task = { kind = \"none\"; };\n"
             "output = { dir = \"%s/%s-%d-runs\"; predictions = \"pred.npy\"; };\n",
             plugdir, device, sd, model, sd, model, limit, tmp, model, run_no);
    if (neurio_test_write_file(rig, text, strlen(text)) != 0)
        return -1;
    snprintf(cmd, sizeof cmd, "'%s' run '%s'", launcher, rig);
    if (sh(cmd))
        return -1;
    char runs[2400];
    snprintf(runs, sizeof runs, "%s/%s-%d-runs", tmp, model, run_no);
    if (neurio_test_run_file(runs, "pred.npy", path, sizeof path) != 0) {
        fprintf(stderr, "\n%s: expected one %s/<run>/pred.npy\n", model, runs);
        return -1;
    }
    neurio_npy p = {0}, g = {0};
    neurio_errbuf e;
    int rc = neurio_npy_read(path, &p, &e) == NEURIO_OK ? 0 : -1;
    snprintf(path, sizeof path, "%s/golden/%s/output.npy", sd, model);
    if (!rc)
        rc = neurio_npy_read(path, &g, &e) == NEURIO_OK ? 0 : -1;
    if (rc)
        fprintf(stderr, "\n%s: %s\n", model, e.msg);
    if (!rc)
        rc = neurio_test_npy_cmp(&p, &g, neurio_test_npy_rows_bytes(&g, limit > 0 ? (size_t)limit : 0),
                                 1e-5, maxdiff);
    neurio_npy_free(&p);
    neurio_npy_free(&g);
    return rc;
}
