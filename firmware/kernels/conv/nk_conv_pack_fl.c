/* firmware/kernels/conv/nk_conv_pack_fl.c — the 2 x 2 packed CONV_2D
 * layout (nk.h, nk_conv_pack.fl; first layers such as ResNet's 32x32x3 3x3,
 * and 3x3 layers over a multiple of 4 channels): the packer the code
 * generator runs, and the packed kernel in portable C, bit-exact with
 * nk_conv2d_s8.  The DSP version (arm/nk_arm_conv2d_fl.c) gathers the same
 * taps from the input or a zero-point padded band of input rows. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_internal.h"
#include "arm/nk_arm.h"
#include "arm/nk_arm_requant.h"

int nk_conv_pack_fl_ok(const nk_conv_params *p)
{
    if (nk_conv_check(p, 0) != NK_OK || p->dilation_h != 1 || p->dilation_w != 1 ||
        (p->out_c & 1) || p->filter_h > 64 || p->filter_w > 64 || p->in_c > 1024 ||
        p->stride_h > 64 || p->stride_w > 64 || p->out_w > 4096)
        return 0;
    const int32_t ng = NK_CONV_PACK_FL_GROUPS(p);
    if (ng > NK_CONV_PACK_FL_MAX_GROUPS)
        return 0;
    if ((p->in_c & 3) == 0)
        return 1; /* whole words straight from the input */
    const int64_t row = ((int64_t)(p->out_w - 1) * p->stride_w + p->filter_w) * p->in_c;
    return 16 * ng + row * (p->filter_h + p->stride_h) + 4 <= NK_CONV_PACK_FL_BUF;
}

/* Tap t (0 .. 4 groups) of the layout: its index in one channel's OHWI
 * filter (fy run + byte), or -1 for a tap weighted 0.  Memory order inside
 * a group: lanes 0-1 (first word), lanes 2-3 (second word). */
static int32_t fl_tap(const nk_conv_params *p, int32_t t)
{
    const int32_t run = p->filter_w * p->in_c, nw = run / 4, rem = run % 4;
    const int32_t nwr = nw + (rem == 3), g = t / 4, lane = t % 4;
    if (g < p->filter_h * nwr) {
        /* SXTB16: word 0 = bytes (0, 2), word 1 = bytes (1, 3) */
        static const uint8_t byte_of[4] = {0, 2, 1, 3};
        const int32_t fy = g / nwr, b = 4 * (g % nwr) + byte_of[lane];
        return b < run ? fy * run + b : -1;
    }
    const int32_t q = g - p->filter_h * nwr;
    int32_t fy, b = 4 * nw;
    if (rem == 1) {
        fy = 4 * q + lane; /* rows 4q .. 4q + 3 */
    } else {
        fy = 2 * q + (lane & 1); /* rem 2: bytes 4 nw (lanes 0-1), 4 nw + 1 */
        b += lane >> 1;
    }
    return fy < p->filter_h ? fy * run + b : -1;
}

int nk_conv_pack_s8_fl(const nk_conv_params *p, const int8_t *filter, const int32_t *bias,
                       int32_t *fl)
{
    if (!nk_conv_pack_fl_ok(p) || !filter || !fl || !p->out_mult || !p->out_shift ||
        p->act_min != -128 || p->act_max != 127)
        return NK_ERR_PARAMS;
    const int32_t len = p->filter_h * p->filter_w * p->in_c, ng = NK_CONV_PACK_FL_GROUPS(p);
    int32_t *s = fl;
    for (int32_t oc = 0; oc < p->out_c; oc += 2) {
        int32_t *const head = s, *const tail = s + 4 + 4 * ng;
        for (int32_t c = 0; c < 2; ++c) {
            const int8_t *f = filter + (size_t)(oc + c) * len;
            const int32_t q = p->per_channel ? oc + c : 0;
            int64_t sum = 0, abs_sum = 0;
            for (int32_t i = 0; i < len; ++i) {
                sum += f[i];
                abs_sum += f[i] < 0 ? -f[i] : f[i];
            }
            /* raw input bytes: sum w (x - zp) = sum w x - zp sum w */
            const int64_t b = (bias ? bias[oc + c] : 0) - (int64_t)p->in_zp * sum;
            if (!nk_arm_requant_x2_ok(p->out_mult[q], p->out_shift[q], p->out_zp) ||
                (b < 0 ? -b : b) + 128 * abs_sum >= ((int64_t)1 << 30))
                return NK_ERR_PARAMS;
            head[2 * c] = head[2 * c + 1] = (int32_t)(2 * b);
            for (int32_t g = 0; g < ng; ++g)
                for (int32_t h = 0; h < 2; ++h) {
                    const int32_t t0 = fl_tap(p, 4 * g + 2 * h), t1 = fl_tap(p, 4 * g + 2 * h + 1);
                    const int32_t w0 = t0 >= 0 ? 2 * f[t0] : 0, w1 = t1 >= 0 ? 2 * f[t1] : 0;
                    s[4 + 4 * g + 2 * c + h] =
                        (int32_t)((uint32_t)(uint16_t)w0 | ((uint32_t)(uint16_t)w1 << 16));
                }
            tail[3 * c] = p->out_mult[q];
            tail[3 * c + 1] = nk_arm_requant_x2_c0(p->out_shift[q], p->out_zp);
            tail[3 * c + 2] = -p->out_shift[q];
        }
        s += 10 + 4 * ng;
    }
    return NK_OK;
}

/* the doubled int16 weight in lane `lane` (0 or 1) of word v */
static int32_t fl_half(int32_t v, int32_t lane)
{
    return (int16_t)(uint16_t)((uint32_t)v >> (16 * lane));
}

/* The portable kernel of the layout (p checked by the caller). */
int nk_conv2d_s8_packed_fl(const nk_conv_params *p, const int32_t *fl, const int8_t *input,
                           int8_t *output)
{
    const int32_t in_h = p->in_h, in_w = p->in_w, in_c = p->in_c, run = p->filter_w * in_c;
    const int32_t ng = NK_CONV_PACK_FL_GROUPS(p), pair = 10 + 4 * ng;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int8_t *in_b = input + (size_t)b * in_h * in_w * in_c;
        for (int32_t oy = 0; oy < p->out_h; ++oy)
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t y0 = oy * p->stride_h - p->pad_top;
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                int8_t *out = output + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
                for (int32_t oc = 0; oc < p->out_c; ++oc) {
                    const int32_t *s = fl + (size_t)(oc / 2) * pair, c = oc & 1;
                    int32_t acc = s[2 * c];
                    for (int32_t t = 0; t < 4 * ng; ++t) {
                        const int32_t k = fl_tap(p, t);
                        if (k < 0)
                            continue;
                        const int32_t fy = k / run, bx = k % run;
                        const int32_t iy = y0 + fy, ix = x0 + bx / in_c;
                        /* outside the image: the zero point (folded) */
                        const int32_t x = iy < 0 || iy >= in_h || ix < 0 || ix >= in_w
                                              ? p->in_zp
                                              : in_b[((size_t)iy * in_w + ix) * in_c + bx % in_c];
                        const int32_t w = s[4 + 4 * (t / 4) + 2 * c + (t % 4) / 2];
                        acc += x * fl_half(w, t & 1);
                    }
                    const int32_t *q = s + 4 + 4 * ng + 3 * c;
                    /* inside int32: the packer's bound */
                    out[oc] = (int8_t)nk_clamp(nk_arm_requant_x2(acc, q[0], q[1], q[2]), -128, 127);
                }
            }
    }
    return NK_OK;
}
