/* tests/cortexm/cm_e2e_util.c — see cm_e2e_util.h. */
#include "cm_e2e_util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test_util.h"

void cm_e2e_require_tools(void)
{
    struct stat st;
    const char *neurio = neurio_test_path(NEURIO_BINARY_DIR, "core/neurio");
    if (stat(neurio, &st) != 0)
        neurio_test_skip("launcher %s not built", neurio);
    if (neurio_test_run("arm-none-eabi-gcc --version && qemu-system-arm --version", NULL) != 0)
        neurio_test_skip("arm-none-eabi-gcc or qemu-system-arm missing "
                         "(Debian gcc-arm-none-eabi, qemu-system-arm)");
}

const char *cm_e2e_outdir(const char *name)
{
    static char bufs[4][1024];
    static int next;
    char *b = bufs[next++ & 3];
    snprintf(b, sizeof bufs[0], "%s/%s-runs", neurio_test_tmpdir(), name);
    return b;
}

int cm_e2e_run(const char *name, const char *rig_text, const char *args, char **log)
{
    char rig[1024], cmd[4096];
    snprintf(rig, sizeof rig, "%s/%s.cfg", neurio_test_tmpdir(), name);
    if (neurio_test_write_file(rig, rig_text, strlen(rig_text)) != 0)
        return -1;
    snprintf(cmd, sizeof cmd, "'%s' run '%s' %s",
             neurio_test_path(NEURIO_BINARY_DIR, "core/neurio"), rig, args ? args : "");
    char *out = NULL;
    int rc = neurio_test_run(cmd, &out);
    if (rc != 0)
        fprintf(stderr, "\n[%s] exit %d:\n%s\n", name, rc, out ? out : "");
    if (log)
        *log = out;
    else
        free(out);
    return rc;
}

const char *cm_e2e_rig(const char *name, const char *device, const char *model,
                       const char *data)
{
    static char buf[8192];
    int n = snprintf(buf, sizeof buf,
                     "device = { plugin = \"cortex-m\"; %s };\n"
                     "model = { path = \"%s\"; quantize = \"none\"; };\n"
                     "data = { %s };\n"
                     "task = { kind = \"none\"; };\n"
                     "output = { dir = \"%s\"; predictions = \"pred.npy\"; store = \"none\"; };\n",
                     device, model, data, cm_e2e_outdir(name));
    CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof buf); /* a rig cut short tests something else */
    return buf;
}

int cm_e2e_run_pred(const char *name, const char *rig_text, neurio_npy *pred)
{
    char *log = NULL;
    int rc = cm_e2e_run(name, rig_text, "", &log);
    free(log); /* cm_e2e_run printed it when the run failed */
    if (rc)
        return -1;
    return cm_e2e_read_pred(cm_e2e_outdir(name), "pred.npy", pred);
}

int cm_e2e_read_pred(const char *outdir, const char *file, neurio_npy *a)
{
    char path[4096];
    if (neurio_test_run_file(outdir, file, path, sizeof path) != 0)
        return -1;
    neurio_errbuf e;
    int rc = neurio_npy_read(path, a, &e) == NEURIO_OK ? 0 : -1;
    if (rc)
        fprintf(stderr, "%s\n", e.msg);
    return rc;
}

int cm_e2e_count_qemu(const char *needle)
{
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        char path[300], buf[8192];
        snprintf(path, sizeof path, "/proc/%s/cmdline", de->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        for (size_t i = 0; i < len; i++)
            if (buf[i] == '\0')
                buf[i] = ' ';
        buf[len] = '\0';
        if (strstr(buf, "qemu-system-arm") && strstr(buf, needle))
            n++;
    }
    closedir(d);
    return n;
}

const char *cm_e2e_golden(const char *model)
{
    static char buf[2048];
    const char *shared = neurio_test_shared_dir();
    if (!shared)
        return NULL;
    snprintf(buf, sizeof buf, "%s/golden/%s", shared, model);
    struct stat st;
    return stat(buf, &st) == 0 ? buf : NULL;
}

const char *const cm_e2e_golden_models[] = {
    "hello_world_int8", "hello_world_float", "micro_speech_quantized", "ad01_int8",
    "ad01_fp32", "kws_ref_model", "pretrainedResnet_quant", "pretrainedResnet", NULL,
};

static void (*golden_run)(const char *model);
static size_t golden_next;

/* CUnit runs a suite's tests in the order they were added: the n-th call
 * is the n-th model. */
static void golden_case(void)
{
    const char *m = cm_e2e_golden_models[golden_next];
    if (m)
        golden_next++;
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    golden_run(m);
}

int cm_e2e_add_golden_suite(const char *name, void (*run)(const char *model))
{
    CU_pSuite s = CU_add_suite(name, NULL, NULL);
    if (!s)
        return -1;
    golden_run = run;
    golden_next = 0;
    for (size_t i = 0; cm_e2e_golden_models[i]; i++)
        CU_add_test(s, cm_e2e_golden_models[i], golden_case);
    return CU_get_error() == CUE_SUCCESS ? 0 : -1;
}
