/* bench/bench_host.c — benchmark (not a test): for each model in
 * ../shared/golden (or the golden directories given as arguments) print the
 * planned arena (ours, and ours with graph inputs/outputs in the arena as
 * TFLite Micro counts them) next to TFLite Micro's arena_used_bytes from
 * meta.json, the weights bytes of the generated code, and the host's
 * median ns and rdtsc cycles per inference (generated C built with cc -O2,
 * called through libffi, golden inputs, 5 passes).
 *
 *   bench_host [--shared DIR] [--cflags "-O2"] [--passes N] [golden_dir...] */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host_runner.h"
#include "neurio/codegen.h"
#include "neurio/dataprep.h"
#include "neurio/model.h"
#include "neurio/npy.h"
#include "neurio/planner.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* arena_used_bytes and the model path from meta.json; -1 if absent. */
static long read_meta(const char *gdir, char *model, size_t msize)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/meta.json", gdir);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    cJSON *j = cJSON_Parse(buf);
    if (!j)
        return -1;
    long arena = -1;
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "arena_used_bytes");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "model");
    if (cJSON_IsNumber(a))
        arena = (long)a->valuedouble;
    if (cJSON_IsString(m) && snprintf(model, msize, "%s/%s", gdir, m->valuestring) < 0)
        model[0] = '\0';
    cJSON_Delete(j);
    return arena;
}

static int bench_one(const char *gdir, const char *tmp, const char *cflags, int passes)
{
    char model_path[2048] = "", gen[2048], so[2300], path[2100];
    neurio_errbuf e = {{0}};
    neurio_model *m = NULL;
    neurio_codegen_result res;
    neurio_plan *io_plan = NULL;
    nh_module *mod = NULL;
    neurio_npy in = {0};
    void *x = NULL;
    char *y = NULL;
    uint64_t *ns = NULL, *cyc = NULL;
    size_t n = 0;
    int rc = 1;
    const char *base = strrchr(gdir, '/') ? strrchr(gdir, '/') + 1 : gdir;
    long tflm = read_meta(gdir, model_path, sizeof model_path);
    if (!model_path[0] || neurio_model_load(model_path, &m, &e) != NEURIO_OK) {
        fprintf(stderr, "bench: %s: cannot load model %s: %s\n", base, model_path, e.msg);
        goto done;
    }
    snprintf(gen, sizeof gen, "%s/%s", tmp, base);
    mkdir(gen, 0777);
    neurio_plan_options po = {.io_in_arena = 1};
    if (neurio_codegen(m, gen, NULL, &res, &e) != NEURIO_OK ||
        neurio_plan_model(m, &po, &io_plan, &e) != NEURIO_OK) {
        fprintf(stderr, "bench: %s: %s\n", base, e.msg);
        goto done;
    }
    nh_build_opts bo = {.cflags = cflags, .layer_hook = 0};
    if (nh_build(gen, res.name, NEURIO_SOURCE_DIR "/firmware", &bo, so, sizeof so, NULL, NULL, 0,
                 &e) != NEURIO_OK ||
        nh_open(so, res.name, res.sha256, &mod, &e) != NEURIO_OK) {
        fprintf(stderr, "bench: %s: %s\n", base, e.msg);
        goto done;
    }
    snprintf(path, sizeof path, "%s/input.npy", gdir);
    if (neurio_npy_read(path, &in, &e) != NEURIO_OK ||
        neurio_dataprep_input(m, 0, &in, &x, &n, &e) != NEURIO_OK) {
        fprintf(stderr, "bench: %s: %s\n", base, e.msg);
        goto done;
    }
    const neurio_model_desc *d = nh_desc(mod);
    size_t ib = d->inputs[0].bytes, ob = d->outputs[0].bytes;
    y = malloc(ob ? ob : 1);
    ns = malloc(n * (size_t)passes * sizeof *ns);
    cyc = malloc(n * (size_t)passes * sizeof *cyc);
    if (!y || !ns || !cyc)
        goto done;
    /* one warm-up pass, then `passes` timed passes over every input */
    for (int p = -1; p < passes; p++)
        for (size_t s = 0; s < n; s++) {
            const void *ins[1] = {(const char *)x + s * ib};
            void *outs[1] = {y};
            uint64_t t = 0, c = 0;
            if (nh_run(mod, ins, outs, &t, &c, NULL, NULL, &e) != NEURIO_OK) {
                fprintf(stderr, "bench: %s: %s\n", base, e.msg);
                goto done;
            }
            if (p >= 0) {
                ns[(size_t)p * n + s] = t;
                cyc[(size_t)p * n + s] = c;
            }
        }
    size_t tot = n * (size_t)passes;
    qsort(ns, tot, sizeof *ns, cmp_u64);
    qsort(cyc, tot, sizeof *cyc, cmp_u64);
    char tflm_s[32];
    if (tflm >= 0)
        snprintf(tflm_s, sizeof tflm_s, "%ld", tflm);
    else
        snprintf(tflm_s, sizeof tflm_s, "-");
    printf("%-24s %10llu %10zu %12zu %10s %10llu %12llu %12llu %6.1f%%\n", base,
           (unsigned long long)res.arena_bytes, io_plan->peak_live_bytes,
           io_plan->arena_bytes, tflm_s,
           (unsigned long long)res.weights_bytes, (unsigned long long)ns[tot / 2],
           (unsigned long long)cyc[tot / 2],
           tflm > 0 ? 100.0 * (double)io_plan->arena_bytes / (double)tflm : 0.0);
    rc = 0;
done:
    free(ns);
    free(cyc);
    free(y);
    free(x);
    neurio_npy_free(&in);
    nh_close(mod);
    neurio_plan_free(io_plan);
    neurio_model_free(m);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    const char *shared = NEURIO_SOURCE_DIR "/../shared", *cflags = "-O2";
    int passes = 5, first_dir = argc;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--shared") && i + 1 < argc)
            shared = argv[++i];
        else if (!strcmp(argv[i], "--cflags") && i + 1 < argc)
            cflags = argv[++i];
        else if (!strcmp(argv[i], "--passes") && i + 1 < argc)
            passes = atoi(argv[++i]) > 0 ? atoi(argv[i]) : 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: bench_host [--shared DIR] [--cflags FLAGS] [--passes N] "
                            "[golden_dir...]\n");
            return 2;
        } else {
            first_dir = i;
            break;
        }
    }
    char tmp[] = "/tmp/neurio-bench-XXXXXX";
    if (!mkdtemp(tmp)) {
        perror("bench_host: mkdtemp");
        return 1;
    }
    char *dirs[64];
    int nd = 0;
    static char golden_paths[64][2048];
    if (first_dir < argc) {
        for (int i = first_dir; i < argc && nd < 64; i++)
            dirs[nd++] = argv[i];
    } else {
        char g[2048];
        snprintf(g, sizeof g, "%s/golden", shared);
        DIR *dp = opendir(g);
        if (!dp) {
            fprintf(stderr, "bench_host: %s is absent (give golden directories as arguments)\n", g);
            return 1;
        }
        for (struct dirent *de; (de = readdir(dp)) && nd < 64;) {
            if (de->d_name[0] == '.')
                continue;
            if (snprintf(golden_paths[nd], sizeof golden_paths[nd], "%s/%s", g, de->d_name) >=
                (int)sizeof golden_paths[nd])
                continue; /* path too long */
            struct stat st;
            if (stat(golden_paths[nd], &st) == 0 && S_ISDIR(st.st_mode)) {
                dirs[nd] = golden_paths[nd];
                nd++;
            }
        }
        closedir(dp);
        qsort(dirs, (size_t)nd, sizeof dirs[0], cmp_str);
    }
    printf("host benchmark: generated C (cc %s, libffi call), golden inputs, median of %d "
           "passes;\ncycles = rdtsc (TSC reference cycles); arena = activation bytes of the "
           "static arena\n(ours: graph inputs/outputs in caller buffers; +io: counted in the "
           "arena as TFLite Micro does;\n bound+io: peak of simultaneously live bytes, a lower bound for arena+io)\n\n", cflags, passes);
    printf("%-24s %10s %10s %12s %10s %10s %12s %12s %7s\n", "model", "arena", "bound+io",
           "arena+io",
           "tflm_arena", "weights", "ns/infer", "cycles", "+io/tflm");
    int fails = 0;
    for (int i = 0; i < nd; i++)
        fails += bench_one(dirs[i], tmp, cflags, passes);
    char cmd[2200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_host: could not remove %s\n", tmp);
    return fails ? 1 : 0;
}
