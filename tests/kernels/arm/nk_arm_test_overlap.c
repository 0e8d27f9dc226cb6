/* tests/kernels/arm/nk_arm_test_overlap.c — the fast kernels on the
 * overlapped buffers the memory planner's overlap table allows
 * (sdk/src/plan/plan_overlap.c), against the portable kernel on separate
 * buffers: the 1x1 row-pair kernel (nk_pw_pack) at its own gap (pairs of
 * pixels read before written), the depthwise 3x3 stride-1 kernel (DSP
 * dw3x3_s1, Helium row ring) at any whole-pixel gap, 0 included. */
#include "nk_arm_test.h"

static int8_t ovl_buf[40000];

/* The row-pair kernel's gap: per pair of output pixels (and batch) the
 * bytes written up to the pair's end less the input still unread (from
 * the next pair's first input pixel on). */
static long pw_gap(const nk_conv_params *p)
{
    const long npix = (long)p->out_h * p->out_w, img = (long)p->in_h * p->in_w * p->in_c;
    long gap = 0;
    for (long b = 0; b < p->batches; ++b)
        for (long q = 0; q < npix; q += 2) {
            const long end = q + 2 < npix ? q + 2 : npix;
            const long src = end >= npix ? img
                                         : ((end / p->out_w) * p->stride_h * p->in_w +
                                            (end % p->out_w) * p->stride_w) * p->in_c;
            const long need = (b * npix + end) * p->out_c - b * img - src;
            if (need > gap)
                gap = need;
        }
    return gap;
}

int test_pw_rows(int iter)
{
    static int16_t pw[NK_PW_PACK_HALVES(NK_PW_PACK_MAX_IN_C, 64)];
    static int32_t pt[4 * 64];
    nk_conv_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 2);
    p.in_c = (rnd() & 1) ? 4 * rnd_in(1, 32) : rnd_in(1, NK_PW_PACK_MAX_IN_C);
    p.out_c = 2 * rnd_in(1, 32);
    if (iter < 20) { /* kws DS-CNN's pointwise layers */
        p.batches = 1;
        p.in_c = p.out_c = 64;
    }
    p.in_h = rnd_in(1, 25);
    p.in_w = rnd_in(1, 8);
    while ((size_t)p.batches * p.in_h * p.in_w * (p.in_c > p.out_c ? p.in_c : p.out_c) >
           sizeof in_buf / 2) {
        p.in_h = (p.in_h + 1) / 2;
        p.batches = 1;
    }
    p.filter_h = p.filter_w = 1;
    p.stride_h = (rnd() % 3) ? 1 : rnd_in(2, 3);
    p.stride_w = (rnd() % 3) ? 1 : rnd_in(2, 3);
    p.dilation_h = p.dilation_w = 1;
    p.depth_multiplier = 1;
    p.out_h = (p.in_h - 1) / p.stride_h + 1;
    p.out_w = (p.in_w - 1) / p.stride_w + 1;
    conv_quant(&p);
    fill_quant_in(p.out_c, 1 << 30, -20, -1);
    const size_t n_in = (size_t)p.batches * p.in_h * p.in_w * p.in_c;
    const size_t n_out = (size_t)p.batches * p.out_h * p.out_w * p.out_c;
    fill(in_buf, n_in);
    fill(w_buf, (size_t)p.out_c * p.in_c);
    if (rnd() % 4 == 0) {
        fill_extremes(w_buf, (size_t)p.out_c * p.in_c);
        fill_extremes(in_buf, n_in);
        bias[0] = (rnd() & 1) ? (1 << 29) - 1 : -(1 << 29);
    }
    /* what the layout refuses */
    switch (rnd() % 12) {
    case 0: shift[0] = (rnd() & 1) ? 0 : -21; break;
    case 1: p.act_min = p.out_zp; break;
    case 2: bias[0] = (rnd() & 1) ? (1 << 29) : -(1 << 29) - 1; break;
    default: break;
    }
    const int32_t *b = pick_bias();
    const int refuse = p.act_min != -128 || shift[0] > -1 || shift[0] < -20 ||
                       (b && (bias[0] >= (1 << 29) || bias[0] < -(1 << 29)));
    const int rp = nk_pw_pack_s8(&p, w_buf, b, pw, pt);
    if (rp != (refuse ? NK_ERR_PARAMS : NK_OK)) {
        put_num("pw rows: pack accepted/refused wrongly at iteration ", iter);
        return 1;
    }
    if (refuse)
        return 0;
    const nk_pw_pack k = {pw, pt};
    nk_conv_params q = p; /* the generated code leaves these out (nk.h) */
    q.out_mult = q.out_shift = NULL;
    prime_outputs(n_out);
    const int ra = nk_conv2d_s8(&p, in_buf, w_buf, b, out_a);
    const int rb = nk_conv2d_1x1_s8_rows(&q, &k, in_buf, out_b); /* portable C here */
    if (verdict(0, ra, rb, n_out, "pw rows (portable twin) mismatch at iteration ", iter))
        return 1;
    const size_t gap = (size_t)pw_gap(&p) + ((rnd() & 1) ? 0 : rnd() % 9);
    if (gap + n_in > sizeof ovl_buf || n_out > sizeof ovl_buf)
        return 0;
    const int rc = nk_conv2d_1x1_s8_rows_dsp(&q, &k, place_input(ovl_buf, sizeof ovl_buf, gap, n_in),
                                             ovl_buf);
    return same_bytes(NK_OK, rc, ovl_buf, n_out, "pw rows (DSP, overlapped) mismatch at iteration ",
                      iter);
}

/* Depthwise 3x3 stride 1, padding one, depth multiplier 1, in_c % 4 == 0,
 * images the DSP kernel holds whole (the table's DEPTHWISE row): the
 * output k whole pixels below the input (k >= 0) gives the portable bytes. */
int test_dw_overlap(int iter)
{
    nk_conv_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 2);
    p.in_c = 4 * rnd_in(1, 20);
    p.in_h = rnd_in(1, 30);
    p.in_w = rnd_in(1, 9);
    if (iter < 20) { /* kws DS-CNN */
        p.batches = 1;
        p.in_h = 25;
        p.in_w = 5;
        p.in_c = 64;
    }
    while (8L * ((p.in_w + 1) / 2) * (p.in_h + 2) > 672)
        p.in_h /= 2;
    while ((size_t)p.batches * p.in_h * p.in_w * p.in_c > sizeof in_buf / 2)
        p.in_c /= 2;
    if (p.in_c % 4)
        return 0;
    p.out_c = p.in_c;
    p.filter_h = p.filter_w = 3;
    p.stride_h = p.stride_w = 1;
    p.dilation_h = p.dilation_w = 1;
    p.depth_multiplier = 1;
    conv_shape(&p, 1);
    conv_quant(&p);
    if (rnd() % 4 == 0)
        p.act_min = p.out_zp;
    fill_quant(p.out_c);
    const size_t n = (size_t)p.batches * p.in_h * p.in_w * p.in_c;
    fill(in_buf, n);
    fill(w_buf, (size_t)9 * p.in_c);
    const int32_t *b = pick_bias();
    const size_t gap = (size_t)p.in_c * (size_t)((rnd() & 1) ? 0 : rnd_in(0, 2 * p.in_w + 2));
    if (gap + n > sizeof ovl_buf)
        return 0;
    memset(out_a, 0x55, n);
    const int ra = nk_depthwise_conv2d_s8(&p, in_buf, w_buf, b, out_a);
    const int rb = fast_dw(&p, place_input(ovl_buf, sizeof ovl_buf, gap, n), w_buf, b, ovl_buf);
    return same_bytes(ra, rb, ovl_buf, n, "depthwise overlapped output differs at iteration ",
                      iter);
}
