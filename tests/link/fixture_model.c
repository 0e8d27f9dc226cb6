/* tests/link/fixture_model.c — see fixture_model.h. */
#include "fixture_model.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

unsigned fixture_hang_at;
unsigned fixture_slow_ms;
static unsigned fixture_runs;

static void maybe_hang(void)
{
    if (fixture_hang_at && ++fixture_runs >= fixture_hang_at) {
        for (;;)
            pause();
    }
    if (fixture_slow_ms) { /* a slow but healthy inference */
        struct timespec ts = {fixture_slow_ms / 1000u, (long)(fixture_slow_ms % 1000u) * 1000000L};
        while (nanosleep(&ts, &ts) != 0) {
        }
    }
}

static int small_run(const void *const *in, void *const *out)
{
    if (!in || !out || !in[0] || !in[1] || !out[0] || !out[1])
        return NEURIO_RUN_ERR_ARG;
    maybe_hang();
    const int8_t *a = in[0];
    float f[2];
    memcpy(f, in[1], sizeof f);
    NEURIO_LAYER_HOOK(0);
    int8_t *o = out[0];
    for (int j = 0; j < 4; j++) {
        int v = a[2 * j] + a[2 * j + 1] + 1;
        o[j] = (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v);
    }
    NEURIO_LAYER_OUTPUT_K(0, 0, o, 4);
    NEURIO_LAYER_OUTPUT_K(0, 1, f, sizeof f);
    NEURIO_LAYER_HOOK(1);
    float p = f[0] * f[1];
    memcpy(out[1], &p, sizeof p);
    NEURIO_LAYER_OUTPUT_K(1, 0, out[1], sizeof p);
    NEURIO_LAYER_HOOK(2);
    return NEURIO_RUN_OK;
}

static const neurio_tensor_desc small_in[2] = {
    {.name = "a", .dtype = NEURIO_DESC_DT_INT8, .rank = 2, .dims = {1, 8}, .bytes = 8,
     .scale = 0.5f, .zero_point = -3},
    {.name = "b", .dtype = NEURIO_DESC_DT_FLOAT32, .rank = 2, .dims = {1, 2}, .bytes = 8},
};
static const neurio_tensor_desc small_out[2] = {
    {.name = "s", .dtype = NEURIO_DESC_DT_INT8, .rank = 2, .dims = {1, 4}, .bytes = 4,
     .scale = 0.25f, .zero_point = 1},
    {.name = "p", .dtype = NEURIO_DESC_DT_FLOAT32, .rank = 2, .dims = {1, 1}, .bytes = 4},
};
static const char *const small_ops[2] = {"ADD", "MUL"};
static const uint64_t small_macs[2] = {4, 1};

/* A descriptor: name, identity, inputs and outputs, arena, layers, run. */
#define FIXTURE(nm, sha, ins, n_in, outs, n_out, arena, ops, macs, n_l, fn)                    \
    {.version = NEURIO_MODEL_DESC_VERSION, .name = nm, .sha256 = sha, .n_inputs = n_in,          \
     .n_outputs = n_out, .inputs = ins, .outputs = outs, .arena_bytes = arena,                  \
     .weights_bytes = 0, .n_layers = n_l, .layer_ops = ops, .layer_macs = macs, .run = fn}

const neurio_model_desc fixture_small_desc =
    FIXTURE("fixture_small", "5a11f1c7ee5a11f1c7ee5a11f1c7ee5a11f1c7ee5a11f1c7ee5a11f1c7ee0001",
            small_in, 2, small_out, 2, 64, small_ops, small_macs, 2, small_run);

/* wide and mid: n int8 outputs, out[i] = in[i % 300] ^ (i / 300) ^ mix. */
static int tile_run(const void *const *in, void *const *out, int n, int mix)
{
    if (!in || !out || !in[0] || !out[0])
        return NEURIO_RUN_ERR_ARG;
    maybe_hang();
    const int8_t *a = in[0];
    int8_t *o = out[0];
    NEURIO_LAYER_HOOK(0);
    for (int i = 0; i < n; i++)
        o[i] = (int8_t)(a[i % 300] ^ (i / 300) ^ mix);
    NEURIO_LAYER_HOOK(1);
    return NEURIO_RUN_OK;
}

static int wide_run(const void *const *in, void *const *out)
{
    return tile_run(in, out, 1500, 0);
}

static int mid_run(const void *const *in, void *const *out)
{
    return tile_run(in, out, 640, 0x5A);
}

static const neurio_tensor_desc wide_in[1] = {
    {.name = "x", .dtype = NEURIO_DESC_DT_INT8, .rank = 2, .dims = {1, 300}, .bytes = 300},
};
static const neurio_tensor_desc wide_out[1] = {
    {.name = "y", .dtype = NEURIO_DESC_DT_INT8, .rank = 2, .dims = {1, 1500}, .bytes = 1500},
};
static const neurio_tensor_desc mid_out[1] = {
    {.name = "y", .dtype = NEURIO_DESC_DT_INT8, .rank = 2, .dims = {1, 640}, .bytes = 640},
};
static const char *const wide_ops[1] = {"TILE"};
static const uint64_t wide_macs[1] = {0};

const neurio_model_desc fixture_wide_desc =
    FIXTURE("fixture_wide", "91de000000000000000000000000000000000000000000000000000000000000",
            wide_in, 1, wide_out, 1, 0, wide_ops, wide_macs, 1, wide_run);
const neurio_model_desc fixture_mid_desc =
    FIXTURE("fixture_mid", "3d1d000000000000000000000000000000000000000000000000000000000000",
            wide_in, 1, mid_out, 1, 0, wide_ops, wide_macs, 1, mid_run);

const neurio_model_desc *fixture_model(const char *name)
{
    if (!strcmp(name, "small"))
        return &fixture_small_desc;
    if (!strcmp(name, "wide"))
        return &fixture_wide_desc;
    if (!strcmp(name, "mid"))
        return &fixture_mid_desc;
    return NULL;
}
