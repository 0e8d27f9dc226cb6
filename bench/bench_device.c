/* bench/bench_device.c — one benchmark (not a test) for any device plugin,
 * through the real launcher: for each golden model of ../shared, write a rig
 * for the device given on the command line, `neurio run` it on the first N
 * golden inputs, and print from the run's profile.json the per-board figures
 * bench_cortexm prints — instructions (or cycles) per inference, arena,
 * flash (text/rodata/data, weights), static RAM, stack peak, per layer —
 * with the outputs checked against TFLite Micro's golden outputs (int8 bit
 * for bit, float within 1e-5 of the output range), and a summary table.
 * Used for the riscv plugin (built out of tree against an installed SDK):
 *
 *   bench_device --plugin-path build-rv/plugins --device 'plugin = "riscv";' \
 *                [--neurio <prefix>/bin/neurio] [--samples N] [model...]
 *
 * The launcher defaults to the one of this build tree.  Paths are data: the
 * launcher is started with fork/exec, never through a shell. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "neurio/npy.h"

#ifndef BENCH_NEURIO
#define BENCH_NEURIO "neurio"
#endif
#ifndef BENCH_SHARED_DIR
#define BENCH_SHARED_DIR ""
#endif

static const char *const default_models[] = {"kws_ref_model", "pretrainedResnet_quant",
                                             "ad01_int8", "hello_world_int8",
                                             "micro_speech_quantized"};

typedef struct row {
    const char *model;
    int ok;
    double insns, arena, flash, ram, stack;
    size_t exact, n;
} row;

/* `neurio run rig` with its output in log; the exit status. */
static int run_launcher(const char *neurio, const char *rig, const char *log)
{
    fflush(stdout); /* or the child's freopen flushes our buffer a second time */
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = freopen(log, "w", stdout);
        if (!f || dup2(fileno(stdout), 2) < 0)
            _exit(127);
        execl(neurio, neurio, "run", rig, (char *)NULL);
        fprintf(stderr, "cannot run %s: %s\n", neurio, strerror(errno));
        _exit(127);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static cJSON *read_json(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    FILE *m = open_memstream(&buf, &cap);
    char chunk[65536];
    size_t n;
    while (m && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, m);
    fclose(f);
    if (m)
        fclose(m);
    cJSON *j = buf ? cJSON_Parse(buf) : NULL;
    free(buf);
    return j;
}

static double num(const cJSON *o, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b)
        x = cJSON_GetObjectItemCaseSensitive(x, b);
    return cJSON_IsNumber(x) ? x->valuedouble : 0;
}

static const char *str(const cJSON *o, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, a), b);
    return cJSON_IsString(x) ? x->valuestring : "?";
}

/* Samples of pred equal to the golden ones (float: within 1e-5 of the range). */
static size_t count_exact(const neurio_npy *p, const neurio_npy *g, size_t n)
{
    if (p->dtype != g->dtype || n == 0 || p->bytes % n || g->bytes < p->bytes)
        return 0;
    size_t per = p->bytes / n, exact = 0;
    double lo = INFINITY, hi = -INFINITY;
    const float *y = g->data;
    for (size_t i = 0; p->dtype == NEURIO_DT_FLOAT32 && i < p->bytes / 4; i++)
        lo = fmin(lo, y[i]), hi = fmax(hi, y[i]);
    for (size_t s = 0; s < n; s++) {
        const uint8_t *a = (const uint8_t *)p->data + s * per, *b = (const uint8_t *)g->data + s * per;
        int same = memcmp(a, b, per) == 0;
        for (size_t i = 0; !same && p->dtype == NEURIO_DT_FLOAT32 && i < per / 4; i++) {
            same = fabs((double)((const float *)a)[i] - ((const float *)b)[i]) <=
                   1e-5 * (hi > lo ? hi - lo : 1.0);
            if (!same)
                break;
        }
        exact += same;
    }
    return exact;
}

static void print_profile(const cJSON *j, const char *model, row *r)
{
    const cJSON *dev = cJSON_GetObjectItemCaseSensitive(j, "device");
    const cJSON *meas = cJSON_GetObjectItemCaseSensitive(j, "measurements");
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(j, "layers"), *x;
    double sum = 0, mn = INFINITY, mx = 0, stack = 0, n = 0;
    cJSON_ArrayForEach(x, meas) {
        double c = num(x, "cycles", NULL);
        sum += c, n++, mn = fmin(mn, c), mx = fmax(mx, c);
        stack = fmax(stack, num(x, "stack_bytes", NULL));
    }
    const cJSON *mem = cJSON_GetObjectItemCaseSensitive(dev, "memory");
    double text = num(mem, "flash_text", NULL), ro = num(mem, "flash_rodata", NULL);
    double data = num(mem, "flash_data", NULL);
    r->insns = n ? sum / n : 0, r->arena = num(mem, "arena_bytes", NULL);
    r->flash = text + ro + data, r->ram = num(mem, "ram_bytes", NULL), r->stack = stack;
    printf("\n== %s on %s (%s), %.0f samples, %.0f layers\n", model, str(j, "device", "board"),
           str(j, "device", "cpu"), n, num(j, "model", "n_layers"));
    printf("  %s/inference : %.0f (min %.0f, max %.0f)   [%s]\n", str(j, "device", "cycle_unit"),
           r->insns, n ? mn : 0, mx, str(j, "device", "cycle_source"));
    printf("  arena bytes            : %.0f\n", r->arena);
    printf("  flash bytes            : %.0f (text %.0f, rodata %.0f, data %.0f; weights %.0f)\n",
           r->flash, text, ro, data, num(mem, "weights_bytes", NULL));
    printf("  static RAM bytes       : %.0f (data+bss incl. arena+stack region)\n", r->ram);
    printf("  stack peak bytes       : %.0f\n", stack);
    printf("  outputs                : %zu of %zu samples match the TFLite golden\n", r->exact,
           r->n);
    printf("  per layer (mean):\n    %3s %-20s %12s %6s\n", "#", "op", "count", "share");
    cJSON_ArrayForEach(x, layers) {
        double v = num(x, "mean", NULL);
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(x, "op");
        printf("    %3.0f %-20s %12.0f %5.1f%%\n", num(x, "index", NULL),
               cJSON_IsString(op) ? op->valuestring : "?", v,
               r->insns > 0 ? 100.0 * v / r->insns : 0.0);
    }
    fflush(stdout);
}

static int bench_model(const char *neurio, const char *shared, const char *work,
                       const char *plugin_path, const char *device, int samples,
                       const char *model, row *r)
{
    char rig[4096], log[4096], out[4096], path[4200], text[16384];
    snprintf(out, sizeof out, "%s/%s", work, model);
    snprintf(rig, sizeof rig, "%s/%s.cfg", work, model);
    snprintf(log, sizeof log, "%s/%s.log", work, model);
    int len = snprintf(text, sizeof text,
                       "%s%s%s"
                       "device = { %s };\n"
                       "model = { path = \"%s/models/%s.tflite\"; quantize = \"none\"; };\n"
                       "data = { inputs = \"%s/golden/%s/input.npy\"; batch_size = 64; "
                       "limit = %d; };\n"
                       "task = { kind = \"none\"; };\n"
                       "output = { dir = \"%s\"; predictions = \"pred.npy\"; store = \"none\"; };\n",
                       plugin_path ? "plugin_path = [ \"" : "", plugin_path ? plugin_path : "",
                       plugin_path ? "\" ];\n" : "", device, shared, model, shared, model,
                       samples, out);
    FILE *f = fopen(rig, "w");
    if (len < 0 || (size_t)len >= sizeof text || !f || fputs(text, f) < 0 || fclose(f) != 0) {
        printf("\n== %s: FAILED: cannot write %s\n", model, rig);
        return 1;
    }
    int rc = run_launcher(neurio, rig, log);
    if (rc != 0) {
        printf("\n== %s: FAILED: neurio run exit %d (log: %s)\n", model, rc, log);
        return 1;
    }
    /* The run's directory is named after its id; find it through the log. */
    FILE *lf = fopen(log, "r");
    char line[8192], dir[4096] = "";
    while (lf && fgets(line, sizeof line, lf))
        if (sscanf(line, "profile: %4095[^\n]", dir) == 1)
            break;
    if (lf)
        fclose(lf);
    cJSON *j = dir[0] ? read_json(dir) : NULL;
    char *slash = strrchr(dir, '/');
    if (!j || !slash) {
        printf("\n== %s: FAILED: no profile.json named in %s\n", model, log);
        cJSON_Delete(j);
        return 1;
    }
    *slash = '\0';
    neurio_npy p = {0}, g = {0};
    neurio_errbuf e;
    snprintf(path, sizeof path, "%s/pred.npy", dir);
    r->n = (size_t)num(j, "runtime", "n_done");
    if (neurio_npy_read(path, &p, &e) == NEURIO_OK) {
        snprintf(path, sizeof path, "%s/golden/%s/output.npy", shared, model);
        if (neurio_npy_read(path, &g, &e) == NEURIO_OK)
            r->exact = count_exact(&p, &g, r->n);
    }
    print_profile(j, model, r);
    r->ok = 1;
    neurio_npy_free(&p);
    neurio_npy_free(&g);
    cJSON_Delete(j);
    return r->exact != r->n;
}

int main(int argc, char **argv)
{
    const char *neurio = BENCH_NEURIO, *plugin_path = NULL, *device = NULL;
    const char *models[32];
    int n_models = 0, samples = 16;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--neurio") == 0 && i + 1 < argc)
            neurio = argv[++i];
        else if (strcmp(argv[i], "--plugin-path") == 0 && i + 1 < argc)
            plugin_path = argv[++i];
        else if (strcmp(argv[i], "--device") == 0 && i + 1 < argc)
            device = argv[++i];
        else if (strcmp(argv[i], "--samples") == 0 && i + 1 < argc)
            samples = atoi(argv[++i]);
        else if (argv[i][0] != '-' && n_models < 32)
            models[n_models++] = argv[i];
        else {
            fprintf(stderr, "usage: %s --device 'plugin = \"riscv\"; ...' [--plugin-path DIR] "
                            "[--neurio PATH] [--samples N] [model...]\n", argv[0]);
            return 2;
        }
    }
    if (!device || samples < 1 || samples > 64) {
        fprintf(stderr, "bench_device: --device is required; --samples must be 1..64\n");
        return 2;
    }
    for (size_t i = 0; n_models == 0 && i < sizeof default_models / sizeof *default_models; i++)
        models[i] = default_models[i];
    if (n_models == 0)
        n_models = (int)(sizeof default_models / sizeof *default_models);
    const char *shared = getenv("NEURIO_SHARED_DIR");
    struct stat st;
    if (!shared || !*shared)
        shared = BENCH_SHARED_DIR;
    if (stat(shared, &st) != 0) {
        fprintf(stderr, "bench_device: %s (../shared) is absent: nothing to measure\n", shared);
        return 77;
    }
    char work[] = "/tmp/neurio-bench-dev-XXXXXX";
    if (!mkdtemp(work)) {
        fprintf(stderr, "bench_device: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    printf("device benchmark: device = { %s }, launcher %s, %d samples per model\nwork dir: %s\n",
           device, neurio, samples, work);
    row rows[32] = {{0}};
    int failed = 0;
    for (int i = 0; i < n_models; i++) {
        rows[i].model = models[i];
        failed += bench_model(neurio, shared, work, plugin_path, device, samples, models[i],
                              &rows[i]);
    }
    printf("\n| model | count/inference | arena | flash | static RAM | stack peak | golden |\n"
           "|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < n_models; i++) {
        if (!rows[i].ok)
            printf("| %s | FAILED (see above) ||||||\n", rows[i].model);
        else
            printf("| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %zu/%zu |\n", rows[i].model,
                   rows[i].insns, rows[i].arena, rows[i].flash, rows[i].ram, rows[i].stack,
                   rows[i].exact, rows[i].n);
    }
    return failed ? 1 : 0;
}
