/* sdk/src/lower/lower_act16.c — int16 LOGISTIC, TANH and SOFTMAX (TFLite's
 * int16 reference kernels): every constant as TFLite Micro's Prepare derives
 * it, including the two 513-entry SOFTMAX tables (its gen_lut, computed in
 * float as TFLite does, so the host's float results are the reference's). */
#include <math.h>

#include "lower_internal.h"

/* TFLite's CheckedLog2: log2 of x rounded, and whether x is that power of
 * two within 1e-3 of an octave (float arithmetic, as TFLite). */
static int lw_checked_log2(float x, int32_t *l2)
{
    const float v = logf(x) * (1.0f / logf(2.0f));
    const float r = roundf(v);
    *l2 = (int32_t)r;
    return fabsf(v - r) < 1e-3f;
}

int lw_sigmoid_s16(lw_ctx *c, int is_tanh)
{
    int32_t x, y;
    int rc = lw_operands(c, 1, &x, &y, NULL);
    if (rc)
        return rc;
    if (lw_t(c, y)->dtype != NEURIO_DT_INT16)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "int16 input needs an int16 output (has %s)",
                       neurio_dtype_name(lw_t(c, y)->dtype));
    float xs, ys;
    int32_t yz;
    nk_sigmoid_params *p = &c->out->p.sigmoid;
    if ((rc = lw_q1(c, x, &xs, &p->in_zp)) || (rc = lw_q1(c, y, &ys, &yz)))
        return rc;
    if (p->in_zp != 0 || yz != 0)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "int16 %s needs zero points 0 (TFLite Micro's "
                       "rule); input has %d, output %d", is_tanh ? "TANH" : "LOGISTIC",
                       p->in_zp, yz);
    int32_t l2;
    if (!lw_checked_log2(ys, &l2) || l2 != -15)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "int16 output scale must be 2^-15 (has %g)",
                       (double)ys);
    int pot = lw_checked_log2(xs, &l2);
    int32_t shift = 12 + l2; /* (15 - 3 integer bits) + log2(scale) */
    pot = pot && (shift == 0 || (is_tanh && shift == 1));
    int32_t mult = 0;
    if (!pot) {
        /* rescale to 1/(3*4096) per step: +-2^17 covers +-10.7 */
        double m = (double)xs * 4096.0 * 3.0;
        shift = 0;
        while (m <= 32767.0 / 2.0 && shift <= 30) {
            shift++;
            m *= 2.0;
        }
        if (!(m <= 32767.0))
            return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "input scale %g is too large for the "
                           "int16 table (at most %g)", (double)xs, 32767.0 / 12288.0);
        mult = (int32_t)m;
    }
    p->in_mult = mult;
    p->in_left_shift = shift;
    p->in_range_radius = 0;
    p->size = (int32_t)neurio_tensor_elements(lw_t(c, x));
    return lw_set(c, is_tanh ? LW_K_TANH_S16 : LW_K_LOGISTIC_S16, 2, (int32_t[]){x, y});
}

static float lw_expf(float v)
{
    return expf(v);
}

static float lw_recip1p(float v)
{
    return 1.0f / (1.0f + v);
}

static float lw_clamp16f(float v)
{
    return v < -32768.0f ? -32768.0f : (v > 32767.0f ? 32767.0f : v);
}

/* TFLite's gen_lut<float, int16_t, int16_t> on [lo, hi] -> [-1, 1]: 512
 * samples, each biased by half its interpolated midpoint's error, plus the
 * end point (513 entries). */
static void lw_gen_lut_s16(float (*fn)(float), float lo, float hi, int32_t *lut)
{
    const float step = (hi - lo) / 512;
    const float half = step / 2;
    const float inv = 65536.0f / 2.0f;
    for (int i = 0; i < 512; i++) {
        const float val = fn(lo + (float)i * step);
        const float mid = fn(lo + (float)i * step + half);
        const float next = fn(lo + (float)(i + 1) * step);
        const float sample = roundf(val * inv);
        const float mid_interp = roundf((next * inv + roundf(val * inv)) / 2);
        const float mid_val = roundf(mid * inv);
        const float bias = roundf((mid_interp - mid_val) / 2);
        lut[i] = (int32_t)lw_clamp16f(sample - bias);
    }
    lut[512] = (int32_t)lw_clamp16f(roundf(fn(hi) * inv));
}

int lw_softmax_s16(lw_ctx *c)
{
    int32_t x, y;
    int rc = lw_operands(c, 1, &x, &y, NULL);
    if (rc)
        return rc;
    if (lw_t(c, y)->dtype != NEURIO_DT_INT16)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "int16 input needs an int16 output (has %s)",
                       neurio_dtype_name(lw_t(c, y)->dtype));
    int32_t rows, depth;
    if ((rc = lw_last_axis(c, x, &rows, &depth)))
        return rc;
    if (depth > 65536)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "int16 SOFTMAX over %d values (the int32 "
                       "sum of TFLite's kernel holds at most 65536)", depth);
    float xs, ys;
    int32_t xz, yz;
    if ((rc = lw_q1(c, x, &xs, &xz)) || (rc = lw_q1(c, y, &ys, &yz)))
        return rc;
    if (yz != 0 || fabsf(ys - 1.0f / 32768.0f) > 0.001f / 32768.0f)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "int16 output must have scale 1/32768 and "
                       "zero point 0 (has %g, %d)", (double)ys, yz);
    nk_softmax_params *p = &c->out->p.softmax;
    p->rows = rows;
    p->depth = depth;
    p->beta = c->op->attr.softmax.beta != 0.0f ? c->op->attr.softmax.beta : 1.0f;
    /* [-65535, 0] steps of the scaled difference cover [-10, 0] */
    neurio_quantize_multiplier((double)xs * (double)p->beta / (10.0 / 65535.0),
                               &p->input_multiplier, &p->input_left_shift);
    if (p->input_left_shift > 31 || p->input_left_shift < -31)
        return lw_fail(c, NEURIO_ERR_UNSUPPORTED, "input scale %g x beta %g is out of the "
                       "kernel's range", (double)xs, (double)p->beta);
    int32_t *e = lw_array_new(c, 0, "lut", 513), *r = e ? lw_array_new(c, 1, "rlut", 513) : NULL;
    if (!e || !r)
        return NEURIO_ERR_NOMEM;
    lw_gen_lut_s16(lw_expf, -10.0f, 0.0f, e);
    lw_gen_lut_s16(lw_recip1p, 0.0f, 1.0f, r);
    p->exp_lut = e;
    p->recip_lut = r;
    return lw_set(c, LW_K_SOFTMAX_S16, 2, (int32_t[]){x, y});
}
