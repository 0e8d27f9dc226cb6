/* firmware/kernels/mve/nk_mve_depthwise_conv2d.c — DEPTHWISE_CONV_2D int8
 * (depth multiplier 1; any filter, stride, dilation, padding) on Helium.
 *
 * Four channels per vector.  MVE has no integer vector-by-vector
 * multiply-accumulate, but it has VFMA.F32: the products of two int8 values
 * (|w * x| <= 2^14) and their sums over at most 1024 taps (<= 2^24) are
 * integers that float32 represents exactly, so the float multiply-adds are
 * exact and the result converts back to the same int32 (VCVT).  The input
 * zero point is folded into the bias (bias - in_zp * sum of the channel's
 * taps, TFLite's sum of w * (x - in_zp) modulo 2^32), so taps outside the
 * image are rows and columns holding the zero point and contribute
 * nothing.
 *
 * Channels in chunks that fit the stack budget (kws: all 64 at once): the
 * filter converted to float once per chunk; input rows converted when an
 * output row first needs them (a ring of filter_h rows, each with the
 * zero-point padding around it); four pixels of an output row per pass
 * share each weight load (a sliding window for 3-wide stride-1 filters);
 * requantization on four lanes (nk_mve_requant.h).  Bit-exact with ../conv/nk_depthwise_conv2d.c. */
#include "nk_mve.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)

#include <arm_mve.h>

#include "nk_mve_requant.h"

/* Taps at most 1024 (float exactness).  The stack budget per chunk of
 * channels is NK_MVE_DW_STACK_MAX (nk_mve.h). */
#define NK_MVE_DW_TAPS_MAX 1024

/* One chunk of channels (groups of four) of one batch image. */
typedef struct dw_chunk {
    const nk_conv_params *p;
    const int8_t *in_b;      /* batch image                                 */
    int32_t c0, groups;      /* first channel, groups of four               */
    int32_t wp;              /* ring row width in columns (padded)          */
    float32x4_t *ring;       /* [slot][group][column]                       */
    int32_t *tag;            /* input row held by each slot (or -1 << 30)   */
} dw_chunk;

/* Input row iy (columns -pad_left .. -pad_left + wp - 1) of the chunk's
 * channels into ring slot `slot`.  The columns outside the image hold the
 * zero point from dw_chunk_run's fill and are never written again; a row
 * outside the image sets the image columns to the zero point too. */
static void convert_row(const dw_chunk *k, int32_t iy, int32_t slot)
{
    const nk_conv_params *p = k->p;
    float32x4_t *d = k->ring + (size_t)slot * k->groups * k->wp;
    const int32_t x0 = -p->pad_left;
    const int32_t lo = x0 < 0 ? -x0 : 0, hi = p->in_w - x0 < k->wp ? p->in_w - x0 : k->wp;
    k->tag[slot] = iy;
    if (iy < 0 || iy >= p->in_h) {
        const float32x4_t zp = vdupq_n_f32((float)p->in_zp);
        for (int32_t g = 0; g < k->groups; ++g)
            for (int32_t x = lo; x < hi; ++x)
                d[(size_t)g * k->wp + x] = zp;
        return;
    }
    const int8_t *s = k->in_b + ((size_t)iy * p->in_w + (x0 + lo)) * p->in_c + k->c0;
    const int32_t left = p->in_c - k->c0 - 4 * (k->groups - 1); /* channels of the last group */
    const mve_pred16_t last = vctp32q((uint32_t)left);
    for (int32_t x = lo; x < hi; ++x, s += p->in_c) {
        float32x4_t *dx = d + x;
        int32_t g = 0;
        for (; g + 1 < k->groups; ++g, dx += k->wp)
            *dx = vcvtq_f32_s32(vldrbq_s32(s + 4 * g));
        *dx = vcvtq_f32_s32(vldrbq_z_s32(s + 4 * g, last));
    }
}

/* The ring slot holding input row iy (converting it when absent); `need`
 * are the filter_h rows of this output row, none of which may be evicted. */
static int32_t slot_of(const dw_chunk *k, int32_t iy, const int32_t *need)
{
    const int32_t fh = k->p->filter_h;
    if (k->p->dilation_h == 1) {
        /* consecutive rows: slot iy mod fh never collides within a window */
        const int32_t s = ((iy % fh) + fh) % fh;
        if (k->tag[s] != iy)
            convert_row(k, iy, s);
        return s;
    }
    for (int32_t s = 0; s < fh; ++s)
        if (k->tag[s] == iy)
            return s;
    for (int32_t s = 0; s < fh; ++s) {
        int used = 0;
        for (int32_t j = 0; j < fh; ++j)
            used |= k->tag[s] == need[j];
        if (!used) {
            convert_row(k, iy, s);
            return s;
        }
    }
    return 0; /* unreachable: fh slots, at most fh rows needed */
}

/* One group of four channels: float filter and requantization constants. */
typedef struct dw_group {
    const nk_conv_params *p;
    const float32x4_t *wf;   /* [taps]                                      */
    mve_pred16_t pr;         /* lanes (channels) that exist                 */
    int32x4_t bias, mult, left, right, fix;
    int32x4_t q[6];          /* bias, mult, right, fix, lo, hi for the asm   */
    int shl;                 /* some lane shifts left                       */
} dw_group;

/* NK_MVE_DW_GROUP_BYTES (nk_mve.h) covers it in the stack budget. */
typedef char dw_group_fits[sizeof(dw_group) <= NK_MVE_DW_GROUP_BYTES ? 1 : -1];

/* Sums over the filter for NP (1..4) pixels, ox .. ox + NP - 1 (columns
 * step apart), exact integers as float; rows[fy] are the ring rows. */
#define DW_PIXELS(NP)                                                                        \
    static void dw_pixels##NP(const dw_group *g, const float32x4_t *const *rows, int32_t ox,  \
                              int32_t step, int32x4_t *acc)                                  \
    {                                                                                        \
        const nk_conv_params *p = g->p;                                                      \
        const float32x4_t *w = g->wf;                                                        \
        float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0, a2 = a0, a3 = a0;                       \
        for (int32_t fy = 0; fy < p->filter_h; ++fy) {                                       \
            const float32x4_t *x = rows[fy] + (size_t)ox * step;                             \
            for (int32_t fx = 0; fx < p->filter_w; ++fx, x += p->dilation_w, ++w) {         \
                const float32x4_t wv = *w;                                                   \
                a0 = vfmaq_f32(a0, x[0], wv);                                                \
                if (NP > 1)                                                                  \
                    a1 = vfmaq_f32(a1, x[step], wv);                                         \
                if (NP > 2)                                                                  \
                    a2 = vfmaq_f32(a2, x[2 * step], wv);                                     \
                if (NP > 3)                                                                  \
                    a3 = vfmaq_f32(a3, x[3 * step], wv);                                     \
            }                                                                                \
        }                                                                                    \
        acc[0] = vcvtq_s32_f32(a0);                                                          \
        acc[1] = vcvtq_s32_f32(a1);                                                          \
        acc[2] = vcvtq_s32_f32(a2);                                                          \
        acc[3] = vcvtq_s32_f32(a3);                                                          \
    }
DW_PIXELS(1)
DW_PIXELS(2)
DW_PIXELS(3)
DW_PIXELS(4)

/* What dw3s1_block reads (offsets fixed below). */
typedef struct dw_blk {
    const float32x4_t *const *rows; /*  0: ring row of each filter row        */
    int32_t fh;                     /*  4                                     */
    int32_t ox16;                   /*  8: 16 * first column                  */
    const float32x4_t *wf;          /* 12: filter_h * 3 taps                  */
    const int32x4_t *q;             /* 16: bias, mult, right, fix, lo, hi     */
    int8_t *out;                    /* 20: first pixel's first channel        */
    int32_t out_step;               /* 24: bytes from one pixel to the next   */
    int32_t np;                     /* 28: pixels to store (1..4)             */
    int32_t zp;                     /* 32: output zero point                  */
    uint32_t pred;                  /* 36: P0 for the stores (channels)       */
} dw_blk;

/* Four pixels of a filter three columns wide, stride 1, dilation 1, no
 * left shift: each input column is loaded once and feeds every pixel
 * whose window holds it (per filter row 3 weight and 6 input loads for 12
 * multiply-adds), then the four sums are converted to int32, requantized
 * (nk_mve_requant.h, right shifts) and the first np pixels stored. */
__attribute__((naked, noinline)) static void dw3s1_block(__attribute__((unused)) const dw_blk *b)
{
    __asm__ volatile(
        "push {r4-r6, lr}\n\t"
        "vpush {d8-d15}\n\t"
        "ldrd r1, r2, [r0, #0]\n\t"  /* rows, fh */
        "ldrd r3, r4, [r0, #8]\n\t"  /* ox16, wf */
        "vmov.i32 q0, #0\n\t"
        "vmov.i32 q1, #0\n\t"
        "vmov.i32 q2, #0\n\t"
        "vmov.i32 q3, #0\n\t"
        "1:\n\t"
        "ldr r12, [r1], #4\n\t"
        "add r12, r12, r3\n\t"
        "vldrw.32 q4, [r4], #16\n\t"
        "vldrw.32 q5, [r4], #16\n\t"
        "vldrw.32 q6, [r4], #16\n\t"
        "vldrw.32 q7, [r12], #16\n\t"
        "vfma.f32 q0, q7, q4\n\t"
        "vldrw.32 q7, [r12], #16\n\t"
        "vfma.f32 q0, q7, q5\n\t"
        "vfma.f32 q1, q7, q4\n\t"
        "vldrw.32 q7, [r12], #16\n\t"
        "vfma.f32 q0, q7, q6\n\t"
        "vfma.f32 q1, q7, q5\n\t"
        "vfma.f32 q2, q7, q4\n\t"
        "vldrw.32 q7, [r12], #16\n\t"
        "vfma.f32 q1, q7, q6\n\t"
        "vfma.f32 q2, q7, q5\n\t"
        "vfma.f32 q3, q7, q4\n\t"
        "vldrw.32 q7, [r12], #16\n\t"
        "vfma.f32 q2, q7, q6\n\t"
        "vfma.f32 q3, q7, q5\n\t"
        "vldrw.32 q7, [r12]\n\t"
        "vfma.f32 q3, q7, q6\n\t"
        "subs r2, r2, #1\n\t"
        "bne 1b\n\t"
        "ldr r1, [r0, #16]\n\t"      /* constants */
        "vcvt.s32.f32 q0, q0\n\t"
        "vcvt.s32.f32 q1, q1\n\t"
        "vcvt.s32.f32 q2, q2\n\t"
        "vcvt.s32.f32 q3, q3\n\t"
        "vldrw.32 q4, [r1]\n\t"      /* bias */
        "vldrw.32 q5, [r1, #16]\n\t" /* mult */
        "vldrw.32 q6, [r1, #32]\n\t" /* right */
        "vldrw.32 q7, [r1, #48]\n\t" /* fix */
        "vadd.i32 q0, q0, q4\n\t"
        "vadd.i32 q1, q1, q4\n\t"
        "vadd.i32 q2, q2, q4\n\t"
        "vadd.i32 q3, q3, q4\n\t"
        "vqrdmulh.s32 q0, q0, q5\n\t"
        "vqrdmulh.s32 q1, q1, q5\n\t"
        "vqrdmulh.s32 q2, q2, q5\n\t"
        "vqrdmulh.s32 q3, q3, q5\n\t"
        "vshr.s32 q4, q0, #31\n\t"
        "vshr.s32 q5, q1, #31\n\t"
        "vand q4, q4, q7\n\t"
        "vand q5, q5, q7\n\t"
        "vqadd.s32 q0, q0, q4\n\t"
        "vqadd.s32 q1, q1, q5\n\t"
        "vshr.s32 q4, q2, #31\n\t"
        "vshr.s32 q5, q3, #31\n\t"
        "vand q4, q4, q7\n\t"
        "vand q5, q5, q7\n\t"
        "vqadd.s32 q2, q2, q4\n\t"
        "vqadd.s32 q3, q3, q5\n\t"
        "vrshl.s32 q0, q0, q6\n\t"
        "vrshl.s32 q1, q1, q6\n\t"
        "vrshl.s32 q2, q2, q6\n\t"
        "vrshl.s32 q3, q3, q6\n\t"
        "vldrw.32 q4, [r1, #64]\n\t" /* lo */
        "vldrw.32 q5, [r1, #80]\n\t" /* hi */
        "ldrd r2, r3, [r0, #20]\n\t" /* out, out_step */
        "ldrd r4, r5, [r0, #28]\n\t" /* np, zp */
        "ldr r6, [r0, #36]\n\t"      /* pred */
        "vmsr p0, r6\n\t"
        "vadd.i32 q0, q0, r5\n\t"
        "vmax.s32 q0, q0, q4\n\t"
        "vmin.s32 q0, q0, q5\n\t"
        "vpst\n\t"
        "vstrbt.32 q0, [r2]\n\t"
        "subs r4, r4, #1\n\t"
        "beq 2f\n\t"
        "add r2, r2, r3\n\t"
        "vadd.i32 q1, q1, r5\n\t"
        "vmax.s32 q1, q1, q4\n\t"
        "vmin.s32 q1, q1, q5\n\t"
        "vpst\n\t"
        "vstrbt.32 q1, [r2]\n\t"
        "subs r4, r4, #1\n\t"
        "beq 2f\n\t"
        "add r2, r2, r3\n\t"
        "vadd.i32 q2, q2, r5\n\t"
        "vmax.s32 q2, q2, q4\n\t"
        "vmin.s32 q2, q2, q5\n\t"
        "vpst\n\t"
        "vstrbt.32 q2, [r2]\n\t"
        "subs r4, r4, #1\n\t"
        "beq 2f\n\t"
        "add r2, r2, r3\n\t"
        "vadd.i32 q3, q3, r5\n\t"
        "vmax.s32 q3, q3, q4\n\t"
        "vmin.s32 q3, q3, q5\n\t"
        "vpst\n\t"
        "vstrbt.32 q3, [r2]\n\t"
        "2:\n\t"
        "vpop {d8-d15}\n\t"
        "pop {r4-r6, pc}\n\t");
}

/* Outputs ox .. ox + np - 1 of one output row for one group, requantized
 * and stored (out = the row's output at channel g's first). */
static void dw_block(const dw_group *g, const float32x4_t *const *rows, int32_t ox, int32_t np,
                     int slide, int8_t *out)
{
    const nk_conv_params *p = g->p;
    if (slide && !g->shl) {
        /* the ring has three spare columns: np < 4 reads them, unused */
        const dw_blk b = {.rows = rows, .fh = p->filter_h, .ox16 = 16 * ox, .wf = g->wf,
                          .q = g->q, .out = out + (size_t)ox * p->in_c, .out_step = p->in_c,
                          .np = np, .zp = p->out_zp, .pred = g->pr};
        dw3s1_block(&b);
        return;
    }
    int32x4_t acc[4];
    switch (np) {
    case 1: dw_pixels1(g, rows, ox, p->stride_w, acc); break;
    case 2: dw_pixels2(g, rows, ox, p->stride_w, acc); break;
    case 3: dw_pixels3(g, rows, ox, p->stride_w, acc); break;
    default: dw_pixels4(g, rows, ox, p->stride_w, acc); break;
    }
    for (int32_t j = 0; j < np; ++j) {
        int32x4_t v = vaddq_s32(acc[j], g->bias);
        if (g->shl)
            v = vshlq_s32(v, g->left);
        v = nk_mve_mbqm_v(v, g->mult, g->right, g->fix);
        nk_mve_store4(out + (size_t)(ox + j) * p->in_c, v, p->out_zp, g->q[4], g->q[5], g->pr);
    }
}

/* Filter and constants of group g (channels c .. c + 3) into *d; wf
 * receives the taps as float. */
static void dw_group_init(const nk_conv_params *p, const int8_t *filter, const int32_t *bias,
                          int32_t c, float32x4_t *wf, dw_group *d)
{
    const int32_t taps = p->filter_h * p->filter_w;
    d->p = p;
    d->wf = wf;
    d->pr = vctp32q((uint32_t)(p->in_c - c));
    int32x4_t sum = vdupq_n_s32(0);
    for (int32_t t = 0; t < taps; ++t) {
        const int32x4_t w = vldrbq_z_s32(filter + (size_t)t * p->in_c + c, d->pr);
        wf[t] = vcvtq_f32_s32(w);
        sum = vaddq_s32(sum, w);
    }
    const int32x4_t b = bias ? vldrwq_z_s32(bias + c, d->pr) : vdupq_n_s32(0);
    d->bias = vsubq_s32(b, vmulq_n_s32(sum, p->in_zp));
    int32x4_t sh;
    if (p->per_channel) {
        sh = vldrwq_z_s32(p->out_shift + c, d->pr);
        d->mult = vldrwq_z_s32(p->out_mult + c, d->pr);
    } else {
        sh = vdupq_n_s32(p->out_shift[0]);
        d->mult = vdupq_n_s32(p->out_mult[0]);
    }
    d->right = vminq_s32(sh, vdupq_n_s32(0));
    d->left = vmaxq_s32(sh, vdupq_n_s32(0));
    d->fix = vshrq_n_s32(d->right, 31);
    d->shl = vmaxvq_s32(0, d->left) > 0;
    d->q[0] = d->bias;
    d->q[1] = d->mult;
    d->q[2] = d->right;
    d->q[3] = d->fix;
    d->q[4] = vdupq_n_s32(p->act_min);
    d->q[5] = vdupq_n_s32(p->act_max);
}

/* Every output of one chunk of channels of one batch image. */
static void dw_chunk_run(dw_chunk *k, const dw_group *groups, int8_t *out_b)
{
    const nk_conv_params *p = k->p;
    const int slide = p->filter_w == 3 && p->stride_w == 1 && p->dilation_w == 1;
    const float32x4_t *rows[p->filter_h];
    int32_t need[p->filter_h], slot[p->filter_h];
    const float32x4_t zp = vdupq_n_f32((float)p->in_zp);
    for (int32_t i = 0; i < p->filter_h * k->groups * k->wp; ++i)
        k->ring[i] = zp;
    for (int32_t s = 0; s < p->filter_h; ++s)
        k->tag[s] = -(1 << 30);
    for (int32_t oy = 0; oy < p->out_h; ++oy) {
        for (int32_t fy = 0; fy < p->filter_h; ++fy)
            need[fy] = oy * p->stride_h - p->pad_top + fy * p->dilation_h;
        for (int32_t fy = 0; fy < p->filter_h; ++fy)
            slot[fy] = slot_of(k, need[fy], need);
        int8_t *out = out_b + (size_t)oy * p->out_w * p->in_c + k->c0;
        for (int32_t g = 0; g < k->groups; ++g, out += 4) {
            for (int32_t fy = 0; fy < p->filter_h; ++fy)
                rows[fy] = k->ring + ((size_t)slot[fy] * k->groups + g) * k->wp;
            for (int32_t ox = 0; ox < p->out_w; ox += 4)
                dw_block(&groups[g], rows, ox, p->out_w - ox < 4 ? p->out_w - ox : 4, slide,
                         out);
        }
    }
}

int nk_depthwise_conv2d_s8_mve(const nk_conv_params *p, const int8_t *input,
                               const int8_t *filter, const int32_t *bias, int8_t *output)
{
    const int32_t c_n = p->in_c, taps = p->filter_h * p->filter_w;
    /* ring columns: the padded row, plus three the 4-pixel passes may read */
    const int32_t wp = (p->out_w - 1) * p->stride_w + (p->filter_w - 1) * p->dilation_w + 4;
    /* bytes per group of four channels: ring rows, filter, constants */
    const int64_t per_group = ((int64_t)p->filter_h * wp + taps) * 16 + NK_MVE_DW_GROUP_BYTES;
    if (p->depth_multiplier != 1 || taps > NK_MVE_DW_TAPS_MAX || per_group > NK_MVE_DW_STACK_MAX)
        return NK_ERR_PARAMS;
    for (int32_t c = 0; c < (p->per_channel ? c_n : 1); ++c)
        if (p->out_shift[c] < -31 || p->out_shift[c] > 31)
            return NK_ERR_PARAMS;
    const int32_t all = (c_n + 3) / 4;
    const int32_t chunk = NK_MVE_DW_STACK_MAX / per_group < all
                              ? (int32_t)(NK_MVE_DW_STACK_MAX / per_group) : all;
    float32x4_t ring[p->filter_h * wp * chunk], wf[taps * chunk];
    dw_group groups[chunk];
    int32_t tag[p->filter_h];
    dw_chunk k = {.p = p, .wp = wp, .ring = ring, .tag = tag};
    for (int32_t g0 = 0; g0 < all; g0 += chunk) {
        k.c0 = 4 * g0;
        k.groups = all - g0 < chunk ? all - g0 : chunk;
        for (int32_t g = 0; g < k.groups; ++g)
            dw_group_init(p, filter, bias, k.c0 + 4 * g, wf + (size_t)g * taps, &groups[g]);
        for (int32_t b = 0; b < p->batches; ++b) {
            k.in_b = input + (size_t)b * p->in_h * p->in_w * c_n;
            dw_chunk_run(&k, groups, output + (size_t)b * p->out_h * p->out_w * c_n);
        }
    }
    return NK_OK;
}

#else
typedef int nk_mve_depthwise_conv2d_unused; /* ISO C: no empty translation unit */
#endif
