/* firmware/kernels/conv/nk_fc_pack.c — the packed FULLY_CONNECTED layout
 * (nk_fc_pack in nk.h): the packer the code generator runs, and the packed
 * kernel in portable C (the arithmetic of the DSP version,
 * arm/nk_arm_fc_packed.c, lane by lane), bit-exact with
 * nk_fully_connected_s8; both layouts (int8, int16: nk_fc_pack.wide). */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "arm/nk_arm.h"
#include "arm/nk_arm_requant.h"

static int fcp_check(const nk_fc_params *p, const int8_t *weights, const int32_t *w,
                     const int32_t *k, const int32_t *x2)
{
    return p && weights && w && k && x2 && p->batches >= 1 && p->in_depth >= 1 &&
           p->out_depth >= 1 && p->filter_zp == 0 && p->out_mult && p->out_shift;
}

/* Whether every row suits nk_arm_requant_x2 and its sum stays below 2^30
 * in magnitude (both layouts' x2 flag). */
static int32_t fcp_x2(const nk_fc_params *p, const int8_t *weights, const int32_t *bias)
{
    const int32_t depth = p->in_depth;
    /* the largest |x - in_zp| of an int8 x */
    const int64_t xmax = 127 - p->in_zp > p->in_zp + 128 ? 127 - p->in_zp : p->in_zp + 128;
    for (int32_t o = 0; o < p->out_depth; ++o) {
        const int32_t q = p->per_channel ? o : 0;
        int64_t bound = bias ? (bias[o] < 0 ? -(int64_t)bias[o] : bias[o]) : 0;
        for (int32_t d = 0; d < depth; ++d) {
            const int32_t v = weights[(size_t)o * depth + d];
            bound += (v < 0 ? -v : v) * xmax;
        }
        if (!nk_arm_requant_x2_ok(p->out_mult[q], p->out_shift[q], p->out_zp) ||
            bound >= ((int64_t)1 << 30))
            return 0;
    }
    return 1;
}

/* Both layouts: wide = 0 the int8 one, 1 the int16 one (nk.h). */
static int fcp_pack(const nk_fc_params *p, const int8_t *weights, const int32_t *bias,
                    int32_t *w, int32_t *k, int32_t *x2, int wide)
{
    if (!fcp_check(p, weights, w, k, x2))
        return NK_ERR_PARAMS;
    const int32_t depth = p->in_depth, dp = NK_FC_PACK_DEPTH(depth);
    const int32_t rows = NK_FC_PACK_ROWS(p->out_depth), steps = dp / 4;
    *x2 = fcp_x2(p, weights, bias);
    for (int32_t o = 0; o < rows; ++o) {
        /* k in unsigned arithmetic: the int32 accumulator wraps the same way */
        uint32_t kk = (o < p->out_depth && bias) ? (uint32_t)bias[o] : 0u;
        for (int32_t s = 0; s < steps; ++s) {
            int32_t v[4]; /* row o's weights 4s..4s+3, 0 past depth */
            for (int32_t j = 0; j < 4; ++j) {
                const int32_t d = 4 * s + j;
                v[j] = (o < p->out_depth && d < depth) ? weights[(size_t)o * depth + d] : 0;
            }
            if (wide) {
                /* group o / 4, step s: row o % 4's word of inputs (0, 2), then (1, 3) */
                int32_t *const g = w + ((size_t)(o / 4) * steps + s) * 8 + o % 4;
                g[0] = (int32_t)((uint32_t)(uint16_t)v[0] | (uint32_t)(uint16_t)v[2] << 16);
                g[4] = (int32_t)((uint32_t)(uint16_t)v[1] | (uint32_t)(uint16_t)v[3] << 16);
                kk -= (uint32_t)(p->in_zp * (v[0] + v[1] + v[2] + v[3]));
                continue;
            }
            uint32_t word = 0;
            for (int32_t j = 0; j < 4; j += 2) {
                const int32_t we = v[j], wo = v[j + 1];
                const int32_t stored = wo - (we < 0 ? 1 : 0);
                if (stored < -128)
                    return NK_ERR_PARAMS;
                word |= ((uint32_t)(uint8_t)(int8_t)we | (uint32_t)(uint8_t)(int8_t)stored << 8)
                        << (8 * j);
                kk -= (uint32_t)((p->in_zp + 1) * we + (p->in_zp + 129) * wo);
            }
            /* group o / 4, step s, row o % 4 */
            w[((size_t)(o / 4) * steps + s) * 4 + o % 4] = (int32_t)word;
        }
        k[o] = (int32_t)kk;
    }
    return NK_OK;
}

int nk_fc_pack_s8(const nk_fc_params *p, const int8_t *weights, const int32_t *bias,
                  int32_t *w, int32_t *k, int32_t *x2)
{
    return fcp_pack(p, weights, bias, w, k, x2, 0);
}

int nk_fc_pack_s8_w16(const nk_fc_params *p, const int8_t *weights, const int32_t *bias,
                      int32_t *w, int32_t *k, int32_t *x2)
{
    return fcp_pack(p, weights, bias, w, k, x2, 1);
}

#if !NK_HAVE_ARM_DSP
/* Lanes of the prepared input for inputs 4s..4s+3:
 * xb[2s] = (x1 + 129, x3 + 129), xb[2s + 1] = (256 (x0 + 1) - (x1 + 129),
 * 256 (x2 + 1) - (x3 + 129)), low halfword first; x = 0 past depth. */
static void fcp_prep(const int8_t *in, int32_t depth, int32_t dp, uint32_t *xb)
{
    for (int32_t d = 0; d < dp; d += 2) {
        /* past depth as x = 0 (the weights there are 0; x_odd + 129 >= 1
         * keeps the even lane inside int16) */
        const int32_t xe = (d < depth ? in[d] : 0) + 1;
        const int32_t xo = (d + 1 < depth ? in[d + 1] : 0) + 129;
        const uint32_t lo = (uint32_t)(uint16_t)(int16_t)xo;
        const uint32_t hi = (uint32_t)(uint16_t)(int16_t)(256 * xe - xo);
        const int32_t s = d / 4, sh = (d % 4) ? 16 : 0;
        if (!sh) {
            xb[2 * s] = 0;
            xb[2 * s + 1] = 0;
        }
        xb[2 * s] |= lo << sh;
        xb[2 * s + 1] |= hi << sh;
    }
}

/* The int32 of bits s shifted right arithmetically by 8. */
static int32_t asr8(uint32_t s)
{
    return (s & 0x80000000u) ? -(int32_t)(~s >> 8) - 1 : (int32_t)(s >> 8);
}

static int32_t lane(uint32_t v, int hi)
{
    return (int32_t)(int16_t)(uint16_t)(hi ? v >> 16 : v);
}

static int32_t sbyte(uint32_t v, int b)
{
    return (int32_t)(int8_t)(uint8_t)(v >> (8 * b));
}

/* 256 times the dot product of one packed row (words w, stride 4) with the
 * prepared input over n steps, as the DSP version's wrapping sum. */
static int32_t fcp_chunk(const uint32_t *xb, const int32_t *w, int32_t n)
{
    uint32_t s = 0;
    for (int32_t i = 0; i < n; ++i) {
        const uint32_t wv = (uint32_t)w[4 * i], xo = xb[2 * i], xe = xb[2 * i + 1];
        s += (uint32_t)(lane(wv, 0) * lane(xo, 0)) + (uint32_t)(lane(wv, 1) * lane(xo, 1));
        s += (uint32_t)(sbyte(wv, 0) * lane(xe, 0)) + (uint32_t)(sbyte(wv, 2) * lane(xe, 1));
    }
    return asr8(s);
}
#endif

/* The parameters of a packed call in layout `wide` are usable. */
static int fcp_args_ok(const nk_fc_params *p, const nk_fc_pack *k, const int8_t *input,
                       const int8_t *output, int32_t wide)
{
    return p && k && k->w && k->k && k->xbuf && input && output && p->batches >= 1 &&
           p->in_depth >= 1 && p->out_depth >= 1 &&
           k->depth_pad == NK_FC_PACK_DEPTH(p->in_depth) && p->out_mult && p->out_shift &&
           p->act_min <= p->act_max && (k->wide != 0) == (wide != 0);
}

#if !NK_HAVE_ARM_DSP
static int fcp_portable(const nk_fc_params *p, const nk_fc_pack *k, const int8_t *input,
                        int8_t *output);
#endif

/* One entry per layout, so that a firmware links only the DSP code of the
 * layouts its model uses (-ffunction-sections, --gc-sections). */
int nk_fully_connected_s8_packed(const nk_fc_params *p, const nk_fc_pack *k,
                                 const int8_t *input, int8_t *output)
{
    if (!fcp_args_ok(p, k, input, output, 0))
        return NK_ERR_PARAMS;
#if NK_HAVE_ARM_DSP
    return nk_fully_connected_s8_packed_dsp(p, k, input, output);
#else
    return fcp_portable(p, k, input, output);
#endif
}

int nk_fully_connected_s8_packed16(const nk_fc_params *p, const nk_fc_pack *k,
                                   const int8_t *input, int8_t *output)
{
    if (!fcp_args_ok(p, k, input, output, 1))
        return NK_ERR_PARAMS;
#if NK_HAVE_ARM_DSP
    return nk_fully_connected_s8_packed16_dsp(p, k, input, output);
#else
    return fcp_portable(p, k, input, output);
#endif
}

#if !NK_HAVE_ARM_DSP
static int fcp_portable(const nk_fc_params *p, const nk_fc_pack *k, const int8_t *input,
                        int8_t *output)
{
    const int32_t steps = k->depth_pad / 4;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *const in = input + (size_t)b * p->in_depth;
        if (!k->wide)
            fcp_prep(in, p->in_depth, k->depth_pad, k->xbuf);
        for (int32_t o = 0; o < p->out_depth; ++o) {
            uint32_t acc = (uint32_t)k->k[o];
            if (k->wide) {
                /* the int16 layout: inputs (4s, 4s + 2) with word 0, (4s + 1,
                 * 4s + 3) with word 4 of row o's place in the group */
                const int32_t *w = k->w + (size_t)(o / 4) * steps * 8 + o % 4;
                for (int32_t d = 0; d < p->in_depth; ++d) {
                    const uint32_t wv = (uint32_t)w[(d / 4) * 8 + (d % 2) * 4];
                    acc += (uint32_t)(lane(wv, d % 4 >= 2) * in[d]);
                }
            } else {
                const int32_t *w = k->w + (size_t)(o / 4) * steps * 4 + o % 4;
                for (int32_t s = 0; s < steps; s += 32) {
                    const int32_t n = steps - s < 32 ? steps - s : 32;
                    acc += (uint32_t)fcp_chunk(k->xbuf + 2 * s, w + 4 * s, n);
                }
            }
            const int32_t q = p->per_channel ? o : 0;
            const int32_t v = nk_mbqm((int32_t)acc, p->out_mult[q], p->out_shift[q]) + p->out_zp;
            output[(size_t)b * p->out_depth + o] = (int8_t)nk_clamp(v, p->act_min, p->act_max);
        }
    }
    return NK_OK;
}
#endif
