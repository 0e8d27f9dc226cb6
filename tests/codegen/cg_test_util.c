/* tests/codegen/cg_test_util.c — see cg_test_util.h. */
#include "cg_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "neurio/codegen.h"
#include "neurio/interp.h"
#include "test_util.h"

#define FW NEURIO_SOURCE_DIR "/firmware"

neurio_interp *cg_interp(const neurio_model *m)
{
    neurio_errbuf e = {{0}};
    int rc = neurio_model_validate(m, &e);
    if (rc)
        fprintf(stderr, "validate: %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    neurio_interp *it = NULL;
    rc = neurio_interp_new(m, &it, &e);
    if (rc)
        fprintf(stderr, "interp: %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    return it;
}

int cg_run(const char *cmd)
{
    char *out = NULL;
    int st = neurio_test_run(cmd, &out);
    if (st)
        fprintf(stderr, "%s\n%s\n", cmd, out ? out : "");
    free(out);
    return st;
}

void cg_compile_for_m4(const char *src, const char *dir, const char *const *kernels)
{
#ifdef NEURIO_ARM_GCC
    char cmd[8192];
    int o = snprintf(cmd, sizeof cmd, "%s -mcpu=cortex-m4 -mthumb -mfloat-abi=hard "
                     "-mfpu=fpv4-sp-d16 -std=c99 -Wall -Wextra -pedantic -Werror -O2 -I%s/kernels "
                     "-I%s/include -c %s -o %s/m4_model.o", NEURIO_ARM_GCC, FW, FW, src, dir);
    for (size_t k = 0; kernels[k] && o > 0; k++)
        o += snprintf(cmd + o, sizeof cmd - (size_t)o, " && %s -mcpu=cortex-m4 -mthumb "
                      "-std=c99 -Wall -Wextra -pedantic -Werror -O2 -I%s/kernels -c %s/kernels/%s "
                      "-o %s/m4_k%zu.o", NEURIO_ARM_GCC, FW, FW, kernels[k], dir, k);
    CU_ASSERT_FATAL(o > 0 && (size_t)o < sizeof cmd);
    CU_ASSERT_EQUAL(cg_run(cmd), 0);
#else
    (void)src;
    (void)dir;
    (void)kernels;
    fprintf(stderr, "arm-none-eabi-gcc not found: the Cortex-M4 compile check is skipped\n");
#endif
}

uint32_t cg_lcg(uint32_t *st)
{
    *st = *st * 1664525u + 1013904223u;
    return *st >> 8;
}

void cg_consts(neurio_model *m, int32_t w, int32_t b, int32_t n_w, int32_t n_b, int per_channel,
               uint32_t seed)
{
    int8_t *wv = malloc((size_t)n_w);
    int32_t *bv = malloc((size_t)n_b * sizeof *bv), *zero = calloc((size_t)n_b, sizeof *zero);
    float *sw = malloc((size_t)n_b * sizeof *sw), *sb = malloc((size_t)n_b * sizeof *sb);
    CU_ASSERT_FATAL(wv && bv && zero && sw && sb);
    for (int32_t i = 0; i < n_w; i++)
        wv[i] = (int8_t)((int32_t)(cg_lcg(&seed) % 255) - 127);
    for (int32_t i = 0; i < n_b; i++) {
        bv[i] = (int32_t)(cg_lcg(&seed) % 2001) - 1000;
        sw[i] = per_channel ? 0.01f + 0.001f * (float)i : 0.01f;
        sb[i] = per_channel ? 0.05f * sw[i] : 0.0005f;
    }
    neurio_tensor_set_data(m, w, wv, (size_t)n_w);
    neurio_tensor_set_data(m, b, bv, (size_t)n_b * sizeof *bv);
    const int32_t nq = per_channel ? n_b : 1;
    neurio_tensor_set_quant(m, w, nq, 0, sw, zero);
    neurio_tensor_set_quant(m, b, nq, 0, sb, zero);
    free(wv);
    free(bv);
    free(zero);
    free(sw);
    free(sb);
}

int cg_file_has(const char *path, const char *needle)
{
    char *text = neurio_test_read_file(path, NULL);
    const int found = text && strstr(text, needle) != NULL;
    free(text);
    return found;
}

const neurio_codegen_options *cg_codegen_opts;

nh_module *cg_gen_build_open(const neurio_model *m, const char *dir, const nh_build_opts *bo,
                             neurio_codegen_result *res)
{
    neurio_errbuf e = {{0}};
    char so[1200], cmd[10000];
    mkdir(dir, 0777);
    int rc = neurio_codegen(m, dir, cg_codegen_opts, res, &e);
    if (rc)
        fprintf(stderr, "codegen: %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    snprintf(cmd, sizeof cmd,
             "cc -std=c99 -Wall -Wextra -pedantic -Werror -I%s/kernels -I%s/include -c %s "
             "-o %s/pedantic.o", FW, FW, res->source_path, dir);
    CU_ASSERT_EQUAL_FATAL(cg_run(cmd), 0);
    const nh_build_opts o1 = {.cflags = "-O1"};
    rc = nh_build(dir, res->name, FW, bo ? bo : &o1, so, sizeof so, NULL, NULL, 0, &e);
    if (rc)
        fprintf(stderr, "build: %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(rc, NEURIO_OK);
    nh_module *mod = NULL;
    CU_ASSERT_EQUAL_FATAL(nh_open(so, res->name, res->sha256, &mod, &e), NEURIO_OK);
    return mod;
}

nh_module *cg_build_and_open(const neurio_model *m, const char *name)
{
    char dir[1024];
    neurio_codegen_result res;
    snprintf(dir, sizeof dir, "%s/%s", neurio_test_tmpdir(), name);
    return cg_gen_build_open(m, dir, NULL, &res);
}

/* A tensor of dtype dt with one scale/zero point (none when sc == 0). */
int32_t cg_tq(neurio_model *m, const char *nm, neurio_dtype dt, const int32_t *d4, float sc,
              int32_t zp)
{
    int32_t t = neurio_model_add_tensor(m, nm, dt, 4, d4);
    if (sc > 0)
        neurio_tensor_set_quant(m, t, 1, 0, &sc, &zp);
    return t;
}

/* Runs m (one input of in_bytes, one output of out_bytes) on the interpreter
 * and the generated code for 4 random inputs; asserts identical bytes and
 * that the output is not constant. */
void cg_compare_interp_codegen(neurio_model *m, const char *name, size_t in_bytes,
                                size_t out_bytes, neurio_dtype in_dt)
{
    neurio_errbuf e = {{0}};
    neurio_interp *it = cg_interp(m);
    nh_module *mod = cg_build_and_open(m, name);
    unsigned char *x = malloc(in_bytes), *ref = malloc(out_bytes), *got = malloc(out_bytes);
    uint32_t st = 99;
    int varied = 0;
    for (int trial = 0; trial < 4; trial++) {
        for (size_t i = 0; i < in_bytes; i += 4) {
            uint32_t r = cg_lcg(&st);
            if (in_dt == NEURIO_DT_FLOAT32) {
                float f = (float)(r % 2001) / 1000.0f - 1.0f;
                memcpy(x + i, &f, 4);
            } else {
                memcpy(x + i, &r, in_bytes - i < 4 ? in_bytes - i : 4);
            }
        }
        const void *in[1] = {x};
        void *o1[1] = {ref}, *o2[1] = {got};
        CU_ASSERT_EQUAL_FATAL(neurio_interp_run(it, in, o1, &e), NEURIO_OK);
        CU_ASSERT_EQUAL_FATAL(nh_run(mod, in, o2, NULL, NULL, NULL, NULL, &e), NEURIO_OK);
        CU_ASSERT_EQUAL(memcmp(ref, got, out_bytes), 0);
        for (size_t i = 1; i < out_bytes; i++)
            varied |= got[i] != got[0];
    }
    CU_ASSERT(varied); /* real data flowed through */
    free(x);
    free(ref);
    free(got);
    nh_close(mod);
    neurio_interp_free(it);
}

