/* tests/kernels/arm/nk_arm_test_gemm.c — equality cases of the GEMM core
 * (1x1 CONV_2D, FULLY_CONNECTED) and the Helium-only cases (see
 * nk_arm_test.h). */
#include "nk_arm_test.h"

/* ---- GEMM core (nk_arm_gemm.c): 1x1 CONV_2D and FULLY_CONNECTED ---- */

/* Requantization parameters hitting every path of nk_arm_gemm.c: the fused
 * SMMULR path (right shifts 1..20, |bias| < 2^29), shifts outside it (0,
 * left shifts, -21..-31), biases at and beyond 2^29, multipliers 0 and
 * 2^30, and the clamp range full, relu or narrow. */
static void gemm_fill_quant(int32_t n, int32_t *act_min, int32_t *act_max, int32_t out_zp)
{
    const uint32_t mode = rnd() % 8;
    for (int32_t i = 0; i < n; ++i) {
        bias[i] = rnd_in(-40000, 40000);
        mult[i] = rnd_in(1 << 30, 0x7fffffff);
        shift[i] = rnd_in(-14, -1);
        switch (mode) {
        case 1: shift[i] = rnd_in(-31, 3); break;
        case 2: bias[i] = (rnd() & 1) ? rnd_in((1 << 29) - 3, (1 << 29) + 3)
                                      : -rnd_in((1 << 29) - 3, (1 << 29) + 3); break;
        case 3: mult[i] = (rnd() & 1) ? (1 << 30) : 0; break;
        case 4: shift[i] = (rnd() & 1) ? -20 : -21; break;
        default: break;
        }
    }
    *act_min = -128;
    *act_max = 127;
    switch (rnd() % 4) {
    case 0: *act_min = out_zp; break;
    case 1: *act_min = rnd_in(-128, 0); *act_max = rnd_in(1, 127); break;
    default: break;
    }
}

static int32_t gemm_depth(void)
{
    switch (rnd() % 6) {
    case 0: return 16 * rnd_in(1, 8);
    case 1: return 8 * rnd_in(1, 16);
    case 2: return rnd_in(120, 140);
    default: return rnd_in(1, 40);
    }
}

int test_conv1x1(int iter)
{
    nk_conv_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 2);
    p.in_c = gemm_depth();
    p.out_c = rnd_in(1, 70);
    p.in_h = rnd_in(1, 12);
    p.in_w = rnd_in(1, 12);
    while ((size_t)p.batches * p.in_h * p.in_w * p.in_c > sizeof in_buf ||
           (size_t)p.batches * p.in_h * p.in_w * p.out_c > sizeof out_a) {
        p.in_h = (p.in_h + 1) / 2;
        p.in_w = (p.in_w + 1) / 2;
        p.batches = 1;
    }
    p.filter_h = p.filter_w = 1;
    p.stride_h = rnd_in(1, 3);
    p.stride_w = rnd_in(1, 3);
    p.dilation_h = rnd_in(1, 2);
    p.dilation_w = rnd_in(1, 2);
    p.out_h = (p.in_h - 1) / p.stride_h + 1;
    p.out_w = (p.in_w - 1) / p.stride_w + 1;
    p.depth_multiplier = 1;
    conv_quant(&p);
    gemm_fill_quant(p.out_c, &p.act_min, &p.act_max, p.out_zp);
    fill(in_buf, (size_t)p.batches * p.in_h * p.in_w * p.in_c);
    fill(w_buf, (size_t)p.out_c * p.in_c);
    return check_conv(&p, pick_bias(), 0, "conv2d 1x1 mismatch at iteration ", iter);
}

int test_fc_gemm(int iter)
{
    nk_fc_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 9);
    p.in_depth = (rnd() % 8 == 0) ? rnd_in(1020, 1100) : gemm_depth();
    p.out_depth = rnd_in(1, 70);
    if (p.in_depth > 1000)
        p.batches = rnd_in(1, 3);
    fc_quant(&p);
    gemm_fill_quant(p.out_depth, &p.act_min, &p.act_max, p.out_zp);
    fill(in_buf, (size_t)p.batches * p.in_depth + 4);
    fill(w_buf, (size_t)p.out_depth * p.in_depth);
    const int32_t *b = pick_bias();
    const size_t n_out = (size_t)p.batches * p.out_depth;
    const int8_t *in = in_buf + (iter & 3);
    /* weights at any alignment too */
    const int8_t *w = w_buf + ((rnd() & 1) && p.out_depth * p.in_depth + 3 <= (int32_t)sizeof w_buf
                                   ? (int32_t)(rnd() & 3) : 0);
    prime_outputs(n_out);
    const int ra = nk_fully_connected_s8(&p, in, w, b, out_a);
    const int rb = fast_fc(&p, in, w, b, out_b);
    return verdict(fc_refused(&p), ra, rb, n_out,
                   "fully_connected (gemm) mismatch at iteration ", iter);
}
#if !defined(NK_TEST_MVE)
/* The packed FULLY_CONNECTED layouts (nk_fc_pack, nk.h; int8 or int16 at
 * random): packed here as the code generator packs, run by the DSP
 * version, equal to the portable kernel; weights at the int8 extremes sometimes (chunk and int16 bounds),
 * depths across several 128-input chunks. */
int test_fc_packed(int iter)
{
    static int32_t pw[16384], pk[256];
    static uint32_t xb[1024];
    nk_fc_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 3);
    p.in_depth = (rnd() % 4 == 0) ? rnd_in(129, 700) : rnd_in(1, 128);
    p.out_depth = rnd_in(1, 40);
    while (NK_FC_PACK_WORDS16(p.in_depth, p.out_depth) > 16384)
        p.out_depth /= 2;
    fc_quant(&p);
    gemm_fill_quant(p.out_depth, &p.act_min, &p.act_max, p.out_zp);
    fill(in_buf, (size_t)p.batches * p.in_depth);
    fill(w_buf, (size_t)p.out_depth * p.in_depth);
    const int extreme = rnd() % 4 == 0;
    for (int32_t i = 0; i < p.out_depth * p.in_depth; ++i) {
        if (w_buf[i] == -128 || extreme)
            w_buf[i] = extreme ? ((rnd() & 1) ? 127 : -127) : -127;
    }
    if (extreme)
        for (int32_t i = 0; i < p.batches * p.in_depth; ++i)
            in_buf[i] = (rnd() & 1) ? 127 : -128;
    const int32_t *b = pick_bias();
    const size_t n_out = (size_t)p.batches * p.out_depth;
    int32_t x2 = 0;
    const int32_t wide = (int32_t)(rnd() & 1); /* the int16 layout half the time */
    if ((wide ? nk_fc_pack_s8_w16(&p, w_buf, b, pw, pk, &x2)
              : nk_fc_pack_s8(&p, w_buf, b, pw, pk, &x2)) != NK_OK) {
        put_num("fc packed: weights in [-127, 127] refused at iteration ", iter);
        return 1;
    }
    const nk_fc_pack k = {pw, pk, xb, NK_FC_PACK_DEPTH(p.in_depth), x2, wide};
    prime_outputs(n_out);
    const int ra = nk_fully_connected_s8(&p, in_buf, w_buf, b, out_a);
    const int rb = wide ? nk_fully_connected_s8_packed16_dsp(&p, &k, in_buf, out_b)
                        : nk_fully_connected_s8_packed_dsp(&p, &k, in_buf, out_b);
    return verdict(0, ra, rb, n_out, "fully_connected (packed) mismatch at iteration ", iter);
}
/* Input, weights and the requantization of the packed CONV_2D layouts
 * (multipliers above 2^30, right shifts 2..22), inputs and weights at the
 * int8 extremes one time in four; returns the output size. */
static size_t random_packed(const nk_conv_params *p)
{
    const size_t n_in = (size_t)p->batches * p->in_h * p->in_w * p->in_c;
    const size_t n_w = (size_t)p->out_c * p->filter_h * p->filter_w * p->in_c;
    fill(in_buf, n_in);
    fill(w_buf, n_w);
    fill_quant_in(p->out_c, (1 << 30) + 1, -22, -2);
    if (rnd() % 4 == 0) {
        fill_extremes(w_buf, n_w);
        fill_extremes(in_buf, n_in);
    }
    return (size_t)p->batches * p->out_h * p->out_w * p->out_c;
}

/* The packed CONV_2D layout (nk_conv_pack, nk.h): packed here as the code
 * generator packs, run by the DSP version, equal to the portable kernel;
 * random shapes plus the model shapes (3x3 over 16 and 32 channels, the
 * 3-channel and the 10x4 one-channel first layers, 1x1 stride 2), weights and inputs at
 * the int8 extremes sometimes, and requantizations the layout refuses. */
int test_conv_packed(int iter)
{
    static int16_t pw[NK_CONV_PACK_MAX_LEN * 48];
    static int32_t pk[4 * 48];
    static const int32_t shapes[6][4] = {/* in_c, filter_h, filter_w, stride */
                                         {16, 3, 3, 1}, {32, 3, 3, 1}, {3, 3, 3, 1},
                                         {1, 10, 4, 2}, {16, 3, 3, 2}, {32, 1, 1, 2}};
    nk_conv_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 2);
    p.in_h = rnd_in(1, 12);
    p.in_w = rnd_in(1, 12);
    p.in_c = rnd_in(1, 20);
    p.out_c = rnd_in(1, 24);
    p.filter_h = rnd_in(1, 5);
    p.filter_w = rnd_in(1, 5);
    p.stride_h = rnd_in(1, 3);
    p.stride_w = rnd_in(1, 3);
    p.dilation_h = (rnd() % 4 == 0) ? 2 : 1;
    p.dilation_w = (rnd() % 4 == 0) ? 2 : 1;
    if (rnd() % 2 == 0) {
        const int32_t *sh = shapes[rnd() % 6];
        p.in_c = sh[0];
        p.filter_h = sh[1];
        p.filter_w = sh[2];
        p.stride_h = p.stride_w = sh[3];
        p.dilation_h = p.dilation_w = 1;
        p.in_h = rnd_in(sh[1], 14);
        p.in_w = rnd_in(sh[2], 14);
    }
    while (NK_CONV_PACK_LEN(p.filter_h * p.filter_w * p.in_c) > NK_CONV_PACK_MAX_LEN)
        p.in_c /= 2;
    if (!conv_shape(&p, (int)(rnd() & 1)))
        return 0;
    if (p.stride_h == 1 && p.dilation_h == 1 && rnd() % 3 == 0) {
        /* a band of rows (banded execution): any top padding below the
         * filter height, the bottom cut anywhere inside the filter reach */
        p.pad_top = rnd_in(0, p.filter_h - 1);
        p.out_h = p.in_h + p.pad_top + rnd_in(0, p.filter_h - 1) - p.filter_h + 1;
        if (p.out_h < 1)
            return 0;
    }
    while ((size_t)p.batches * p.in_h * p.in_w * p.in_c > sizeof in_buf ||
           (size_t)p.batches * p.out_h * p.out_w * p.out_c > sizeof out_a)
        p.out_c = p.out_c > 1 ? p.out_c / 2 : (p.batches = 1, 1);
    conv_quant(&p);
    const size_t n_out = random_packed(&p);
    /* a requantization or range the layout refuses */
    int refuse = 0;
    switch (rnd() % 12) {
    case 0: mult[0] = 1 << 30; refuse = 1; break;
    case 1: shift[0] = -1; refuse = 1; break;
    case 2: p.act_min = p.out_zp; refuse = p.act_min != -128; break;
    case 3: bias[0] = (1 << 30) - 1; refuse = 1; break;
    default: break;
    }
    const int32_t *b = pick_bias();
    if (!b && (refuse && bias[0] == (1 << 30) - 1))
        refuse = 0;
    const int rp = nk_conv_pack_s8(&p, w_buf, b, pw, pk);
    if (rp != (refuse ? NK_ERR_PARAMS : NK_OK)) {
        put_num("conv packed: pack accepted/refused wrongly at iteration ", iter);
        return 1;
    }
    if (refuse)
        return 0;
    const nk_conv_pack k = {pw, pk, NULL};
    prime_outputs(n_out);
    const int ra = nk_conv2d_s8(&p, in_buf, w_buf, b, out_a);
    const int rb = nk_conv2d_s8_packed_dsp(&p, &k, in_buf, out_b);
    return verdict(0, ra, rb, n_out, "conv2d (packed) mismatch at iteration ", iter);
}

/* The 2 x 2 packed CONV_2D layout (nk.h, nk_conv_pack.fl): packed here as
 * the code generator packs, run by the DSP version, equal to the portable
 * kernel; random shapes (in_c 1..7: filter rows of every run % 4, read from
 * a band; 4, 8, 12, 16: straight from the input, border pixels padded;
 * strides 1 and 2, SAME, VALID and explicit or band padding, bands
 * re-filled as the blocks move down, odd output widths whose last pixel
 * pairs with the next row's first, the planner's overlapped output), the
 * model shapes (ResNet 32x32x3, 32x32x16, 16x16x32 3x3 and 32x32x16 3x3 s2,
 * kws 49x10x1 10x4 s2, a 64x64x3 3x3 s2), inputs and weights at the int8
 * extremes sometimes. */
int test_conv_packed_fl(int iter)
{
    static int32_t fl[32 / 2 * (10 + 4 * NK_CONV_PACK_FL_MAX_GROUPS)];
    static int8_t fl_ov[36000];
    static const int32_t shapes[6][7] = {/* h, w, in_c, out_c, fh, fw, stride */
                                         {32, 32, 3, 16, 3, 3, 1},
                                         {49, 10, 1, 24, 10, 4, 2},
                                         {64, 64, 3, 16, 3, 3, 2},
                                         {32, 32, 16, 16, 3, 3, 1},
                                         {16, 16, 32, 32, 3, 3, 1},
                                         {32, 32, 16, 32, 3, 3, 2}};
    static const int32_t chans[] = {1, 2, 3, 3, 3, 5, 6, 7, 4, 8, 16, 12};
    nk_conv_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 2);
    p.in_c = chans[rnd() % 12];
    p.in_h = rnd_in(1, 40);
    p.in_w = rnd_in(1, 40);
    p.out_c = 2 * rnd_in(1, 12);
    p.filter_h = rnd_in(1, 10);
    p.filter_w = rnd_in(1, 6);
    p.stride_h = rnd_in(1, 2);
    p.stride_w = rnd_in(1, 2);
    p.dilation_h = p.dilation_w = 1;
    const int model = rnd() % 4 == 0;
    if (model) {
        const int32_t *sh = shapes[rnd() % 6];
        p.batches = 1;
        p.in_h = sh[0];
        p.in_w = sh[1];
        p.in_c = sh[2];
        p.out_c = sh[3];
        p.filter_h = sh[4];
        p.filter_w = sh[5];
        p.stride_h = p.stride_w = sh[6];
    }
    if (!model && rnd() % 3 == 0) {
        /* explicit padding (as a band call's pad_top), up to the filter size */
        if (!pad_shape(&p, p.filter_h, p.filter_w - 1, p.filter_h - 1, p.filter_w - 1))
            return 0;
    } else if (!conv_shape(&p, model || (int)(rnd() & 1))) {
        return 0;
    }
    const size_t n_in = (size_t)p.batches * p.in_h * p.in_w * p.in_c;
    if (n_in > sizeof in_buf || (size_t)p.batches * p.out_h * p.out_w * p.out_c > sizeof out_a ||
        !nk_conv_pack_fl_ok(&p))
        return 0;
    conv_quant(&p);
    const size_t n_out = random_packed(&p);
    const int32_t *b = pick_bias();
    if (nk_conv_pack_s8_fl(&p, w_buf, b, fl) != NK_OK) {
        put_num("conv packed 2x2: pack refused at iteration ", iter);
        return 1;
    }
    prime_outputs(n_out);
    const int ra = nk_conv2d_s8(&p, in_buf, w_buf, b, out_a);
    const size_t gap = (size_t)ov_gap(&p) + ((rnd() & 1) ? 0 : rnd() % 16);
    if (rnd() % 3 == 0 && gap + n_in <= sizeof fl_ov && n_out <= sizeof fl_ov) {
        /* the output gap bytes below the dying input (nk.h pixel-block
         * contract, as the planner places it) */
        const int8_t *in = place_input(fl_ov, sizeof fl_ov, gap, n_in);
        const int rc = nk_conv2d_s8_fl_dsp(&p, fl, in, fl_ov);
        return same_bytes(ra, rc, fl_ov, n_out,
                          "conv2d (packed 2x2) overlapped output differs at iteration ", iter);
    }
    const int rb = nk_conv2d_s8_fl_dsp(&p, fl, in_buf, out_b);
    return verdict(0, ra, rb, n_out, "conv2d (packed 2x2) mismatch at iteration ", iter);
}
#endif

#if defined(NK_TEST_MVE)
/* ---- Helium only ---- */

/* nk_mve_mbqm (one multiplier) and nk_mve_mbqm_v (per lane) against
 * nk_mbqm: random and extreme x, multipliers (2^30, 2^31 - 1, 0, small,
 * negative), every shift; ties of the rounding steps made on purpose. */
int test_requant_lanes(int iter)
{
    static const int32_t xs[] = {0, 1, -1, 0x7fffffff, -0x7fffffff - 1, 0x40000000, -0x40000000,
                                 12345, -12345};
    static const int32_t ms[] = {0x40000000, 0x7fffffff, 0x40000001, 0, 1, -1, -0x7fffffff - 1,
                                 0x5a5a5a5a};
    int32_t x[4], m = (rnd() & 1) ? rnd_in(1 << 30, 0x7fffffff) : ms[rnd() % 8];
    const int32_t sh = (rnd() & 3) ? rnd_in(-31, -1) : rnd_in(-31, 31);
    for (int i = 0; i < 4; ++i) {
        switch (rnd() % 4) {
        case 0: x[i] = xs[rnd() % 9]; break;
        case 1: /* a tie of the final rounding: x * m lands on k * 2^(31-sh) / 2 */
            x[i] = (int32_t)(((rnd() & 0xffff) << 16) | 0x8000u) >> (rnd() % 16);
            break;
        default: x[i] = (int32_t)rnd(); break;
        }
    }
    int32_t got[4], lanes[4];
    vst1q_s32(got, nk_mve_mbqm(vld1q_s32(x), m, sh));
    const int32_t shv[4] = {sh < 0 ? sh : 0, rnd_in(-31, 0), -1, 0};
    const int32_t mv[4] = {m, rnd_in(1 << 30, 0x7fffffff), 0x40000000, m};
    const int32x4_t sv = vld1q_s32(shv);
    vst1q_s32(lanes, nk_mve_mbqm_v(vld1q_s32(x), vld1q_s32(mv), sv, vshrq_n_s32(sv, 31)));
    for (int i = 0; i < 4; ++i)
        if (got[i] != nk_mbqm(x[i], m, sh) || lanes[i] != nk_mbqm(x[i], mv[i], shv[i]))
            return report(1, "requantization lanes differ at iteration ", iter);
    return 0;
}

/* FULLY_CONNECTED with four or more batch rows: the matrix core's
 * interleaved rows, partial last blocks, odd and even output counts. */
int test_fc_batched(int iter)
{
    nk_fc_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(4, 13);
    p.in_depth = (rnd() & 1) ? 16 * rnd_in(1, 12) : rnd_in(16, 300);
    p.out_depth = rnd_in(1, 40);
    while ((size_t)p.batches * p.in_depth + 4 > sizeof in_buf)
        p.batches--;
    fc_quant(&p);
    gemm_fill_quant(p.out_depth, &p.act_min, &p.act_max, p.out_zp);
    fill(in_buf, (size_t)p.batches * p.in_depth + 4);
    fill(w_buf, (size_t)p.out_depth * p.in_depth);
    const int32_t *b = pick_bias();
    const size_t n_out = (size_t)p.batches * p.out_depth;
    const int8_t *in = in_buf + (iter & 3);
    prime_outputs(n_out);
    const int ra = nk_fully_connected_s8(&p, in, w_buf, b, out_a);
    const int rb = fast_fc(&p, in, w_buf, b, out_b);
    return verdict(fc_refused(&p), ra, rb, n_out,
                   "fully_connected (batched) mismatch at iteration ", iter);
}

/* DEPTHWISE_CONV_2D of any filter, stride, dilation and padding, channel
 * counts not multiples of 4, per-tensor and per-channel, left shifts. */
int test_dw_general(int iter)
{
    nk_conv_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 2);
    p.in_h = rnd_in(1, 10);
    p.in_w = rnd_in(1, 10);
    p.in_c = rnd_in(1, 40);
    p.out_c = p.in_c;
    p.depth_multiplier = (rnd() % 10 == 0) ? 2 : 1; /* 2: refused */
    p.out_c = p.in_c * p.depth_multiplier;
    p.filter_h = rnd_in(1, 5);
    p.filter_w = rnd_in(1, 5);
    p.stride_h = rnd_in(1, 3);
    p.stride_w = rnd_in(1, 3);
    p.dilation_h = rnd_in(1, 2);
    p.dilation_w = rnd_in(1, 2);
    if (!conv_shape(&p, (int)(rnd() & 1)))
        return 0;
    conv_quant(&p);
    gemm_fill_quant(p.out_c, &p.act_min, &p.act_max, p.out_zp);
    fill(in_buf, (size_t)p.batches * p.in_h * p.in_w * p.in_c);
    fill(w_buf, (size_t)p.filter_h * p.filter_w * p.out_c);
    return check_conv(&p, pick_bias(), 1, "depthwise (general) mismatch at iteration ", iter);
}

/* MAX_POOL_2D: random windows, strides, padding, channel counts, ranges. */
int test_maxpool(int iter)
{
    nk_pool_params p = random_pool(4);
    if (!pool_shape(&p, (int)(rnd() & 1)))
        return 0;
    p.act_min = (rnd() & 1) ? -128 : rnd_in(-128, 0);
    p.act_max = (rnd() & 1) ? 127 : rnd_in(0, 127);
    const size_t n_out = (size_t)p.batches * p.out_h * p.out_w * p.channels;
    fill(in_buf, (size_t)p.batches * p.in_h * p.in_w * p.channels);
    prime_outputs(n_out);
    const int ra = nk_max_pool2d_s8(&p, in_buf, out_a);
    const int rb = nk_max_pool2d_s8_mve(&p, in_buf, out_b);
    return verdict(0, ra, rb, n_out, "max_pool mismatch at iteration ", iter);
}
#endif

