/* tests/fuzz/fuzz_pipeline.c — libFuzzer target over the whole compiler
 * pipeline (issue 19): model bytes (TFLite, or ONNX when not "TFL3") are
 * imported, their strings escaped, validated, optimized, quantized to int8
 * (float models, with calibration data made here for the input), planned
 * (and the plan checked independently: every tensor in the arena, aligned,
 * no live overlap) and generated as C into a private directory.  Every
 * stage must accept or refuse with a message, never crash, leak or break
 * the plan's invariants. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "neurio/codegen.h"
#include "neurio/model.h"
#include "neurio/npy.h"
#include "neurio/onnx.h"
#include "neurio/optimize.h"
#include "neurio/planner.h"
#include "neurio/plugin.h"
#include "neurio/quantize.h"
#include "neurio/tflite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_dir[64], fz_calib[96];

/* Calibration data for a single float32 input: 4 samples of a ramp. */
static int fz_write_calib(const neurio_model *m)
{
    if (m->n_inputs != 1)
        return -1;
    const neurio_tensor *t = &m->tensors[m->inputs[0]];
    if (t->dtype != NEURIO_DT_FLOAT32 || t->rank < 1 || t->rank > 6)
        return -1;
    int64_t dims[8] = { 4 };
    size_t per = 1;
    for (int32_t i = 0; i < t->rank; i++) {
        if (t->dims[i] < 1 || t->dims[i] > 4096)
            return -1;
        dims[i + 1] = t->dims[i];
        per *= (size_t)t->dims[i];
        if (per > 16384)
            return -1;
    }
    float *x = malloc(4 * per * sizeof *x);
    if (!x)
        return -1;
    for (size_t i = 0; i < 4 * per; i++)
        x[i] = (float)((int)(i % 17) - 8) / 8.0f;
    int rc = neurio_npy_write(fz_calib, NEURIO_DT_FLOAT32, t->rank + 1, dims, x, NULL);
    free(x);
    return rc;
}

/* Work the calibration run would do: the interpreter runs every op on 4
 * samples, so a fuzzed model with a huge layer (a valid model, just slow)
 * would turn into a libFuzzer timeout that says nothing about robustness.
 * Models above the budget skip quantization; import, validation and
 * optimization already ran on them. */
#define FZ_MAC_BUDGET 2000000u

static int fz_over_budget(const neurio_model *m)
{
    uint64_t macs = 0;
    for (int32_t i = 0; i < m->n_ops; i++) {
        macs += neurio_op_macs(m, &m->ops[i]);
        if (macs > FZ_MAC_BUDGET)
            return 1;
    }
    return 0;
}

static int fz_has_float_op(const neurio_model *m)
{
    for (int32_t i = 0; i < m->n_tensors; i++)
        if (m->tensors[i].dtype == NEURIO_DT_FLOAT32 && !m->tensors[i].data)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fz_dir[0]) {
        snprintf(fz_dir, sizeof fz_dir, "/tmp/neurio-fuzz-pipe-%ld", (long)getpid());
        mkdir(fz_dir, 0700);
        snprintf(fz_calib, sizeof fz_calib, "%s/calib.npy", fz_dir);
    }
    neurio_model *m = NULL;
    neurio_errbuf err;
    int rc = size >= 8 && !memcmp(data + 4, "TFL3", 4)
                 ? neurio_tflite_parse(data, size, "fuzz", &m, &err)
                 : neurio_onnx_parse(data, size, "fuzz", &m, &err);
    if (rc != NEURIO_OK)
        return 0;
    if (neurio_model_escape_strings(m) != NEURIO_OK ||
        neurio_model_validate(m, &err) != NEURIO_OK ||
        neurio_model_check_finite(m, &err) != NEURIO_OK ||
        neurio_optimize(m, &err) != NEURIO_OK)
        goto out;
    if (fz_has_float_op(m)) {
        if (fz_over_budget(m) || fz_write_calib(m) != 0)
            goto out;
        neurio_prepare_args a = { .size = sizeof a, .model_path = "fuzz", .quantize = "int8",
                                  .calibration = fz_calib, .calibration_method = "minmax" };
        if (neurio_quantize(m, &a, &err) != NEURIO_OK)
            goto out;
    }
    /* plain, then banded (rows from the input's size: 1..4) */
    const int32_t band = 1 + (int32_t)(size % 4);
    for (int k = 0; k < 2; k++) {
        neurio_plan *p = NULL;
        neurio_plan_options po = { .band_rows = k ? band : 0 };
        if (neurio_plan_model(m, &po, &p, &err) == NEURIO_OK) {
            if (neurio_plan_check(m, p, &err) != NEURIO_OK) {
                fprintf(stderr, "plan invariant broken (band rows %d): %s\n", po.band_rows,
                        err.msg);
                abort(); /* a finding */
            }
            neurio_plan_free(p);
        }
    }
    neurio_codegen_result res;
    /* plain, then banded (rows from the input's size) with a packed
     * FULLY_CONNECTED layout: auto (a budget from the size), int8, int16,
     * fast or compact weights (int8 layouts only, no 1x1 overlap), each
     * layer's layout recorded */
    neurio_codegen_layer *lay = calloc((size_t)(m->n_ops > 0 ? m->n_ops : 1), sizeof *lay);
    const neurio_codegen_options co = {.band_rows = band,
                                       .fc_weights = (int)(size % 3),
                                       .weights = (int)(size / 3 % 2),
                                       .flash_budget = (uint64_t)size * 64u,
                                       .layers = lay};
    (void)neurio_codegen(m, fz_dir, NULL, &res, &err); /* plain */
    if (lay)
        (void)neurio_codegen(m, fz_dir, &co, &res, &err);
    free(lay);
    /* the band rows chosen from an arena budget (from the size) */
    const neurio_codegen_options cb = {.arena_budget = 1 + (uint64_t)size % 8192u};
    (void)neurio_codegen(m, fz_dir, &cb, &res, &err);
out:
    neurio_model_free(m);
    return 0;
}
