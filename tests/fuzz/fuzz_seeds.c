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
    return bad;
}
