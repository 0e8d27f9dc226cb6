/* tests/fuzz/fuzz_seeds.c — write the small models the unit tests build
 * (tests/tflite/tfl_builder.c) into a directory, as fuzzing seeds.
 * usage: tflite_fuzz_seeds DIR */
#include <stdio.h>
#include <stdlib.h>

#include "tfl_builder.h"

static int write_seed(const char *dir, const char *name, uint8_t *buf, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(buf, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = 0;
    free(buf);
    if (!ok) {
        fprintf(stderr, "tflite_fuzz_seeds: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: tflite_fuzz_seeds DIR\n");
        return 2;
    }
    size_t len = 0;
    int bad = 0;
    uint8_t *buf = tfl_build_fc_model(&len);
    bad |= write_seed(argv[1], "seed_fc.tflite", buf, len);
    buf = tfl_build_conv_model(&len);
    bad |= write_seed(argv[1], "seed_conv.tflite", buf, len);
    /* the large-model form (buffers by offset/size) */
    float w[4] = { 1, 2, 3, 4 };
    tspec t[3] = {
        { .name = "x", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 } },
        { .name = "w", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 }, .data = w,
          .data_len = sizeof w },
        { .name = "y", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 1 } },
    };
    ospec o[1] = { { .code = 9, .n_in = 2, .in = { 0, 1 }, .n_out = 1, .out = { 2 } } };
    int32_t gi[1] = { 0 }, go[1] = { 2 };
    tfl_build_opts ext = { .external_buffers = 1 };
    buf = tfl_build(t, 3, o, 1, gi, 1, go, 1, &ext, &len);
    bad |= write_seed(argv[1], "seed_external.tflite", buf, len);
    /* what TFLite Micro tolerates: int4 weights, a rank-1 per-channel bias
     * carrying quantized_dimension 3, an unused subgraph, metadata */
    uint8_t w4[6] = { 0x21, 0xf3, 0x7e, 0x80, 0x10, 0x32 };
    int32_t b[3] = { 1, 2, 3 };
    tspec q[4] = {
        { .name = "x", .type = TT_INT8, .rank = 2, .dims = { 1, 4 }, .n_quant = 1,
          .scale = { 0.5f } },
        { .name = "w", .type = TT_INT4, .rank = 2, .dims = { 3, 4 }, .data = w4,
          .data_len = sizeof w4, .n_quant = 3, .scale = { 0.1f, 0.2f, 0.3f } },
        { .name = "b", .type = TT_INT32, .rank = 1, .dims = { 3 }, .data = b,
          .data_len = sizeof b, .n_quant = 3, .scale = { 0.05f, 0.1f, 0.15f }, .quant_dim = 3 },
        { .name = "y", .type = TT_INT8, .rank = 2, .dims = { 1, 3 }, .n_quant = 1,
          .scale = { 0.25f } },
    };
    ospec qo[1] = { { .code = 9, .n_in = 3, .in = { 0, 1, 2 }, .n_out = 1, .out = { 3 } } };
    int32_t qgo[1] = { 3 };
    tfl_build_opts tol = { .n_subgraphs = 2, .metadata = 1 };
    buf = tfl_build(q, 4, qo, 1, gi, 1, qgo, 1, &tol, &len);
    bad |= write_seed(argv[1], "seed_tolerance.tflite", buf, len);
    return bad;
}
