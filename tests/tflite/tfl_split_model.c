/* tests/tflite/tfl_split_model.c — see tfl_split_model.h. */
#include "tfl_split_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurio/npy.h"
#include "test_util.h"
#include "tfl_builder.h"

#define Q(s, z) .n_quant = 1, .scale = { s }, .zero_point = { z }

int tfl_write_split_model(const char *dir, int n)
{
    static const int32_t axis = 1;
    tspec t[] = {
        /* 0 */ { .name = "axis", .type = TT_INT32, .rank = 0, .data = &axis,
                  .data_len = sizeof axis },
        /* 1 */ { .name = "x", .type = TT_INT8, .rank = 2, .dims = { 1, 12 }, Q(0.05f, 0) },
        /* 2 */ { .name = "s0", .type = TT_INT8, .rank = 2, .dims = { 1, 4 }, Q(0.05f, 0) },
        /* 3 */ { .name = "s1", .type = TT_INT8, .rank = 2, .dims = { 1, 4 }, Q(0.05f, 0) },
        /* 4 */ { .name = "s2", .type = TT_INT8, .rank = 2, .dims = { 1, 4 }, Q(0.05f, 0) },
        /* 5 */ { .name = "u", .type = TT_INT8, .rank = 2, .dims = { 1, 4 }, Q(0.1f, 3) },
        /* 6 */ { .name = "y", .type = TT_INT8, .rank = 2, .dims = { 1, 4 }, Q(0.15f, -2) },
    };
    if (n < 1 || n > 64)
        return -1;
    fbn *so = fbt_table();
    fbt_i32(so, 0, 3); /* SplitOptions.num_splits */
    ospec o[3] = {
        { .code = 49, .opt_type = 35, .opt = so, .n_in = 2, .in = { 0, 1 }, .n_out = 3,
          .out = { 2, 3, 4 } },
        { .code = 0, .n_in = 2, .in = { 2, 3 }, .n_out = 1, .out = { 5 } },
        { .code = 0, .n_in = 2, .in = { 5, 4 }, .n_out = 1, .out = { 6 } },
    };
    int32_t gin[1] = { 1 }, gout[1] = { 6 };
    size_t len = 0;
    uint8_t *img = tfl_build(t, 7, o, 3, gin, 1, gout, 1, NULL, &len);
    char path[4200];
    snprintf(path, sizeof path, "%s/split.tflite", dir);
    int rc = img && neurio_test_write_file(path, img, len) == 0 ? 0 : -1;
    free(img);
    int8_t x[64 * 12];
    for (int i = 0; i < n * 12; i++)
        x[i] = (int8_t)((i * 37) % 201 - 100);
    int64_t dims[3] = { n, 1, 12 };
    neurio_errbuf err = { { 0 } };
    snprintf(path, sizeof path, "%s/x.npy", dir);
    if (!rc && neurio_npy_write(path, NEURIO_DT_INT8, 3, dims, x, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        rc = -1;
    }
    if (rc)
        fprintf(stderr, "cannot write the SPLIT model or its data into %s\n", dir);
    return rc;
}

int tfl_split_row_says(const char *out, const char *id, const char *op, const char *what)
{
    char want[64];
    snprintf(want, sizeof want, "\n  %-4s %-18s ", id, op);
    const char *r = out ? strstr(out, want) : NULL;
    const char *eol = r ? strchr(r + 1, '\n') : NULL;
    const char *w = r ? strstr(r, what) : NULL;
    return w && (!eol || w < eol);
}

int tfl_split_readback_exact(const char *out)
{
    static const char *const ids[5] = { "0", "0:1", "0:2", "1", "2" };
    static const char *const ops[5] = { "SPLIT", "SPLIT", "SPLIT", "ADD", "ADD" };
    for (int i = 0; i < 5; i++)
        if (!out || !tfl_split_row_says(out, ids[i], ops[i], " 0/8 ") ||
            !tfl_split_row_says(out, ids[i], ops[i], "exact")) {
            fprintf(stderr, "\nrow %s %s is not 0/8 exact in:\n%s\n", ids[i], ops[i],
                    out ? out : "");
            return 0;
        }
    return 1;
}
