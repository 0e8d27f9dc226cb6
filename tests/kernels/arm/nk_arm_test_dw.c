/* tests/kernels/arm/nk_arm_test_dw.c — DEPTHWISE 3x3 stride 2 (the direct
 * path of firmware/kernels/arm/nk_arm_dw3_s2.c on the DSP build) against
 * the portable kernel: windows leaving the image on every side and corner
 * (SAME, VALID and explicit paddings of 0..4, so windows can lie wholly in
 * the padding), images from 3x3 (the smallest the direct path takes) and
 * under (refused there, served by the planes), odd and even sizes, channel
 * counts that are multiples of 4 and not, extreme inputs, filters and zero
 * points, biases at the edge of what the doubled sum takes, and the
 * activation ranges the direct path leaves to the planes. */
#include "nk_arm_test.h"

int test_dw3_s2(int iter)
{
    nk_conv_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 2);
    p.in_h = rnd_in(3, 14);
    p.in_w = rnd_in(3, 14);
    if (rnd() % 8 == 0)
        p.in_h = rnd_in(1, 3);
    if (rnd() % 8 == 0)
        p.in_w = rnd_in(1, 3);
    p.in_c = 4 * rnd_in(1, 6);
    if (rnd() % 8 == 0)
        p.in_c = rnd_in(1, 13);
    p.out_c = p.in_c;
    p.depth_multiplier = 1;
    p.filter_h = p.filter_w = 3;
    p.stride_h = p.stride_w = 2;
    p.dilation_h = p.dilation_w = 1;
    /* explicit paddings up to windows wholly in the padding */
    if (!pick_padding(&p, rnd() % 3, 4))
        return 0;
    conv_quant(&p);
    if (rnd() % 8 == 0) {
        p.act_min = rnd_in(-128, 0);
        p.act_max = rnd_in(0, 127);
    }
    const size_t n_in = (size_t)p.batches * p.in_h * p.in_w * p.in_c;
    fill(in_buf, n_in);
    fill(w_buf, (size_t)9 * p.in_c);
    switch (rnd() % 6) {
    case 0: /* extremes: the largest products and sums */
        memset(in_buf, rnd() & 1 ? 0x80 : 0x7f, n_in);
        memset(w_buf, rnd() & 1 ? 0x80 : 0x7f, (size_t)9 * p.in_c);
        break;
    case 1: memset(w_buf, 0x80, (size_t)9 * p.in_c); break;
    default: break;
    }
    fill_quant(p.out_c);
    const int32_t edge = (1 << 30) - 2 * 1152 * 128; /* the largest |bias| the path takes, + 1 */
    for (int32_t i = 0; i < p.out_c; ++i) {
        if (rnd() % 3 == 0)
            shift[i] = rnd_in(-9, -2); /* bigger outputs: saturation */
        if (rnd() % 16 == 0)
            bias[i] = (rnd() & 1 ? 1 : -1) * (edge - rnd_in(1, 2)); /* just inside */
        else if (rnd() % 64 == 0)
            bias[i] = (rnd() & 1 ? 1 : -1) * edge; /* just outside: the planes */
        else if (rnd() % 32 == 0)
            shift[i] = rnd_in(-1, 1); /* outside nk_arm_requant_x2: the planes */
    }
    return check_conv(&p, pick_bias(), 1, "depthwise 3x3 s2 mismatch at iteration ", iter);
}
