/* tests/kernels/arm/nk_arm_test_util.c — what every case of the
 * fast-kernel equality test shares (nk_arm_test.h): the random numbers and
 * scratch buffers, the random tensors and quantization parameters, the
 * output shapes, and the verdict (compare the fast kernel's answer with
 * the portable one's, count it, print the first five failures). */
#include "nk_arm_test.h"

static uint32_t seed = 0x1234567u;

uint32_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

int32_t rnd_in(int32_t lo, int32_t hi)
{
    return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1));
}

int8_t in_buf[16384], w_buf[32768], out_a[16384], out_b[16384];
int32_t bias[256], mult[256], shift[256];

void fill(int8_t *b, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        b[i] = (int8_t)(rnd() & 0xff);
}

void fill_extremes(int8_t *b, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        b[i] = (rnd() & 1) ? 127 : -128;
}

void fill_quant_in(int32_t n, int32_t mult_lo, int32_t shift_lo, int32_t shift_hi)
{
    for (int32_t i = 0; i < n; ++i) {
        bias[i] = rnd_in(-40000, 40000);
        mult[i] = rnd_in(mult_lo, 0x7fffffff);
        shift[i] = rnd_in(shift_lo, shift_hi);
    }
}

void fill_quant(int32_t n)
{
    fill_quant_in(n, 1 << 30, -14, -6);
}

int8_t pick_zp(void)
{
    switch (rnd() % 4) {
    case 0: return -128;
    case 1: return 127;
    case 2: return 0;
    default: return (int8_t)(rnd() & 0xff);
    }
}

const int32_t *pick_bias(void)
{
    return (rnd() % 5) ? bias : 0;
}

static void quant_of(int32_t *in_zp, int32_t *out_zp, int32_t *per_channel, const int32_t **m,
                     const int32_t **s, int32_t *act_min, int32_t *act_max)
{
    *in_zp = pick_zp();
    *out_zp = pick_zp();
    *per_channel = (int32_t)(rnd() & 1);
    *m = mult;
    *s = shift;
    *act_min = -128;
    *act_max = 127;
}

void conv_quant(nk_conv_params *p)
{
    quant_of(&p->in_zp, &p->out_zp, &p->per_channel, &p->out_mult, &p->out_shift, &p->act_min,
             &p->act_max);
}

void fc_quant(nk_fc_params *p)
{
    quant_of(&p->in_zp, &p->out_zp, &p->per_channel, &p->out_mult, &p->out_shift, &p->act_min,
             &p->act_max);
}

/* out_h, out_w (and for SAME the top and left padding) of a window of
 * eh x ew input pixels; 0 when a VALID window does not fit */
static int window_shape(int32_t in_h, int32_t in_w, int32_t eh, int32_t ew, int32_t sh,
                        int32_t sw, int same, int32_t *out_h, int32_t *out_w, int32_t *pad_top,
                        int32_t *pad_left)
{
    if (!same && (eh > in_h || ew > in_w))
        return 0;
    *out_h = same ? (in_h + sh - 1) / sh : (in_h - eh) / sh + 1;
    *out_w = same ? (in_w + sw - 1) / sw : (in_w - ew) / sw + 1;
    if (same) {
        const int32_t th = (*out_h - 1) * sh + eh - in_h;
        const int32_t tw = (*out_w - 1) * sw + ew - in_w;
        *pad_top = th > 0 ? th / 2 : 0;
        *pad_left = tw > 0 ? tw / 2 : 0;
    }
    return 1;
}

int conv_shape(nk_conv_params *p, int same)
{
    return window_shape(p->in_h, p->in_w, (p->filter_h - 1) * p->dilation_h + 1,
                        (p->filter_w - 1) * p->dilation_w + 1, p->stride_h, p->stride_w, same,
                        &p->out_h, &p->out_w, &p->pad_top, &p->pad_left);
}

int pool_shape(nk_pool_params *p, int same)
{
    return window_shape(p->in_h, p->in_w, p->filter_h, p->filter_w, p->stride_h, p->stride_w,
                        same, &p->out_h, &p->out_w, &p->pad_top, &p->pad_left);
}

int pad_shape(nk_conv_params *p, int32_t top, int32_t left, int32_t bottom, int32_t right)
{
    p->pad_top = rnd_in(0, top);
    p->pad_left = rnd_in(0, left);
    const int32_t ph = p->in_h + p->pad_top + rnd_in(0, bottom) - (p->filter_h - 1) * p->dilation_h - 1;
    const int32_t pw = p->in_w + p->pad_left + rnd_in(0, right) - (p->filter_w - 1) * p->dilation_w - 1;
    if (ph < 0 || pw < 0)
        return 0;
    p->out_h = ph / p->stride_h + 1;
    p->out_w = pw / p->stride_w + 1;
    return 1;
}

int pick_padding(nk_conv_params *p, uint32_t pick, int32_t pad)
{
    if (pick == 0) /* VALID */
        return conv_shape(p, 0);
    if (pick == 1) /* explicit */
        return pad_shape(p, pad, pad, pad, pad);
    return conv_shape(p, 1); /* SAME */
}

nk_pool_params random_pool(int32_t fmax)
{
    nk_pool_params p;
    memset(&p, 0, sizeof p);
    p.batches = rnd_in(1, 2);
    p.in_h = rnd_in(1, 12);
    p.in_w = rnd_in(1, 12);
    p.channels = rnd_in(1, 40);
    p.filter_h = rnd_in(1, fmax);
    p.filter_w = rnd_in(1, fmax);
    p.stride_h = rnd_in(1, 3);
    p.stride_w = rnd_in(1, 3);
    return p;
}

const int8_t *place_input(int8_t *buf, size_t size, size_t gap, size_t n_in)
{
    memset(buf, 0x77, size);
    memcpy(buf + gap, in_buf, n_in);
    return buf + gap;
}

int printed;

void put_num(const char *label, long v)
{
    char buf[48];
    char *p = buf + sizeof buf - 1;
    int neg = v < 0;
    unsigned long u = neg ? (unsigned long)-v : (unsigned long)v;
    *p = 0;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (neg)
        *--p = '-';
    nk_test_puts(label);
    nk_test_puts(p);
    nk_test_puts("\n");
}

/* Cases the fast kernel handled / refused, printed at the end. */
long handled, refused;

int expect(int is_refused, int ra, int rb, const int8_t *b, const int8_t *a, size_t n,
           int8_t fillb)
{
    if (is_refused) {
        refused++;
        if (rb != NK_ERR_PARAMS)
            return 1;
        for (size_t i = 0; i < n; ++i)
            if (b[i] != fillb)
                return 1;
        return 0;
    }
    handled++;
    return ra != NK_OK || rb != NK_OK || memcmp(a, b, n) != 0;
}

int report(int failed, const char *what, int iter)
{
    if (failed && printed++ < 5)
        put_num(what, iter);
    return failed ? 1 : 0;
}

int same_bytes(int ra, int rb, const int8_t *got, size_t n, const char *what, int iter)
{
    handled++;
    return report(ra != NK_OK || rb != NK_OK || memcmp(out_a, got, n) != 0, what, iter);
}

void prime_outputs(size_t n)
{
    memset(out_a, 0x55, n);
    memset(out_b, 0x66, n);
}

int verdict(int is_refused, int ra, int rb, size_t n, const char *what, int iter)
{
    return report(expect(is_refused, ra, rb, out_b, out_a, n, 0x66), what, iter);
}

int check_conv(const nk_conv_params *p, const int32_t *b, int dw, const char *what, int iter)
{
    const size_t n_out = (size_t)p->batches * p->out_h * p->out_w * p->out_c;
    prime_outputs(n_out);
    if (dw) {
        const int ra = nk_depthwise_conv2d_s8(p, in_buf, w_buf, b, out_a);
        const int rb = fast_dw(p, in_buf, w_buf, b, out_b);
        return verdict(dw_refused(p), ra, rb, n_out, what, iter);
    }
    const int ra = nk_conv2d_s8(p, in_buf, w_buf, b, out_a);
    const int rb = fast_conv(p, in_buf, w_buf, b, out_b);
    return verdict(conv_refused(p), ra, rb, n_out, what, iter);
}

int random_conv(const nk_conv_params *p, size_t n_w, int dw, const char *what, int iter)
{
    fill(in_buf, (size_t)p->batches * p->in_h * p->in_w * p->in_c);
    fill(w_buf, n_w);
    fill_quant(p->out_c);
    return check_conv(p, pick_bias(), dw, what, iter);
}
