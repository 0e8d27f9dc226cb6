/* tests/report/test_hostref.c — the run's host reference reads the user's
 * data batch by batch (results/reference/hostref.h): its rows, asked for in
 * batches of any size, are bit for bit what the interpreter gives on the
 * whole array converted at once (the former whole-array reading), for a
 * float model fed float data and a quantized model fed int8 data
 * (skipped when ../shared is absent).  And the one layer comparison of the
 * results library (reference/layer_debug.h) that `neurio debug` calls:
 * every output of a layer is compared, not only the first, on the host
 * (float against prepared) and in the device readback (each output read
 * back by its index). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/dataprep.h"
#include "neurio/interp.h"
#include "neurio/npy.h"
#include "neurio/optimize.h"
#include "reference/hostref.h"
#include "reference/layer_debug.h"
#include "test_util.h"

enum { N = 1000 };

static char model_f[4096], model_q[4096];

/* Rows of every sample of `path` on `model`, the whole array converted at
 * once and run sample by sample: what the host reference did before. */
static float *whole_array_rows(const char *model, const char *path)
{
    neurio_errbuf err = { { 0 } };
    neurio_model *m = NULL;
    neurio_interp *it = NULL;
    neurio_npy arr = { 0 };
    void *x = NULL, *out = NULL;
    size_t n = 0;
    float *rows = NULL;
    if (neurio_model_load(model, &m, &err) || neurio_optimize(m, &err) ||
        neurio_interp_new(m, &it, &err) || neurio_npy_read(path, &arr, &err) ||
        neurio_dataprep_input(m, 0, &arr, &x, &n, &err) || n != N)
        goto done;
    size_t xb = neurio_tensor_bytes(&m->tensors[m->inputs[0]]);
    size_t oe = neurio_tensor_elements(&m->tensors[m->outputs[0]]);
    out = calloc(1, neurio_tensor_bytes(&m->tensors[m->outputs[0]]));
    rows = calloc(N * oe, sizeof *rows);
    if (!out || !rows)
        goto done;
    for (size_t i = 0; i < N; i++) {
        const void *in[1] = { (const char *)x + i * xb };
        void *o[1] = { out };
        if (neurio_interp_run(it, in, o, &err) ||
            neurio_dataprep_dequantize(m, 0, out, 1, rows + i * oe)) {
            free(rows);
            rows = NULL;
            goto done;
        }
    }
done:
    if (!rows)
        fprintf(stderr, "whole-array reference: %s\n", err.msg);
    free(x);
    free(out);
    neurio_npy_free(&arr);
    neurio_interp_free(it);
    neurio_model_free(m);
    return rows;
}

static void check_batches(const char *imported, const char *prepared, const char *data)
{
    float *want = whole_array_rows(imported, data);
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    const size_t batches[] = { 1, 7, 256, N };
    for (size_t bi = 0; bi < sizeof batches / sizeof batches[0]; bi++) {
        neurio_errbuf err = { { 0 } };
        neurio_model *imp = NULL, *prep = NULL;
        CU_ASSERT_EQUAL_FATAL(neurio_model_load(imported, &imp, &err), 0);
        CU_ASSERT_EQUAL_FATAL(neurio_model_load(prepared, &prep, &err), 0);
        nr_hostref *h = NULL;
        const char *paths[1] = { data };
        CU_ASSERT_EQUAL_FATAL(nr_hostref_new(imp, prep, paths, 1, N, &h, &err), 0);
        CU_ASSERT_EQUAL_FATAL(nr_hostref_configure(h, 0, 0, &err), 0);
        size_t oe = nr_hostref_out_elems(h);
        for (size_t first = 0; first < N; first += batches[bi]) {
            size_t cnt = N - first < batches[bi] ? N - first : batches[bi];
            const float *r = nr_hostref_rows(h, first, cnt, &err);
            CU_ASSERT_PTR_NOT_NULL_FATAL(r);
            CU_ASSERT_EQUAL(memcmp(r, want + first * oe, cnt * oe * sizeof *r), 0);
        }
        CU_ASSERT_EQUAL(nr_hostref_runs(h), N);
        /* out of range is an error, not a read past the array */
        CU_ASSERT_PTR_NULL(nr_hostref_rows(h, N - 1, 2, &err));
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "samples 999..1001 of 1000"));
        nr_hostref_free(h);
        neurio_model_free(prep);
    }
    free(want);
}

static void test_float_data(void)
{
    const char *tmp = neurio_test_tmpdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/xf.npy", tmp);
    float x[N];
    for (int i = 0; i < N; i++)
        x[i] = (float)i * 6.28f / (float)N;
    const int64_t dims[2] = { N, 1 };
    CU_ASSERT_EQUAL_FATAL(neurio_npy_write(path, NEURIO_DT_FLOAT32, 2, dims, x, NULL), 0);
    check_batches(model_f, model_q, path);
}

static void test_int8_data(void)
{
    const char *tmp = neurio_test_tmpdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/xq.npy", tmp);
    int8_t x[N];
    for (int i = 0; i < N; i++)
        x[i] = (int8_t)(i % 256 - 128);
    const int64_t dims[2] = { N, 1 };
    CU_ASSERT_EQUAL_FATAL(neurio_npy_write(path, NEURIO_DT_INT8, 2, dims, x, NULL), 0);
    check_batches(model_q, model_q, path);
}

/* The data file is opened when the reference is built: a missing file or
 * too few samples is an error naming it. */
static void test_bad_data(void)
{
    neurio_errbuf err = { { 0 } };
    neurio_model *imp = NULL, *prep = NULL;
    CU_ASSERT_EQUAL_FATAL(neurio_model_load(model_q, &imp, &err), 0);
    CU_ASSERT_EQUAL_FATAL(neurio_model_load(model_q, &prep, &err), 0);
    nr_hostref *h = NULL;
    const char *paths[1] = { "/nonexistent/x.npy" };
    CU_ASSERT_NOT_EQUAL(nr_hostref_new(imp, prep, paths, 1, N, &h, &err), 0);
    CU_ASSERT_PTR_NULL(h);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent/x.npy"));
    char path[4096];
    snprintf(path, sizeof path, "%s/xq.npy", neurio_test_tmpdir());
    CU_ASSERT_EQUAL_FATAL(neurio_model_load(model_q, &imp, &err), 0);
    paths[0] = path;
    CU_ASSERT_EQUAL(nr_hostref_new(imp, prep, paths, 1, N + 1, &h, &err), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "holds 1000 samples, the run 1001"));
    neurio_model_free(prep);
}

/* x [2, 3] -> SPLIT (axis 1) into three [2, 1] -> PACK: the prepared run
 * gets an input that differs in column 1 only, so only SPLIT's second
 * output (and PACK, which gathers it) may differ. */
static neurio_model *split_model(void)
{
    neurio_model *m = neurio_model_new("split");
    int32_t d23[2] = { 2, 3 }, d21[2] = { 2, 1 }, d321[3] = { 3, 2, 1 }, s[3];
    int32_t x = neurio_model_add_tensor(m, "x", NEURIO_DT_FLOAT32, 2, d23);
    static const char *const names[3] = { "s0", "s1", "s2" };
    for (int i = 0; i < 3; i++)
        s[i] = neurio_model_add_tensor(m, names[i], NEURIO_DT_FLOAT32, 2, d21);
    int32_t pk = neurio_model_add_tensor(m, "pk", NEURIO_DT_FLOAT32, 3, d321);
    int32_t o = neurio_model_add_op(m, NEURIO_OP_SPLIT, 1, &x, 3, s);
    m->ops[o].attr.ext.axis = 1;
    neurio_model_add_op(m, NEURIO_OP_PACK, 3, s, 1, &pk);
    neurio_model_set_io(m, 1, &x, 1, &pk);
    return m;
}

static void test_every_output(void)
{
    neurio_model *f = split_model(), *p = split_model();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    static const float xf[6] = { 0, 1, 2, 3, 4, 5 }, xp[6] = { 0, 1.5f, 2, 3, 4, 5 };
    nr_layer_debug *rows = NULL;
    size_t n = 0;
    neurio_errbuf err = { { 0 } };
    const void *in_f[1] = { xf }, *in_p[1] = { xp };
    int rc = nr_layer_float_run(f, p, in_f, in_p, 1, &rows, &n, &err);
    if (rc)
        fprintf(stderr, "layer float run: %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL_FATAL(n, 4); /* SPLIT's three outputs, PACK's one */
    for (size_t i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(rows[i].op, 0);
        CU_ASSERT_EQUAL(rows[i].output, (int32_t)i);
        CU_ASSERT(rows[i].compared);
        CU_ASSERT_EQUAL(rows[i].elements, 2);
    }
    CU_ASSERT_STRING_EQUAL(rows[1].tensor, "s1");
    CU_ASSERT_EQUAL(rows[0].mismatches, 0);
    CU_ASSERT_EQUAL(rows[1].mismatches, 1);
    CU_ASSERT_DOUBLE_EQUAL(rows[1].max_abs, 0.5, 1e-9);
    CU_ASSERT_EQUAL(rows[2].mismatches, 0);
    CU_ASSERT(isinf(nr_layer_debug_snr_db(&rows[0])));
    CU_ASSERT(isfinite(nr_layer_debug_snr_db(&rows[1])));
    CU_ASSERT_EQUAL(rows[3].op, 1);
    CU_ASSERT_EQUAL(rows[3].mismatches, 1);
    free(rows);
    neurio_model_free(p);
    neurio_model_free(f);
}

/* The device readback's capture for the split model: a "device" that
 * gives the interpreter's values, but SPLIT's output 1 broken (its first
 * element off by one) and PACK unreadable (NR_LAYER_NOT_READ). */
typedef struct fake_dev {
    neurio_interp *it;
    const neurio_model *m;
    int calls[2][3];
} fake_dev;

static int fake_capture(void *user, size_t s, int32_t layer, int32_t output, void *buf,
                        uint32_t bytes, neurio_errbuf *err)
{
    fake_dev *d = user;
    const void *in[1] = { s ? (const void *)(const float[6]){ 6, 5, 4, 3, 2, 1 }
                            : (const void *)(const float[6]){ 0, 1, 2, 3, 4, 5 } };
    float out[6];
    void *outs[1] = { out };
    d->calls[layer][output]++;
    if (layer == 1)
        return neurio_fail(err, NR_LAYER_NOT_READ, "this device cannot read PACK");
    if (neurio_interp_run(d->it, in, outs, err))
        return NEURIO_ERR_INTERNAL;
    memcpy(buf, neurio_interp_tensor(d->it, d->m->ops[layer].outputs[output]), bytes);
    if (output == 1)
        ((float *)buf)[0] += 1.0f;
    return NEURIO_OK;
}

/* nr_layer_debug_run: one row per output of every op, each output read
 * back by its index; the broken output 1 is the first differing row, a
 * row the device cannot read stays uncompared and is asked for once. */
static void test_device_rows(void)
{
    neurio_model *m = split_model();
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    fake_dev d = { .m = m };
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(neurio_interp_new(m, &d.it, &err), 0);
    static const float x[12] = { 0, 1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1 };
    const void *inputs[1] = { x };
    size_t in_bytes[1] = { 6 * sizeof(float) };
    nr_layer_debug *rows = NULL;
    size_t n = 0;
    int32_t first = -2;
    int rc = nr_layer_debug_run(m, inputs, in_bytes, 2, fake_capture, &d, &rows, &n, &first,
                                &err);
    if (rc)
        fprintf(stderr, "layer debug run: %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL_FATAL(n, 4);
    for (int k = 0; k < 3; k++) {
        CU_ASSERT_EQUAL(rows[k].op, 0);
        CU_ASSERT_EQUAL(rows[k].output, k);
        CU_ASSERT(rows[k].compared);
        CU_ASSERT_EQUAL(rows[k].elements, 4); /* 2 samples x [2, 1] */
        CU_ASSERT_EQUAL(d.calls[0][k], 2);
    }
    CU_ASSERT_EQUAL(rows[0].mismatches, 0);
    CU_ASSERT_EQUAL(rows[1].mismatches, 2); /* element 0 of both samples */
    CU_ASSERT_EQUAL(rows[2].mismatches, 0);
    CU_ASSERT_EQUAL(first, 1);
    CU_ASSERT_FALSE(rows[3].compared);
    CU_ASSERT_EQUAL(d.calls[1][0], 1); /* not asked again after NR_LAYER_NOT_READ */
    char id[32];
    CU_ASSERT_STRING_EQUAL(nr_layer_debug_row_id(&rows[1], id), "0:1");
    CU_ASSERT_STRING_EQUAL(nr_layer_debug_row_id(&rows[3], id), "1");
    free(rows);
    neurio_interp_free(d.it);
    neurio_model_free(m);
}

int neurio_register_tests(void)
{
    CU_pSuite l = CU_add_suite("layer comparison", NULL, NULL);
    CU_add_test(l, "every output of a layer compared", test_every_output);
    CU_add_test(l, "device readback: every output of a layer by its index", test_device_rows);
    const char *sh = neurio_test_shared_dir();
    if (!sh)
        return 0; /* the host reference cases need ../shared's models */
    snprintf(model_f, sizeof model_f, "%s/models/hello_world_float.tflite", sh);
    snprintf(model_q, sizeof model_q, "%s/models/hello_world_int8.tflite", sh);
    CU_pSuite s = CU_add_suite("hostref", NULL, NULL);
    CU_add_test(s, "float model, float data, any batch size", test_float_data);
    CU_add_test(s, "quantized model, int8 data, any batch size", test_int8_data);
    CU_add_test(s, "missing data, too few samples", test_bad_data);
    return 0;
}
