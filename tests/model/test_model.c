/* tests/model/test_model.c — the graph IR (neurio/model.h): construction,
 * compact, clone, hash, MACs, validator messages and the loader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/model.h"
#include "test_util.h"
#include "tfl_builder.h"

/* A float conv net: x[1,8,8,3] -conv(4x3x3x3, s2 same)-> c[1,4,4,4]
 * -relu-> r -fc(10x64)-> y[1,10]. */
static neurio_model *small_net(void)
{
    neurio_model *m = neurio_model_new("dir/3small-net.tflite");
    static float w[4 * 3 * 3 * 3], b[4], fw[10 * 64], fb[10];
    int32_t dx[4] = { 1, 8, 8, 3 }, dw[4] = { 4, 3, 3, 3 }, db[1] = { 4 },
            dc[4] = { 1, 4, 4, 4 }, dfw[2] = { 10, 64 }, dfb[1] = { 10 }, dy[2] = { 1, 10 };
    int32_t x = neurio_model_add_tensor(m, "x", NEURIO_DT_FLOAT32, 4, dx);
    int32_t tw = neurio_model_add_tensor(m, "w", NEURIO_DT_FLOAT32, 4, dw);
    int32_t tb = neurio_model_add_tensor(m, "b", NEURIO_DT_FLOAT32, 1, db);
    int32_t c = neurio_model_add_tensor(m, "c", NEURIO_DT_FLOAT32, 4, dc);
    int32_t r = neurio_model_add_tensor(m, "r", NEURIO_DT_FLOAT32, 4, dc);
    int32_t tfw = neurio_model_add_tensor(m, "fw", NEURIO_DT_FLOAT32, 2, dfw);
    int32_t tfb = neurio_model_add_tensor(m, "fb", NEURIO_DT_FLOAT32, 1, dfb);
    int32_t y = neurio_model_add_tensor(m, "y", NEURIO_DT_FLOAT32, 2, dy);
    neurio_tensor_set_data(m, tw, w, sizeof w);
    neurio_tensor_set_data(m, tb, b, sizeof b);
    neurio_tensor_set_data(m, tfw, fw, sizeof fw);
    neurio_tensor_set_data(m, tfb, fb, sizeof fb);
    int32_t ci[3] = { x, tw, tb }, ri[1] = { c }, fi[3] = { r, tfw, tfb };
    int32_t k = neurio_model_add_op(m, NEURIO_OP_CONV_2D, 3, ci, 1, &c);
    m->ops[k].attr.conv.stride_h = m->ops[k].attr.conv.stride_w = 2;
    m->ops[k].attr.conv.padding = NEURIO_PAD_SAME;
    neurio_model_add_op(m, NEURIO_OP_RELU, 1, ri, 1, &r);
    neurio_model_add_op(m, NEURIO_OP_FULLY_CONNECTED, 3, fi, 1, &y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    return m;
}

static void test_basics(void)
{
    CU_ASSERT_EQUAL(neurio_dtype_size(NEURIO_DT_INT16), 2);
    CU_ASSERT_EQUAL(neurio_dtype_size(NEURIO_DT_UNKNOWN), 0);
    CU_ASSERT_STRING_EQUAL(neurio_dtype_name(NEURIO_DT_INT8), "int8");
    CU_ASSERT_STRING_EQUAL(neurio_op_name(NEURIO_OP_DEPTHWISE_CONV_2D), "DEPTHWISE_CONV_2D");
    CU_ASSERT_STRING_EQUAL(neurio_op_name(NEURIO_OP_COUNT), "UNKNOWN");
    neurio_model *m = small_net();
    CU_ASSERT_STRING_EQUAL(m->name, "m_3small_net");
    CU_ASSERT_EQUAL(m->ops[0].attr.conv.dilation_h, 1);
    CU_ASSERT_EQUAL(m->ops[0].attr.conv.depth_multiplier, 1);
    CU_ASSERT_EQUAL(m->tensors[3].producer, 0);
    CU_ASSERT_EQUAL(m->tensors[0].producer, -1);
    int32_t cons[4];
    CU_ASSERT_EQUAL(neurio_model_consumers(m, 3, cons, 4), 1);
    CU_ASSERT_EQUAL(cons[0], 1);
    CU_ASSERT_EQUAL(neurio_tensor_bytes(&m->tensors[1]), 4 * 108);
    CU_ASSERT_EQUAL(neurio_model_add_tensor(m, "bad", NEURIO_DT_INT8, 7, cons), -1);
    neurio_errbuf e;
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_OK);
    /* conv: 64 outputs x 27; fc: 10 x 64 */
    CU_ASSERT_EQUAL(neurio_op_macs(m, &m->ops[0]), 64 * 27);
    CU_ASSERT_EQUAL(neurio_op_macs(m, &m->ops[1]), 0);
    CU_ASSERT_EQUAL(neurio_op_macs(m, &m->ops[2]), 640);
    neurio_model_free(m);
}

static void test_defaults_per_kind(void)
{
    neurio_model *m = neurio_model_new("d");
    int32_t d[2] = { 1, 4 };
    int32_t a = neurio_model_add_tensor(m, "a", NEURIO_DT_FLOAT32, 2, d);
    int32_t b = neurio_model_add_tensor(m, "b", NEURIO_DT_FLOAT32, 2, d);
    int32_t k = neurio_model_add_op(m, NEURIO_OP_FULLY_CONNECTED, 1, &a, 1, &b);
    CU_ASSERT_EQUAL(m->ops[k].attr.fc.activation, NEURIO_ACT_NONE);
    k = neurio_model_add_op(m, NEURIO_OP_SOFTMAX, 1, &a, 1, &b);
    CU_ASSERT_DOUBLE_EQUAL(m->ops[k].attr.softmax.beta, 1.0, 0);
    k = neurio_model_add_op(m, NEURIO_OP_MAX_POOL_2D, 1, &a, 1, &b);
    CU_ASSERT_EQUAL(m->ops[k].attr.pool.stride_h, 1);
    neurio_model_free(m);
}

static void test_compact_sorts_and_drops(void)
{
    neurio_model *m = neurio_model_new("c");
    int32_t d[2] = { 1, 4 };
    int32_t x = neurio_model_add_tensor(m, "x", NEURIO_DT_FLOAT32, 2, d);
    int32_t junk = neurio_model_add_tensor(m, "junk", NEURIO_DT_FLOAT32, 2, d);
    int32_t y = neurio_model_add_tensor(m, "y", NEURIO_DT_FLOAT32, 2, d);
    int32_t z = neurio_model_add_tensor(m, "z", NEURIO_DT_FLOAT32, 2, d);
    int32_t dead = neurio_model_add_tensor(m, "dead", NEURIO_DT_FLOAT32, 2, d);
    /* op 0 reads y, which op 1 produces: out of order. */
    neurio_model_add_op(m, NEURIO_OP_TANH, 1, &y, 1, &z);
    neurio_model_add_op(m, NEURIO_OP_RELU, 1, &x, 1, &y);
    int32_t k = neurio_model_add_op(m, NEURIO_OP_LOGISTIC, 1, &z, 1, &dead);
    m->ops[k].removed = 1;
    neurio_model_set_io(m, 1, &x, 1, &z);
    (void)junk;
    neurio_errbuf e;
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_EQUAL_FATAL(neurio_model_compact(m, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(m->n_ops, 2);
    CU_ASSERT_EQUAL(m->n_tensors, 3);
    CU_ASSERT_EQUAL(m->ops[0].kind, NEURIO_OP_RELU);
    CU_ASSERT_EQUAL(m->ops[1].kind, NEURIO_OP_TANH);
    CU_ASSERT_STRING_EQUAL(m->tensors[m->inputs[0]].name, "x");
    CU_ASSERT_STRING_EQUAL(m->tensors[m->outputs[0]].name, "z");
    CU_ASSERT_EQUAL(m->tensors[m->ops[1].inputs[0]].producer, 0);
    CU_ASSERT_EQUAL(m->tensors[m->outputs[0]].producer, 1);
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_OK);
    neurio_model_free(m);
}

static void test_compact_cycle(void)
{
    neurio_model *m = neurio_model_new("cyc");
    int32_t d[2] = { 1, 4 };
    int32_t x = neurio_model_add_tensor(m, "x", NEURIO_DT_FLOAT32, 2, d);
    int32_t a = neurio_model_add_tensor(m, "a", NEURIO_DT_FLOAT32, 2, d);
    int32_t b = neurio_model_add_tensor(m, "b", NEURIO_DT_FLOAT32, 2, d);
    int32_t in1[2] = { x, b }, in2[1] = { a };
    neurio_model_add_op(m, NEURIO_OP_ADD, 2, in1, 1, &a);
    neurio_model_add_op(m, NEURIO_OP_RELU, 1, in2, 1, &b);
    neurio_model_set_io(m, 1, &x, 1, &b);
    neurio_errbuf e;
    CU_ASSERT_EQUAL(neurio_model_compact(m, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "cycle"));
    CU_ASSERT_EQUAL(m->n_ops, 2); /* untouched on failure */
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "later op"));
    neurio_model_free(m);
}

static void test_clone_and_hash(void)
{
    neurio_model *m = small_net();
    neurio_model *c = neurio_model_clone(m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    uint8_t h1[32], h2[32];
    CU_ASSERT_EQUAL(neurio_model_sha256(m, h1), NEURIO_OK);
    CU_ASSERT_EQUAL(neurio_model_sha256(c, h2), NEURIO_OK);
    CU_ASSERT_EQUAL(memcmp(h1, h2, 32), 0);
    CU_ASSERT_PTR_NOT_EQUAL(c->tensors[1].data, m->tensors[1].data);
    /* Names do not matter ... */
    free(c->tensors[1].name);
    c->tensors[1].name = strdup("renamed");
    CU_ASSERT_EQUAL(neurio_model_sha256(c, h2), NEURIO_OK);
    CU_ASSERT_EQUAL(memcmp(h1, h2, 32), 0);
    /* ... constants and attributes do. */
    ((float *)c->tensors[1].data)[5] = 1.0f;
    CU_ASSERT_EQUAL(neurio_model_sha256(c, h2), NEURIO_OK);
    CU_ASSERT_NOT_EQUAL(memcmp(h1, h2, 32), 0);
    ((float *)c->tensors[1].data)[5] = 0.0f;
    c->ops[0].attr.conv.activation = NEURIO_ACT_RELU;
    CU_ASSERT_EQUAL(neurio_model_sha256(c, h2), NEURIO_OK);
    CU_ASSERT_NOT_EQUAL(memcmp(h1, h2, 32), 0);
    neurio_model_free(c);
    neurio_model_free(m);
}

static void test_validator_messages(void)
{
    neurio_errbuf e;
    neurio_model *m = small_net();
    m->tensors[3].dims[1] = 5; /* conv output H wrong */
    m->tensors[4].dims[1] = 5;
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "op 0 (CONV_2D)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "5x4"));
    neurio_model_free(m);

    m = small_net();
    m->tensors[1].dtype = NEURIO_DT_INT16; /* weights int16 in a float conv */
    m->tensors[1].data_bytes = 2 * 108;
    CU_ASSERT_NOT_EQUAL(neurio_model_validate(m, &e), NEURIO_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "'w'"));
    neurio_model_free(m);

    m = small_net();
    m->tensors[4].dtype = NEURIO_DT_INT8; /* int8 activation without quant */
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "without quantization"));
    neurio_model_free(m);

    m = small_net();
    float s[3] = { 1, 1, 1 };
    int32_t z[3] = { 0, 0, 0 };
    neurio_tensor_set_quant(m, 1, 3, 0, s, z); /* 3 scales for 4 channels */
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "per-channel"));
    neurio_model_free(m);

    m = small_net();
    m->ops[1].inputs[0] = 0; /* relu reads x: c becomes... still produced; now
                                make fc read a tensor nobody produces */
    int32_t d[4] = { 1, 4, 4, 4 };
    int32_t ghost = neurio_model_add_tensor(m, "ghost", NEURIO_DT_FLOAT32, 4, d);
    m->ops[2].inputs[0] = ghost;
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_ERR_INVALID);
    neurio_model_free(m);

    m = small_net();
    int32_t d2[4] = { 1, 4, 4, 4 };
    int32_t ghost2 = neurio_model_add_tensor(m, "ghost", NEURIO_DT_FLOAT32, 4, d2);
    m->ops[2].inputs[0] = ghost2;
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "dangling"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "'ghost'"));
    neurio_model_free(m);

    m = small_net();
    m->n_outputs = 0;
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "outputs"));
    neurio_model_free(m);
}

/* One-op graph x -> OP -> y with the given shapes (float32 unless noted). */
static neurio_model *one_op(neurio_op_kind kind, int32_t xr, const int32_t *xd, int32_t yr,
                            const int32_t *yd)
{
    neurio_model *m = neurio_model_new("one");
    int32_t x = neurio_model_add_tensor(m, "x", NEURIO_DT_FLOAT32, xr, xd);
    int32_t y = neurio_model_add_tensor(m, "y", NEURIO_DT_FLOAT32, yr, yd);
    neurio_model_add_op(m, kind, 1, &x, 1, &y);
    neurio_model_set_io(m, 1, &x, 1, &y);
    return m;
}

static int check(neurio_model *m, const char *want)
{
    neurio_errbuf e;
    int rc = neurio_model_validate(m, &e);
    int ok = want ? (rc != NEURIO_OK && strstr(e.msg, want) != NULL) : rc == NEURIO_OK;
    if (!ok)
        fprintf(stderr, "validate: rc %d '%s' (wanted %s)\n", rc, rc ? e.msg : "",
                want ? want : "ok");
    neurio_model_free(m);
    return ok;
}

static void test_validator_other_ops(void)
{
    int32_t a[4] = { 1, 4, 4, 2 }, b[4] = { 1, 2, 4, 4 }, c[2] = { 1, 2 }, d[2] = { 4, 2 };
    int32_t f[4] = { 1, 4, 2, 4 };
    /* TRANSPOSE: perm 0,2,1,3 maps [1,4,4,2] -> [1,4,4,2]; 0,3,1,2 -> [1,2,4,4] */
    neurio_model *m = one_op(NEURIO_OP_TRANSPOSE, 4, a, 4, b);
    int32_t perm[4] = { 0, 3, 1, 2 };
    memcpy(m->ops[0].attr.transpose.perm, perm, sizeof perm);
    CU_ASSERT(check(m, NULL));
    m = one_op(NEURIO_OP_TRANSPOSE, 4, a, 4, b);
    int32_t bad[4] = { 0, 3, 3, 2 };
    memcpy(m->ops[0].attr.transpose.perm, bad, sizeof bad);
    CU_ASSERT(check(m, "not a permutation"));
    /* MEAN over H, W without keep_dims: [1,4,4,2] -> [1,2] */
    m = one_op(NEURIO_OP_MEAN, 4, a, 2, c);
    m->ops[0].attr.mean.n_axes = 2;
    m->ops[0].attr.mean.axes[0] = 1;
    m->ops[0].attr.mean.axes[1] = 2;
    CU_ASSERT(check(m, NULL));
    m = one_op(NEURIO_OP_MEAN, 4, a, 2, c);
    m->ops[0].attr.mean.n_axes = 2;
    m->ops[0].attr.mean.axes[0] = 1;
    m->ops[0].attr.mean.axes[1] = 2;
    m->ops[0].attr.mean.keep_dims = 1;
    CU_ASSERT(check(m, "keep_dims 1"));
    /* Unary ops keep the shape. */
    m = one_op(NEURIO_OP_TANH, 4, a, 4, f);
    CU_ASSERT(check(m, "expected the input shape"));
    m = one_op(NEURIO_OP_SOFTMAX, 2, c, 2, c);
    m->ops[0].attr.softmax.beta = 0;
    CU_ASSERT(check(m, "beta"));
    m = one_op(NEURIO_OP_RESHAPE, 4, a, 2, d);
    CU_ASSERT(check(m, "elements"));
    /* QUANTIZE must produce a quantized tensor. */
    m = one_op(NEURIO_OP_QUANTIZE, 2, c, 2, c);
    CU_ASSERT(check(m, "quantized output"));
    m = one_op(NEURIO_OP_QUANTIZE, 2, c, 2, c);
    m->tensors[1].dtype = NEURIO_DT_INT8;
    float sc = 0.5f;
    int32_t zp = 0;
    neurio_tensor_set_quant(m, 1, 1, 0, &sc, &zp);
    CU_ASSERT(check(m, NULL));
    /* MAX_POOL 2x2 stride 2 VALID: [1,4,4,2] -> [1,2,2,2] */
    int32_t p[4] = { 1, 2, 2, 2 };
    m = one_op(NEURIO_OP_MAX_POOL_2D, 4, a, 4, p);
    m->ops[0].attr.pool = (neurio_pool_attr){ .filter_h = 2, .filter_w = 2, .stride_h = 2,
                                              .stride_w = 2, .padding = NEURIO_PAD_VALID };
    CU_ASSERT(check(m, NULL));
    m = one_op(NEURIO_OP_MAX_POOL_2D, 4, a, 4, p);
    m->ops[0].attr.pool = (neurio_pool_attr){ .filter_h = 2, .filter_w = 2, .stride_h = 1,
                                              .stride_w = 1, .padding = NEURIO_PAD_VALID };
    CU_ASSERT(check(m, "gives 3x3"));
}

static void test_validator_binary_ops(void)
{
    neurio_model *m = neurio_model_new("bin");
    int32_t a[4] = { 1, 2, 2, 3 }, b[1] = { 3 }, c[4] = { 1, 2, 2, 6 };
    int32_t x = neurio_model_add_tensor(m, "x", NEURIO_DT_FLOAT32, 4, a);
    int32_t k = neurio_model_add_tensor(m, "k", NEURIO_DT_FLOAT32, 1, b);
    int32_t y = neurio_model_add_tensor(m, "y", NEURIO_DT_FLOAT32, 4, a);
    int32_t z = neurio_model_add_tensor(m, "z", NEURIO_DT_FLOAT32, 4, c);
    float kv[3] = { 1, 2, 3 };
    neurio_tensor_set_data(m, k, kv, sizeof kv);
    int32_t in[2] = { x, k }, cat[2] = { y, x };
    neurio_model_add_op(m, NEURIO_OP_MUL, 2, in, 1, &y); /* broadcast [3] */
    int32_t ci = neurio_model_add_op(m, NEURIO_OP_CONCATENATION, 2, cat, 1, &z);
    m->ops[ci].attr.concat.axis = 3;
    neurio_model_set_io(m, 1, &x, 1, &z);
    neurio_errbuf e;
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_OK);
    m->ops[ci].attr.concat.axis = 2;
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "op 1 (CONCATENATION)"));
    m->ops[ci].attr.concat.axis = 3;
    m->tensors[k].dims[0] = 2;
    m->tensors[k].data_bytes = 8;
    CU_ASSERT_EQUAL(neurio_model_validate(m, &e), NEURIO_ERR_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "broadcast"));
    neurio_model_free(m);
}

static void test_load(void)
{
    neurio_model *m = NULL;
    neurio_errbuf e;
    CU_ASSERT_EQUAL(neurio_model_load("/nonexistent/x.tflite", &m, &e), NEURIO_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/nonexistent/x.tflite"));
    const char *dir = neurio_test_tmpdir();
    char p[4200];
    snprintf(p, sizeof p, "%s/junk.tflite", dir);
    neurio_test_write_file(p, "definitely not a model", 22);
    CU_ASSERT_EQUAL(neurio_model_load(p, &m, &e), NEURIO_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "TFL3"));
    size_t len;
    uint8_t *buf = tfl_build_fc_model(&len);
    snprintf(p, sizeof p, "%s/fc-model.tflite", dir);
    neurio_test_write_file(p, buf, len);
    free(buf);
    CU_ASSERT_EQUAL_FATAL(neurio_model_load(p, &m, &e), NEURIO_OK);
    CU_ASSERT_STRING_EQUAL(m->name, "fc_model");
    CU_ASSERT_STRING_EQUAL(m->source, p);
    neurio_model_free(m);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("model IR", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "construction, queries, MACs", test_basics);
    CU_add_test(s, "attribute defaults per kind", test_defaults_per_kind);
    CU_add_test(s, "compact sorts and drops", test_compact_sorts_and_drops);
    CU_add_test(s, "compact refuses a cycle", test_compact_cycle);
    CU_add_test(s, "clone and sha256", test_clone_and_hash);
    CU_add_test(s, "validator messages", test_validator_messages);
    CU_add_test(s, "validator: unary, pool, mean, transpose, quantize", test_validator_other_ops);
    CU_add_test(s, "validator: broadcast and concatenation", test_validator_binary_ops);
    CU_add_test(s, "neurio_model_load", test_load);
    return 0;
}
