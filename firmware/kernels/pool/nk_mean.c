/* firmware/kernels/pool/nk_mean.c — MEAN over any set of axes, int8, int16
 * and float32.  int8 (and int16) follows TFLite (Micro)'s integer mean: when input and output share
 * scale and zero point (mult == 0 here) the raw values are summed and
 * divided with C truncation (reference_ops::Mean); otherwise the
 * zero-point-corrected sum is scaled by mult/shift, which already include
 * 1/count (reference_ops::QuantizedMeanOrSum), plus out_zp, clamped.
 * float: sum in input order, divided by the element count. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_internal.h"

int nk_mean_s8(const nk_mean_params *p, const int8_t *input, int8_t *output)
{
    nk_reduce_geom g;
    if (nk_reduce_geometry(p, &g) != NK_OK || !input || !output || p->shift > 30 || p->shift < -31)
        return NK_ERR_PARAMS;
    for (int32_t o = 0; o < g.n_out; ++o) {
        int32_t ridx[NK_MAX_DIMS] = {0};
        int32_t off = nk_reduce_base(p, &g, o);
        int32_t sum = 0;
        do {
            sum += input[off];
        } while (nk_reduce_next(p, &g, ridx, &off));
        int32_t v;
        if (p->mult == 0) {
            v = sum / g.count;
        } else {
            const int32_t shifted = sum - p->in_zp * g.count;
            v = nk_mbqm(shifted, p->mult, p->shift) + p->out_zp;
        }
        output[o] = (int8_t)nk_clamp(v, -128, 127);
    }
    return NK_OK;
}

/* int16: the same on int16 (TFLite's integer mean templated on int16). */
int nk_mean_s16(const nk_mean_params *p, const int16_t *input, int16_t *output)
{
    nk_reduce_geom g;
    if (nk_reduce_geometry(p, &g) != NK_OK || !input || !output || p->shift > 30 || p->shift < -31)
        return NK_ERR_PARAMS;
    for (int32_t o = 0; o < g.n_out; ++o) {
        int32_t ridx[NK_MAX_DIMS] = {0};
        int32_t off = nk_reduce_base(p, &g, o);
        int32_t sum = 0;
        do {
            sum += input[off];
        } while (nk_reduce_next(p, &g, ridx, &off));
        int32_t v;
        if (p->mult == 0) {
            v = sum / g.count;
        } else {
            const int32_t shifted = sum - p->in_zp * g.count;
            v = nk_mbqm(shifted, p->mult, p->shift) + p->out_zp;
        }
        output[o] = (int16_t)nk_clamp(v, -32768, 32767);
    }
    return NK_OK;
}

int nk_mean_f32(const nk_mean_params *p, const float *input, float *output)
{
    nk_reduce_geom g;
    if (nk_reduce_geometry(p, &g) != NK_OK || !input || !output)
        return NK_ERR_PARAMS;
    for (int32_t o = 0; o < g.n_out; ++o) {
        int32_t ridx[NK_MAX_DIMS] = {0};
        int32_t off = nk_reduce_base(p, &g, o);
        float sum = 0.0f;
        do {
            sum += input[off];
        } while (nk_reduce_next(p, &g, ridx, &off));
        output[o] = sum / (float)g.count;
    }
    return NK_OK;
}
