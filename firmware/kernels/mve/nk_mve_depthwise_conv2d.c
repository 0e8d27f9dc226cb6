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
    const int32_t full = k->groups - 1, wp = k->wp, in_c = p->in_c;
    for (int32_t x = lo; x < hi; ++x, s += in_c) {
        float32x4_t *dx = d + x;
        const int8_t *sx = s;
        for (int32_t g = full; g > 0; --g, dx += wp, sx += 4)
            *dx = vcvtq_f32_s32(vldrbq_s32(sx));
        *dx = vcvtq_f32_s32(vldrbq_z_s32(sx, last));
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
    int shl;                 /* some lane shifts left                       */
} dw_group;


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

/* A group's constants as dw3s1_row reads them (offsets fixed below). */
typedef struct dw_gq {
    int32x4_t q[6];          /*  0: bias, mult, right, fix, lo, hi           */
    const float32x4_t *wf;   /* 96: the group's filter taps as float         */
    uint32_t pred;           /* 100: P0 for the stores (channels present)    */
    int32_t pad[2];
} dw_gq;

/* dw3s1_row steps through the array 112 bytes at a time, and the stack
 * budget (NK_MVE_DW_GROUP_BYTES, nk_mve.h) counts both structs. */
typedef char dw_gq_size[sizeof(dw_gq) == 112 ? 1 : -1];
typedef char dw_group_fits[sizeof(dw_group) + sizeof(dw_gq) <= NK_MVE_DW_GROUP_BYTES ? 1 : -1];

/* One output row of a chunk, as dw3s1_row reads it (offsets fixed). */
typedef struct dw_row {
    const float32x4_t *const *rows; /*  0: ring rows (group 0) per filter row */
    int32_t fh;                     /*  4                                     */
    int32_t groups;                 /*  8                                     */
    const dw_gq *gq;                /* 12                                     */
    int32_t wp16;                   /* 16: ring bytes from a group to the next */
    int8_t *out;                    /* 20: the row's output at the chunk's first channel */
    int32_t in_c;                   /* 24: output bytes per pixel             */
    int32_t out_w;                  /* 28                                     */
    int32_t zp;                     /* 32: output zero point                  */
} dw_row;

/* Four-pixel multiply-adds of a filter three columns wide, stride 1,
 * dilation 1, for one filter row (r12 = its first input column): each
 * input column is loaded once and feeds every pixel whose window holds it
 * (3 weight and 6 input loads for 12 multiply-adds). */
#define DW3_ROW4                                                                             \
    "vldrw.32 q4, [r4], #16\n\t"                                                             \
    "vldrw.32 q5, [r4], #16\n\t"                                                             \
    "vldrw.32 q6, [r4], #16\n\t"                                                             \
    "vldrw.32 q7, [r12], #16\n\t"                                                            \
    "vfma.f32 q0, q7, q4\n\t"                                                                \
    "vldrw.32 q7, [r12], #16\n\t"                                                            \
    "vfma.f32 q0, q7, q5\n\t"                                                                \
    "vfma.f32 q1, q7, q4\n\t"                                                                \
    "vldrw.32 q7, [r12], #16\n\t"                                                            \
    "vfma.f32 q0, q7, q6\n\t"                                                                \
    "vfma.f32 q1, q7, q5\n\t"                                                                \
    "vfma.f32 q2, q7, q4\n\t"                                                                \
    "vldrw.32 q7, [r12], #16\n\t"                                                            \
    "vfma.f32 q1, q7, q6\n\t"                                                                \
    "vfma.f32 q2, q7, q5\n\t"                                                                \
    "vfma.f32 q3, q7, q4\n\t"                                                                \
    "vldrw.32 q7, [r12], #16\n\t"                                                            \
    "vfma.f32 q2, q7, q6\n\t"                                                                \
    "vfma.f32 q3, q7, q5\n\t"                                                                \
    "vldrw.32 q7, [r12]\n\t"                                                                 \
    "vfma.f32 q3, q7, q6\n\t"

/* Requantization of the int32 sums in register Q with the constants of
 * q4 (bias), q5 (mult), q6 (right), q7 (fix); T is a scratch register. */
#define DW_REQ(Q, T)                                                                          \
    "vadd.i32 " Q ", " Q ", q4\n\t"                                                          \
    "vqrdmulh.s32 " Q ", " Q ", q5\n\t"                                                      \
    "vshr.s32 " T ", " Q ", #31\n\t"                                                         \
    "vand " T ", " T ", q7\n\t"                                                              \
    "vqadd.s32 " Q ", " Q ", " T "\n\t"                                                      \
    "vrshl.s32 " Q ", " Q ", q6\n\t"

/* Store pixel Q: + zp (r0), clamp (q4 lo, q5 hi), predicated (P0) at r5,
 * then r5 += r2; stop after lr pixels. */
#define DW_PUT(Q)                                                                             \
    "vadd.i32 " Q ", " Q ", r0\n\t"                                                          \
    "vmax.s32 " Q ", " Q ", q4\n\t"                                                          \
    "vmin.s32 " Q ", " Q ", q5\n\t"                                                          \
    "vpst\n\t"                                                                               \
    "vstrbt.32 " Q ", [r5]\n\t"                                                              \
    "subs lr, lr, #1\n\t"                                                                    \
    "beq 8f\n\t"                                                                             \
    "add r5, r5, r2\n\t"

/* A whole output row of a chunk for a filter three columns wide, stride 1,
 * dilation 1, no left shift: for each group of four channels, pixels four
 * at a time (a sliding window, or one pixel with three multiply-adds per
 * filter row for a single last pixel; np 2..3 read the ring's three spare
 * columns and drop the extra sums), sums converted to int32, requantized
 * (nk_mve_requant.h, right shifts) and stored. */
__attribute__((naked, noinline)) static void dw3s1_row(__attribute__((unused)) const dw_row *a)
{
    __asm__ volatile(
        "push {r4-r11, lr}\n\t"
        "vpush {d8-d15}\n\t"
        "mov r11, r0\n\t"
        "ldr r10, [r11, #12]\n\t"     /* gq */
        "movs r9, #0\n\t"             /* ring offset of group g */
        "ldr r8, [r11, #20]\n\t"      /* output of group g */
        "ldr r7, [r11, #8]\n\t"       /* groups left */
        "1:\n\t"
        "movs r6, #0\n\t"             /* ox */
        "2:\n\t"
        "ldr lr, [r11, #28]\n\t"
        "sub lr, lr, r6\n\t"          /* np = min(out_w - ox, 4) */
        "cmp lr, #4\n\t"
        "it gt\n\t"
        "movgt lr, #4\n\t"
        "ldrd r1, r2, [r11, #0]\n\t"  /* rows, fh */
        "add r3, r9, r6, lsl #4\n\t"
        "ldr r4, [r10, #96]\n\t"      /* wf */
        "vmov.i32 q0, #0\n\t"
        "cmp lr, #1\n\t"
        "beq 5f\n\t"
        "vmov.i32 q1, #0\n\t"
        "vmov.i32 q2, #0\n\t"
        "vmov.i32 q3, #0\n\t"
        "3:\n\t"
        "ldr r12, [r1], #4\n\t"
        "add r12, r12, r3\n\t" DW3_ROW4
        "subs r2, r2, #1\n\t"
        "bne 3b\n\t"
        "vcvt.s32.f32 q0, q0\n\t"
        "vcvt.s32.f32 q1, q1\n\t"
        "vcvt.s32.f32 q2, q2\n\t"
        "vcvt.s32.f32 q3, q3\n\t"
        "vldrw.32 q4, [r10]\n\t"
        "vldrw.32 q5, [r10, #16]\n\t"
        "vldrw.32 q6, [r10, #32]\n\t"
        "vldrw.32 q7, [r10, #48]\n\t" DW_REQ("q0", "q4") "vldrw.32 q4, [r10]\n\t"
        DW_REQ("q1", "q4") "vldrw.32 q4, [r10]\n\t" DW_REQ("q2", "q4") "vldrw.32 q4, [r10]\n\t"
        DW_REQ("q3", "q4")
        "b 7f\n\t"
        "5:\n\t" /* one pixel */
        "ldr r12, [r1], #4\n\t"
        "add r12, r12, r3\n\t"
        "vldrw.32 q4, [r4], #16\n\t"
        "vldrw.32 q7, [r12], #16\n\t"
        "vfma.f32 q0, q7, q4\n\t"
        "vldrw.32 q5, [r4], #16\n\t"
        "vldrw.32 q7, [r12], #16\n\t"
        "vfma.f32 q0, q7, q5\n\t"
        "vldrw.32 q6, [r4], #16\n\t"
        "vldrw.32 q7, [r12]\n\t"
        "vfma.f32 q0, q7, q6\n\t"
        "subs r2, r2, #1\n\t"
        "bne 5b\n\t"
        "vcvt.s32.f32 q0, q0\n\t"
        "vldrw.32 q4, [r10]\n\t"
        "vldrw.32 q5, [r10, #16]\n\t"
        "vldrw.32 q6, [r10, #32]\n\t"
        "vldrw.32 q7, [r10, #48]\n\t" DW_REQ("q0", "q4")
        "7:\n\t" /* store the first lr pixels */
        "vldrw.32 q4, [r10, #64]\n\t" /* lo */
        "vldrw.32 q5, [r10, #80]\n\t" /* hi */
        "ldr r12, [r10, #100]\n\t"
        "vmsr p0, r12\n\t"
        "ldr r0, [r11, #32]\n\t"      /* zp */
        "ldr r2, [r11, #24]\n\t"      /* bytes per pixel */
        "mul r5, r6, r2\n\t"
        "add r5, r5, r8\n\t"          /* output of pixel ox */
        DW_PUT("q0") DW_PUT("q1") DW_PUT("q2") DW_PUT("q3")
        "8:\n\t"
        "adds r6, r6, #4\n\t"
        "ldr r0, [r11, #28]\n\t"
        "cmp r6, r0\n\t"
        "blt 2b\n\t"
        "ldr r0, [r11, #16]\n\t"
        "add r9, r9, r0\n\t"
        "adds r8, r8, #4\n\t"
        "adds r10, r10, #112\n\t"
        "subs r7, r7, #1\n\t"
        "bne 1b\n\t"
        "vpop {d8-d15}\n\t"
        "pop {r4-r11, pc}\n\t");
}

/* Outputs ox .. ox + np - 1 of one output row for one group, requantized
 * and stored (out = the row's output at channel g's first). */
static void dw_block(const dw_group *g, const float32x4_t *const *rows, int32_t ox, int32_t np,
                     int8_t *out)
{
    const nk_conv_params *p = g->p;
    int32x4_t acc[4];
    switch (np) {
    case 1: dw_pixels1(g, rows, ox, p->stride_w, acc); break;
    case 2: dw_pixels2(g, rows, ox, p->stride_w, acc); break;
    case 3: dw_pixels3(g, rows, ox, p->stride_w, acc); break;
    default: dw_pixels4(g, rows, ox, p->stride_w, acc); break;
    }
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    for (int32_t j = 0; j < np; ++j) {
        int32x4_t v = vaddq_s32(acc[j], g->bias);
        if (g->shl)
            v = vshlq_s32(v, g->left);
        v = nk_mve_mbqm_v(v, g->mult, g->right, g->fix);
        nk_mve_store4(out + (size_t)(ox + j) * p->in_c, v, p->out_zp, lo, hi, g->pr);
    }
}

/* Filter and constants of group g (channels c .. c + 3) into *d; wf
 * receives the taps as float. */
static void dw_group_init(const nk_conv_params *p, const int8_t *filter, const int32_t *bias,
                          int32_t c, float32x4_t *wf, dw_group *d, dw_gq *q)
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
    q->q[0] = d->bias;
    q->q[1] = d->mult;
    q->q[2] = d->right;
    q->q[3] = d->fix;
    q->q[4] = vdupq_n_s32(p->act_min);
    q->q[5] = vdupq_n_s32(p->act_max);
    q->wf = wf;
    q->pred = d->pr;
}

/* Every output of one chunk of channels of one batch image. */
static void dw_chunk_run(dw_chunk *k, const dw_group *groups, const dw_gq *gq, int8_t *out_b)
{
    const nk_conv_params *p = k->p;
    int slide = p->filter_w == 3 && p->stride_w == 1 && p->dilation_w == 1;
    for (int32_t g = 0; g < k->groups; ++g)
        slide &= !groups[g].shl;
    const float32x4_t *rows[p->filter_h];
    int32_t need[p->filter_h], slot[p->filter_h];
    const float32x4_t zp = vdupq_n_f32((float)p->in_zp);
    for (int32_t i = 0; i < p->filter_h * k->groups * k->wp; ++i)
        k->ring[i] = zp;
    for (int32_t s = 0; s < p->filter_h; ++s)
        k->tag[s] = -(1 << 30);
    dw_row r = {.rows = rows, .fh = p->filter_h, .groups = k->groups, .gq = gq,
                .wp16 = 16 * k->wp, .in_c = p->in_c, .out_w = p->out_w, .zp = p->out_zp};
    for (int32_t oy = 0; oy < p->out_h; ++oy) {
        for (int32_t fy = 0; fy < p->filter_h; ++fy)
            need[fy] = oy * p->stride_h - p->pad_top + fy * p->dilation_h;
        for (int32_t fy = 0; fy < p->filter_h; ++fy)
            slot[fy] = slot_of(k, need[fy], need);
        for (int32_t fy = 0; fy < p->filter_h; ++fy)
            rows[fy] = k->ring + (size_t)slot[fy] * k->groups * k->wp;
        int8_t *out = out_b + (size_t)oy * p->out_w * p->in_c + k->c0;
        if (slide) {
            /* the ring has three spare columns: np 2..3 reads them, unused */
            r.out = out;
            dw3s1_row(&r);
            continue;
        }
        for (int32_t g = 0; g < k->groups; ++g, out += 4) {
            if (g > 0)
                for (int32_t fy = 0; fy < p->filter_h; ++fy)
                    rows[fy] += k->wp;
            for (int32_t ox = 0; ox < p->out_w; ox += 4)
                dw_block(&groups[g], rows, ox, p->out_w - ox < 4 ? p->out_w - ox : 4, out);
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
    dw_gq gq[chunk];
    int32_t tag[p->filter_h];
    dw_chunk k = {.p = p, .wp = wp, .ring = ring, .tag = tag};
    for (int32_t g0 = 0; g0 < all; g0 += chunk) {
        k.c0 = 4 * g0;
        k.groups = all - g0 < chunk ? all - g0 : chunk;
        for (int32_t g = 0; g < k.groups; ++g)
            dw_group_init(p, filter, bias, k.c0 + 4 * g, wf + (size_t)g * taps, &groups[g],
                          &gq[g]);
        for (int32_t b = 0; b < p->batches; ++b) {
            k.in_b = input + (size_t)b * p->in_h * p->in_w * c_n;
            dw_chunk_run(&k, groups, gq, output + (size_t)b * p->out_h * p->out_w * c_n);
        }
    }
    return NK_OK;
}

#else
typedef int nk_mve_depthwise_conv2d_unused; /* ISO C: no empty translation unit */
#endif
