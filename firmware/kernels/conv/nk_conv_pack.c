/* firmware/kernels/conv/nk_conv_pack.c — the packed CONV_2D layout
 * (nk_conv_pack in nk.h): the packer the code generator runs, and the
 * packed kernel in portable C (the arithmetic of the DSP version,
 * arm/nk_arm_conv2d.c: doubled int16 weights in lane order, the
 * doubled-sum requantization), bit-exact with nk_conv2d_s8. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_internal.h"
#include "nk_conv_walk.h"
#include "arm/nk_arm.h"
#include "arm/nk_arm_requant.h"

/* position of tap t % 4 inside its group (SXTB16 lane order 0, 2, 1, 3) */
static const uint8_t ncp_lane[4] = {0, 2, 1, 3};

int nk_conv_pack_s8(const nk_conv_params *p, const int8_t *filter, const int32_t *bias,
                    int16_t *w, int32_t *k)
{
    if (nk_conv_check(p, 0) != NK_OK || !filter || !w || !k || !p->out_mult || !p->out_shift)
        return NK_ERR_PARAMS;
    const int32_t len = p->filter_h * p->filter_w * p->in_c, lenp = NK_CONV_PACK_LEN(len);
    if (lenp > NK_CONV_PACK_MAX_LEN || p->act_min != -128 || p->act_max != 127)
        return NK_ERR_PARAMS;
    /* the largest |x - in_zp| of an int8 x */
    const int64_t xmax = 127 - p->in_zp > p->in_zp + 128 ? 127 - p->in_zp : p->in_zp + 128;
    for (int32_t oc = 0; oc < p->out_c; ++oc) {
        const int32_t q = p->per_channel ? oc : 0;
        const int32_t b = bias ? bias[oc] : 0;
        int64_t bound = b < 0 ? -(int64_t)b : b;
        const int8_t *f = filter + (size_t)oc * len;
        for (int32_t t = 0; t < lenp; ++t) {
            const int32_t v = t < len ? f[t] : 0;
            bound += (v < 0 ? -v : v) * xmax;
            w[(size_t)oc * lenp + (t & ~3) + ncp_lane[t & 3]] = (int16_t)(2 * v);
        }
        if (!nk_arm_requant_x2_ok(p->out_mult[q], p->out_shift[q], p->out_zp) ||
            bound >= ((int64_t)1 << 30))
            return NK_ERR_PARAMS;
        k[4 * oc] = 2 * b;
        k[4 * oc + 1] = p->out_mult[q];
        k[4 * oc + 2] = nk_arm_requant_x2_c0(p->out_shift[q], p->out_zp);
        k[4 * oc + 3] = -p->out_shift[q];
    }
    return NK_OK;
}

#if !NK_HAVE_ARM_DSP
/* the arguments of nk_conv2d_s8_packed for its pixel function */
typedef struct packed_args {
    const nk_conv_pack *k;
    const int8_t *input;
    int8_t *output;
} packed_args;

/* one output channel's doubled sum over the taps, the packed weights in
 * lane order (tap f's first weight at position f * in_c) */
typedef struct packed_sum {
    const int8_t *in;
    const int16_t *w;
    int32_t in_c, zp, acc;
} packed_sum;

static inline __attribute__((always_inline)) void packed_tap(void *ctx, size_t in, int32_t f)
{
    packed_sum *s = (packed_sum *)ctx;
    const int8_t *ip = s->in + in;
    for (int32_t ic = 0, t = f * s->in_c; ic < s->in_c; ++ic, ++t)
        s->acc += ((int32_t)ip[ic] - s->zp) * s->w[(t & ~3) + ncp_lane[t & 3]];
}

/* all output channels of one pixel, from the packed weights */
static inline __attribute__((always_inline)) void packed_px(const nk_conv_params *p,
                                                            const nk_conv_px *px, void *ctx)
{
    const packed_args *a = (const packed_args *)ctx;
    const int32_t lenp = NK_CONV_PACK_LEN(p->filter_h * p->filter_w * p->in_c);
    int8_t *out = a->output + px->out;
    for (int32_t oc = 0; oc < p->out_c; ++oc) {
        const int32_t *kc = a->k->k + 4 * oc;
        /* the doubled sum from the doubled bias; padding taps add 0 */
        packed_sum s = {a->input + px->in, a->k->w + (size_t)oc * lenp, p->in_c, p->in_zp, kc[0]};
        nk_conv_taps(p, px, packed_tap, &s);
        /* inside int32: the packer's bound */
        const int32_t v = nk_arm_requant_x2(s.acc, kc[1], kc[2], kc[3]);
        out[oc] = (int8_t)nk_clamp(v, -128, 127);
    }
}
#endif

int nk_conv2d_s8_packed(const nk_conv_params *p, const nk_conv_pack *k, const int8_t *input,
                        int8_t *output)
{
    if (k && k->fl) {
        /* the 2 x 2 layout (nk_conv_pack_fl.c) */
        if (!nk_conv_pack_fl_ok(p) || !input || !output)
            return NK_ERR_PARAMS;
#if NK_HAVE_ARM_DSP
        return nk_conv2d_s8_fl_dsp(p, k->fl, input, output);
#else
        return nk_conv2d_s8_packed_fl(p, k->fl, input, output);
#endif
    }
    if (nk_conv_check(p, 0) != NK_OK || !k || !k->w || !k->k || !input || !output ||
        NK_CONV_PACK_LEN(p->filter_h * p->filter_w * p->in_c) > NK_CONV_PACK_MAX_LEN)
        return NK_ERR_PARAMS;
#if NK_HAVE_ARM_DSP
    return nk_conv2d_s8_packed_dsp(p, k, input, output);
#else
    packed_args a = {k, input, output};
    nk_conv_walk(p, packed_px, &a);
    return NK_OK;
#endif
}
