/* firmware/kernels/pool/nk_mean.c — MEAN over any set of axes, int8 and float32.
 * int8 follows TFLite (Micro)'s integer mean: when input and output share
 * scale and zero point (mult == 0 here) the raw values are summed and
 * divided with C truncation (reference_ops::Mean); otherwise the
 * zero-point-corrected sum is scaled by mult/shift, which already include
 * 1/count (reference_ops::QuantizedMeanOrSum), plus out_zp, clamped.
 * float: sum in input order, divided by the element count. */
#include "nk.h"
#include "nk_fixedpoint.h"

typedef struct mean_geom {
    int32_t out_dims[NK_MAX_DIMS];
    int32_t in_strides[NK_MAX_DIMS];
    int32_t count;      /* elements reduced into one output */
    int32_t n_out;
} mean_geom;

static int mean_geometry(const nk_mean_params *p, mean_geom *g)
{
    if (!p || p->rank < 1 || p->rank > NK_MAX_DIMS)
        return NK_ERR_PARAMS;
    int64_t stride = 1, count = 1, n_out = 1;
    for (int32_t d = p->rank - 1; d >= 0; --d) {
        if (p->in_dims[d] < 1)
            return NK_ERR_PARAMS;
        g->in_strides[d] = (int32_t)stride;
        stride *= p->in_dims[d];
        if (stride > 0x7fffffff)
            return NK_ERR_PARAMS;
        if (p->reduce[d]) {
            g->out_dims[d] = 1;
            count *= p->in_dims[d];
        } else {
            g->out_dims[d] = p->in_dims[d];
            n_out *= p->in_dims[d];
        }
    }
    g->count = (int32_t)count;
    g->n_out = (int32_t)n_out;
    return NK_OK;
}

/* Offset of the first input element of output `o` (row-major over out_dims). */
static int32_t base_offset(const nk_mean_params *p, const mean_geom *g, int32_t o)
{
    int32_t off = 0;
    for (int32_t d = p->rank - 1; d >= 0; --d) {
        const int32_t i = o % g->out_dims[d];
        o /= g->out_dims[d];
        off += i * g->in_strides[d];
    }
    return off;
}

/* Advances the reduced-axes index; returns the next input offset delta
 * applied to *off, 0 when done. */
static int next_reduced(const nk_mean_params *p, const mean_geom *g, int32_t *ridx, int32_t *off)
{
    for (int32_t d = p->rank - 1; d >= 0; --d) {
        if (!p->reduce[d])
            continue;
        ridx[d]++;
        *off += g->in_strides[d];
        if (ridx[d] < p->in_dims[d])
            return 1;
        *off -= g->in_strides[d] * p->in_dims[d];
        ridx[d] = 0;
    }
    return 0;
}

int nk_mean_s8(const nk_mean_params *p, const int8_t *input, int8_t *output)
{
    mean_geom g;
    if (mean_geometry(p, &g) != NK_OK || !input || !output || p->shift > 30 || p->shift < -31)
        return NK_ERR_PARAMS;
    for (int32_t o = 0; o < g.n_out; ++o) {
        int32_t ridx[NK_MAX_DIMS] = {0};
        int32_t off = base_offset(p, &g, o);
        int32_t sum = 0;
        do {
            sum += input[off];
        } while (next_reduced(p, &g, ridx, &off));
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

int nk_mean_f32(const nk_mean_params *p, const float *input, float *output)
{
    mean_geom g;
    if (mean_geometry(p, &g) != NK_OK || !input || !output)
        return NK_ERR_PARAMS;
    for (int32_t o = 0; o < g.n_out; ++o) {
        int32_t ridx[NK_MAX_DIMS] = {0};
        int32_t off = base_offset(p, &g, o);
        float sum = 0.0f;
        do {
            sum += input[off];
        } while (next_reduced(p, &g, ridx, &off));
        output[o] = sum / (float)g.count;
    }
    return NK_OK;
}
