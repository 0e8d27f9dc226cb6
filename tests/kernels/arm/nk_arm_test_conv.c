/* tests/kernels/arm/nk_arm_test_conv.c — equality cases of the fast CONV_2D,
 * depthwise, FULLY_CONNECTED, ADD and AVERAGE_POOL_2D kernels against the
 * portable ones (see nk_arm_test.h). */
#include "nk_arm_test.h"

int test_conv(int iter, int depthwise)
{
    nk_conv_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 2);
    p.in_h = rnd_in(1, 9);
    p.in_w = rnd_in(1, 9);
    p.in_c = rnd_in(1, 19);
    p.out_c = rnd_in(1, 9);
    if (!depthwise && rnd() % 4 == 0) {
        /* patch larger than NK_ARM_PATCH_MAX: the run-by-run path */
        p.in_c = rnd_in(57, 80);
        p.filter_h = 3;
        p.filter_w = 3;
    }
    if (depthwise) {
        p.in_c = rnd_in(1, 40);
        if (rnd() % 8 == 0) {
            /* more taps than NK_ARM_DW_MAX_TAPS: portable fallback */
            p.filter_h = 9;
            p.filter_w = 8;
        }
        p.depth_multiplier = 1;
        p.out_c = p.in_c;
    }
    p.filter_h = rnd_in(1, 4);
    p.filter_w = rnd_in(1, 4);
    p.stride_h = rnd_in(1, 3);
    p.stride_w = rnd_in(1, 3);
    p.dilation_h = rnd_in(1, 2);
    p.dilation_w = (rnd() % 4 == 0) ? 2 : 1;
    const int same = (int)(rnd() & 1);
    if (!conv_shape(&p, same))
        return 0; /* empty VALID output: skip this draw */
    conv_quant(&p);
    if (rnd() % 4 == 0)
        p.act_min = p.out_zp; /* fused relu */
    const size_t n_w = depthwise ? (size_t)p.filter_h * p.filter_w * p.out_c
                                 : (size_t)p.out_c * p.filter_h * p.filter_w * p.in_c;
    return random_conv(&p, n_w, depthwise,
                       depthwise ? "depthwise mismatch at iteration "
                                 : "conv2d mismatch at iteration ",
                       iter);
}

int test_fc(int iter)
{
    nk_fc_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 3);
    p.in_depth = rnd_in(1, 700);
    p.out_depth = rnd_in(1, 37);
    fc_quant(&p);
    fill(in_buf, (size_t)p.batches * p.in_depth);
    fill(w_buf, (size_t)p.out_depth * p.in_depth);
    fill_quant(p.out_depth);
    const int32_t *b = pick_bias();
    const size_t n_out = (size_t)p.batches * p.out_depth;
    /* unaligned input pointer on purpose: the DSP loads must not care */
    const int8_t *in = in_buf + (iter & 3);
    memset(out_b, 0x66, n_out);
    const int ra = nk_fully_connected_s8(&p, in, w_buf, b, out_a);
    const int rb = fast_fc(&p, in, w_buf, b, out_b);
    return verdict(fc_refused(&p), ra, rb, n_out, "fully_connected mismatch at iteration ", iter);
}

/* ---- pixel-block contract (nk.h): the memory planner may place a
 * CONV_2D's output (filter larger than 1x1) `gap` bytes below its dying
 * input, overlapping it; the DSP kernel must then still produce the
 * portable kernel's bytes.  gap as in sdk/src/plan/planner.c pl_overlap_gap
 * (blocks of max(8, 2 * out_w) pixels). */
static int8_t ov_buf[40000];

long ov_gap(const nk_conv_params *p)
{
    const long in_row = (long)p->in_w * p->in_c, out_pix = p->out_c;
    const long npix = (long)p->out_h * p->out_w;
    const long nb = 2L * p->out_w > 8 ? 2L * p->out_w : 8;
    long gap = 0;
    for (long b = 0; b < p->batches; ++b)
        for (long q = 0; q < npix; ++q) {
            const long end = q + nb < npix ? q + nb : npix;
            long first = (q / p->out_w) * p->stride_h - p->pad_top;
            first = first < 0 ? 0 : (first > p->in_h ? p->in_h : first);
            const long need = (b * npix + end) * out_pix - (b * p->in_h + first) * in_row;
            if (need > gap)
                gap = need;
        }
    return gap;
}

/* shape: 0 random, 1 ResNet 3x3 16->16 on 32x32, 2 ResNet 3x3 s2 16->32,
 * 3 ResNet 3x3 32->32 on 16x16, 4 digits 3x3 16->32 on 8x8. */
int test_conv_overlap(int iter, int shape)
{
    nk_conv_params p;
    memset(&p, 0, sizeof p);
    p.batches = 1;
    p.dilation_h = p.dilation_w = 1;
    p.depth_multiplier = 1;
    p.filter_h = p.filter_w = 3;
    p.stride_h = p.stride_w = 1;
    int same = 1;
    if (shape == 1 || shape == 2) {
        p.in_h = p.in_w = 32;
        p.in_c = 16;
        p.out_c = shape == 1 ? 16 : 32;
        p.stride_h = p.stride_w = shape;
    } else if (shape == 3) {
        p.in_h = p.in_w = 16;
        p.in_c = p.out_c = 32;
    } else if (shape == 4) {
        p.in_h = p.in_w = 8;
        p.in_c = 16;
        p.out_c = 32;
    } else if (shape == 5) {
        /* ResNet's 8x8x64 (fewer output channels: w_buf): the split path */
        p.in_h = p.in_w = 8;
        p.in_c = 64;
        p.out_c = 48;
    } else {
        p.batches = rnd_in(1, 2);
        p.in_h = rnd_in(1, 12);
        p.in_w = rnd_in(1, 9);
        p.in_c = rnd_in(1, 19);
        p.out_c = rnd_in(1, 24);
        p.filter_h = rnd_in(1, 4);
        p.filter_w = rnd_in(p.filter_h == 1 ? 2 : 1, 4); /* never 1x1 */
        if (rnd() % 4 == 0) {
            p.in_c = rnd_in(57, 80); /* the run-by-run path */
            p.filter_h = p.filter_w = 3;
            p.in_h = rnd_in(1, 6);
            p.in_w = rnd_in(1, 5);
        }
        p.stride_h = rnd_in(1, 3);
        p.stride_w = rnd_in(1, 3);
        p.dilation_h = rnd_in(1, 2);
        p.dilation_w = (rnd() % 4 == 0) ? 2 : 1;
        same = (int)(rnd() & 1);
    }
    if (!conv_shape(&p, same))
        return 0; /* empty VALID output: skip this draw */
    conv_quant(&p);
    if (rnd() % 4 == 0)
        p.act_min = p.out_zp;
    const size_t n_in = (size_t)p.batches * p.in_h * p.in_w * p.in_c;
    const size_t n_w = (size_t)p.out_c * p.filter_h * p.filter_w * p.in_c;
    const size_t n_out = (size_t)p.batches * p.out_h * p.out_w * p.out_c;
    const size_t gap = (size_t)ov_gap(&p) + ((rnd() & 1) ? 0 : rnd() % 16);
    if (n_in > sizeof in_buf || n_out > sizeof out_a || gap + n_in > sizeof ov_buf ||
        n_out > sizeof ov_buf || n_w > sizeof w_buf)
        return 0;
    fill(in_buf, n_in);
    fill(w_buf, n_w);
    fill_quant(p.out_c);
    const int32_t *b = pick_bias();
    const int8_t *in = place_input(ov_buf, sizeof ov_buf, gap, n_in);
    const int ra = nk_conv2d_s8(&p, in_buf, w_buf, b, out_a);
    const int rb = fast_conv(&p, in, w_buf, b, ov_buf);
    if (conv_refused(&p)) {
        /* refused: nothing written, the input is still there */
        refused++;
        return rb != NK_ERR_PARAMS || memcmp(in, in_buf, n_in) != 0;
    }
    return same_bytes(ra, rb, ov_buf, n_out, "conv2d overlapped output differs at iteration ",
                      iter);
}

/* CONV_2D whose patch is too long for four pixels in the patch buffer,
 * in_c % 4 == 0 (nk_arm_conv2d_split.c: filter-row chunks, more than
 * NK_ARM_SPLIT_OC output channels in several passes), or that fills it
 * (the table-less whole-channel loop), any stride and padding; shapes
 * outside them exercise the patch and run paths. */
int test_conv_split(int iter)
{
    nk_conv_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 2);
    p.in_h = rnd_in(1, 10);
    p.in_w = rnd_in(1, 10);
    p.in_c = 4 * rnd_in(5, 20);
    p.filter_h = rnd_in(1, 4);
    p.filter_w = rnd_in(1, 4);
    if (rnd() % 3 == 0) {
        /* four pixels fill the patch buffer, no room for the requantization
         * table: nk_arm_conv_k4all_x2r (16x16x32 3x3) */
        p.in_c = 4 * rnd_in(7, 8);
        p.filter_h = p.filter_w = 3;
    }
    const int32_t len = p.filter_h * p.filter_w * p.in_c;
    p.out_c = rnd_in(1, 32768 / len < 90 ? 32768 / len : 90);
    p.depth_multiplier = 1;
    p.stride_h = rnd_in(1, 3);
    p.stride_w = rnd_in(1, 3);
    p.dilation_h = p.dilation_w = rnd() % 8 == 0 ? 2 : 1;
    if (!conv_shape(&p, (int)(rnd() & 1)))
        return 0;
    conv_quant(&p);
    if (rnd() % 4 == 0)
        p.act_min = p.out_zp;
    const size_t n_in = (size_t)p.batches * p.in_h * p.in_w * p.in_c;
    const size_t n_w = (size_t)p.out_c * len;
    const size_t n_out = (size_t)p.batches * p.out_h * p.out_w * p.out_c;
    if (n_in > sizeof in_buf || n_out > sizeof out_a || n_w > sizeof w_buf)
        return 0;
    return random_conv(&p, n_w, 0, "conv2d (split) mismatch at iteration ", iter);
}

/* ADD int8, no broadcast: table path (>= 512 elements), refused short
 * tensors, nk_arm_requant_rz and generic output requantization, full and
 * clamped activation ranges, unaligned pointers, in place on either input. */
int test_add(int iter)
{
    nk_binary_params p;
    memset(&p, 0, sizeof p);
    const int32_t n = (rnd() % 6 == 0) ? rnd_in(1, 600) : rnd_in(512, 6000);
    p.broadcast = 0;
    p.flat_size = n;
    p.rank = 1;
    p.out_dims[0] = n;
    p.left_shift = (rnd() % 4 == 0) ? rnd_in(0, 22) : 20;
    p.in1_zp = pick_zp();
    p.in2_zp = pick_zp();
    p.out_zp = pick_zp();
    p.in1_mult = rnd_in(1 << 30, 0x7fffffff);
    p.in2_mult = (rnd() % 3 == 0) ? (1 << 30) : rnd_in(1 << 30, 0x7fffffff);
    p.in1_shift = rnd_in(-4, 0);
    p.in2_shift = rnd_in(-4, 0);
    p.out_mult = (rnd() % 8 == 0) ? (1 << 30) : rnd_in(1 << 30, 0x7fffffff);
    switch (rnd() % 6) {
    case 0: p.out_shift = rnd_in(-31, -24); break;
    case 1: p.out_shift = rnd_in(-1, 2); break;
    case 2: p.out_shift = rnd_in(-23, -2); break;
    default: p.out_shift = rnd_in(-21, -15); break;
    }
    if (p.left_shift < 16 && p.out_shift < -12)
        p.out_shift += 10; /* keep outputs spread over the int8 range */
    p.act_min = -128;
    p.act_max = 127;
    switch (rnd() % 4) {
    case 0: p.act_min = p.out_zp; break;
    case 1:
        p.act_min = rnd_in(-128, 0);
        p.act_max = rnd_in(0, 127);
        break;
    default: break;
    }
    const int8_t *a = in_buf + (iter & 3), *b = (const int8_t *)w_buf + ((iter >> 2) & 3);
    fill(in_buf, (size_t)n + 4);
    fill(w_buf, (size_t)n + 4);
    const int mode = (int)(rnd() % 4); /* 0, 1: separate; 2: output == in1; 3: output == in2 */
    int8_t *out = out_b + ((iter >> 4) & 3);
    memset(out_a, 0x55, (size_t)n);
    memset(out_b, 0x66, (size_t)n + 4);
    const int ra = nk_add_s8(&p, a, b, out_a);
    if (mode == 2)
        memcpy(out, a, (size_t)n);
    else if (mode == 3)
        memcpy(out, b, (size_t)n);
    const int rb = fast_add(&p, mode == 2 ? out : a, mode == 3 ? out : b, out);
    if (add_refused(&p)) {
        /* refused without writing; the portable loop serves the call */
        refused++;
        if (rb != NK_ERR_PARAMS || (mode < 2 && out[0] != 0x66))
            return 1;
        return 0;
    }
    return same_bytes(ra, rb, out, (size_t)n, "add mismatch at iteration ", iter);
}

/* DEPTHWISE 3x3 (the kws and MobileNet layers): the plane fast path
 * (assembly sweeps for full-range activations and nk_arm_requant_rz
 * multipliers, C sweeps otherwise) with strides 1 and 2 in each direction,
 * SAME, VALID and explicit paddings of 0..2, odd and even widths, one-row
 * and one-column images, images larger than one tile of planes (tiled by
 * rows and by columns), per-tensor and per-channel, multipliers and shifts
 * outside nk_arm_requant_rz's range, and channel counts not divisible by 4
 * (refused by the fast path, served by the general one). */
int test_dw3(int iter)
{
    nk_conv_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 2);
    p.in_h = rnd_in(1, 12);
    p.in_w = rnd_in(1, 9);
    p.in_c = 4 * rnd_in(1, 10);
    if (rnd() % 8 == 0)
        p.in_c = rnd_in(1, 19);
    const int band = (int)(rnd() % 6);
    switch (band) {
    case 0: /* tall: tiled by rows */
        p.in_h = rnd_in(30, 60);
        p.in_c = 4 * rnd_in(1, 3);
        break;
    case 1: /* large: tiled by rows and columns */
        p.batches = 1;
        p.in_h = rnd_in(16, 40);
        p.in_w = rnd_in(16, 40);
        p.in_c = 4 * rnd_in(1, 2);
        break;
    case 4: /* a band of rows of a kws-like layer (banded execution): any
             * pad_top up to 2, the bottom cut inside the filter reach */
        p.in_w = rnd_in(3, 7);
        p.in_c = 4 * rnd_in(1, 16);
        p.in_h = rnd_in(1, 9);
        p.stride_h = p.stride_w = 1;
        p.pad_top = rnd_in(0, 2);
        p.pad_left = 1;
        p.out_w = p.in_w;
        p.out_h = p.in_h + p.pad_top + rnd_in(0, 2) - 2;
        if (p.out_h < 1)
            return 0;
        break;
    case 2: /* wide (stride 2: edge rows wider than the strip, patch by patch) */
        if (rnd() % 4 == 0) {
            p.batches = 1;
            p.in_h = rnd_in(3, 6);
            p.in_w = rnd_in(190, 230);
            p.in_c = 4;
        }
        break;
    default: break;
    }
    p.out_c = p.in_c;
    p.depth_multiplier = 1;
    p.filter_h = p.filter_w = 3;
    p.stride_h = p.stride_w = 1;
    if (band != 4 && rnd() % 2) {
        p.stride_h = rnd_in(1, 2);
        p.stride_w = rnd() % 4 ? p.stride_h : rnd_in(1, 2);
    }
    p.dilation_h = p.dilation_w = 1;
    if (band != 4 && !pick_padding(&p, rnd() % 4, 2)) /* band 4: its shape, above */
        return 0;
    conv_quant(&p);
    switch (rnd() % 6) {
    case 0: p.act_min = p.out_zp; break;
    case 1:
        p.act_min = rnd_in(-128, 0);
        p.act_max = rnd_in(0, 127);
        break;
    default: break;
    }
    fill(in_buf, (size_t)p.batches * p.in_h * p.in_w * p.in_c);
    fill(w_buf, (size_t)9 * p.in_c);
    fill_quant(p.out_c);
    const int odd_quant = (int)(rnd() % 4 == 0);
    for (int32_t i = 0; i < p.out_c; ++i) {
        if (rnd() % 3 == 0)
            shift[i] = rnd_in(-9, -2); /* bigger outputs: saturation */
        if (odd_quant && rnd() % 2) {
            switch (rnd() % 4) {
            case 0: shift[i] = rnd_in(-1, 1); break;
            case 1: shift[i] = rnd_in(-28, -24); break;
            case 2: mult[i] = 1 << 30; break;
            default: mult[i] = rnd_in(1 << 29, (1 << 30) - 1); break;
            }
        }
    }
    return check_conv(&p, pick_bias(), 1, "depthwise 3x3 mismatch at iteration ", iter);
}

/* AVERAGE_POOL_2D int8: random windows, strides, SAME/VALID padding,
 * global pooling (the kws layer), odd channel counts, clamped ranges and
 * windows over 256 taps (refused by the DSP version). */
int test_avgpool(int iter)
{
    nk_pool_params p = random_pool(5);
    const int kind = (int)(rnd() % 6);
    if (kind == 0 || kind == 1) {
        /* global: one window over the image */
        if (kind == 1) {
            p.in_h = rnd_in(10, 30);
            p.in_w = rnd_in(5, 12);
            p.channels = rnd_in(1, 16);
        }
        p.filter_h = p.stride_h = p.in_h;
        p.filter_w = p.stride_w = p.in_w;
    }
    if (!pool_shape(&p, kind >= 4))
        return 0;
    p.act_min = -128;
    p.act_max = 127;
    if (rnd() % 4 == 0) {
        p.act_min = rnd_in(-128, 0);
        p.act_max = rnd_in(0, 127);
    }
    const size_t n_in = (size_t)p.batches * p.in_h * p.in_w * p.channels;
    const size_t n_out = (size_t)p.batches * p.out_h * p.out_w * p.channels;
    fill(in_buf, n_in);
    if (rnd() % 4 == 0) /* all taps at one extreme: the int16 lane limits */
        memset(in_buf, (rnd() & 1) ? 0x80 : 0x7f, n_in);
    prime_outputs(n_out);
    const int ra = nk_avg_pool2d_s8(&p, in_buf, out_a);
    if (ra != NK_OK)
        return 0; /* a window outside the image: refused by the entry point */
    const int rb = fast_avgpool(&p, in_buf, out_b);
    return verdict(avgpool_refused(&p), ra, rb, n_out, "avg_pool mismatch at iteration ", iter);
}

/* conv2d requantization corners: multipliers at and around 2^30 and
 * 2^31 - 1 (plus small and negative ones), shifts from -31 to +3 (the
 * patch kernels' one-SMLAL fast requantization covers m in (2^30, 2^31),
 * shift in [-22, -1]; everything else must take the general path),
 * narrow activation ranges, in_c a multiple of 4 or not. */
int test_conv_requant(int iter)
{
    static const int32_t mults[] = {0x40000000, 0x40000001, 0x7fffffff, 0x7ffffffe, 0x5a5a5a5a,
                                    12345, 0, -5, -0x7fffffff};
    nk_conv_params p;
    memset(&p, 0, sizeof p);
    p.batches = 1;
    p.in_h = rnd_in(1, 7);
    p.in_w = rnd_in(1, 7);
    p.in_c = (rnd() & 1) ? 4 * rnd_in(1, 5) : rnd_in(1, 7);
    p.out_c = rnd_in(1, 11);
    p.filter_h = rnd_in(1, 3);
    p.filter_w = rnd_in(1, 4);
    p.stride_h = rnd_in(1, 2);
    p.stride_w = rnd_in(1, 2);
    p.dilation_h = 1;
    p.dilation_w = 1;
    conv_shape(&p, 1);
    conv_quant(&p);
    p.act_min = rnd_in(-128, 0);
    p.act_max = rnd_in(p.act_min, 127);
    for (int32_t i = 0; i < p.out_c; ++i) {
        bias[i] = (rnd() & 3) ? rnd_in(-300000, 300000) : rnd_in(-40, 40);
        mult[i] = (rnd() & 1) ? mults[rnd() % (sizeof mults / sizeof mults[0])]
                              : rnd_in(1 << 30, 0x7fffffff);
        switch (rnd() % 4) {
        case 0: shift[i] = rnd_in(-31, 3); break;
        case 1: shift[i] = (rnd() & 1) ? -22 : -23; break;
        case 2: shift[i] = (rnd() & 1) ? -1 : 0; break;
        default: shift[i] = rnd_in(-16, -4); break;
        }
    }
    const size_t n_w = (size_t)p.out_c * p.filter_h * p.filter_w * p.in_c;
    fill(in_buf, (size_t)p.in_h * p.in_w * p.in_c);
    fill(w_buf, n_w);
    if (rnd() % 4 == 0)
        memset(w_buf, 0, n_w); /* sums are the bias alone: x = -1, 0, 1 happen */
    return check_conv(&p, pick_bias(), 0, "conv2d requantization mismatch at iteration ", iter);
}

/* conv2d shapes of the stride-1 3x3 fast paths: in_c 16 or 32 (patches
 * gathered for four neighbouring pixels at once), 4..19 (word rows),
 * 3 (staged patches), wide rows so that whole blocks of four interior
 * pixels occur, SAME or VALID padding. */
int test_conv_wide(int iter)
{
    static const int32_t chans[] = {16, 32, 16, 32, 4, 8, 12, 3, 1, 20};
    nk_conv_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 2);
    p.in_c = chans[rnd() % (sizeof chans / sizeof chans[0])];
    p.in_h = rnd_in(1, 6);
    p.in_w = rnd_in(4, 14);
    p.out_c = rnd_in(1, 9);
    p.filter_h = rnd_in(1, 3);
    p.filter_w = (rnd() % 4) ? 3 : rnd_in(1, 4);
    p.stride_h = (rnd() % 4) ? 1 : 2;
    p.stride_w = (rnd() % 4) ? 1 : 2;
    p.dilation_h = 1;
    p.dilation_w = 1;
    const int same = (int)(rnd() & 1);
    if (!conv_shape(&p, same))
        return 0; /* empty VALID output: skip this draw */
    conv_quant(&p);
    if (!(rnd() & 1))
        p.act_min = p.out_zp;
    return random_conv(&p, (size_t)p.out_c * p.filter_h * p.filter_w * p.in_c, 0,
                       "conv2d (wide rows) mismatch at iteration ", iter);
}

/* conv2d with few input channels (first layers: kws 10x4 s2, micro_speech
 * 10x8 s2, ResNet 3x3 x 3): the zero-point padded input band of
 * conv_patch, on images whose band holds the whole image or only some
 * rows (re-filled as the blocks move down), one-pixel-wide outputs (blocks
 * spanning several output rows), SAME, VALID and explicit padding. */
int test_conv_band(int iter)
{
    nk_conv_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 2);
    p.in_c = rnd_in(1, 3);
    p.in_h = rnd_in(10, 60);
    p.in_w = rnd() % 4 ? rnd_in(3, 40) : rnd_in(1, 3);
    p.out_c = rnd_in(1, 6);
    p.filter_h = rnd_in(1, 10);
    p.filter_w = rnd_in(1, 8);
    p.stride_h = rnd_in(1, 2);
    p.stride_w = rnd_in(1, 2);
    p.dilation_h = p.dilation_w = 1;
    p.depth_multiplier = 1;
    if (rnd() % 3 == 0) {
        /* explicit padding, up to the filter size - 1 on each side */
        if (!pad_shape(&p, p.filter_h - 1, p.filter_w - 1, p.filter_h - 1, p.filter_w - 1))
            return 0;
    } else if (!conv_shape(&p, (int)(rnd() & 1))) {
        return 0;
    }
    const size_t n_in = (size_t)p.batches * p.in_h * p.in_w * p.in_c;
    const size_t n_out = (size_t)p.batches * p.out_h * p.out_w * p.out_c;
    if (n_in > sizeof in_buf || n_out > sizeof out_a)
        return 0;
    conv_quant(&p);
    if (rnd() % 4 == 0)
        p.act_min = p.out_zp;
    return random_conv(&p, (size_t)p.out_c * p.filter_h * p.filter_w * p.in_c, 0,
                       "conv2d band mismatch at iteration ", iter);
}
