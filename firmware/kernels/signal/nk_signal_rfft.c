/* firmware/kernels/signal/nk_signal_rfft.c — SignalRfft, int16: the
 * fixed-point real FFT TFLite Micro builds from KISS FFT v130 (16-bit
 * FIXED_POINT): a complex FFT of half the length over the samples taken in
 * pairs (mixed radix, recursive decimation in time, every stage scaled by
 * 1/radix with Q15 rounding), then the split into the real spectrum with
 * the super twiddles.  Written from the published arithmetic: Q15 products
 * rounded as (x + 2^14) >> 15, sums wrapped to int16, halves by >> 1.
 * Radix-4 and radix-2 stages only (power-of-two lengths). */
#include <string.h>

#include "nk.h"

typedef struct rf_cpx {
    int16_t r, i;
} rf_cpx;

/* Q15 rounding of a product sum, wrapped to int16 (the C cast). */
static int16_t rf_round(int32_t x)
{
    return (int16_t)((int32_t)((uint32_t)x + (1u << 14)) >> 15);
}

static void rf_fixdiv(rf_cpx *c, int32_t k)
{
    const int32_t s = 32767 / k;
    c->r = rf_round((int32_t)c->r * s);
    c->i = rf_round((int32_t)c->i * s);
}

static rf_cpx rf_mul(rf_cpx a, const int16_t *tw)
{
    rf_cpx m;
    m.r = rf_round((int32_t)((uint32_t)((int32_t)a.r * tw[0]) - (uint32_t)((int32_t)a.i * tw[1])));
    m.i = rf_round((int32_t)((uint32_t)((int32_t)a.r * tw[1]) + (uint32_t)((int32_t)a.i * tw[0])));
    return m;
}

static void rf_bfly2(rf_cpx *f, int32_t fstride, const int16_t *tw, int32_t m)
{
    rf_cpx *f2 = f + m;
    for (int32_t k = 0; k < m; ++k) {
        rf_fixdiv(&f[k], 2);
        rf_fixdiv(&f2[k], 2);
        rf_cpx t = rf_mul(f2[k], tw + 2 * (size_t)(k * fstride));
        f2[k].r = (int16_t)(f[k].r - t.r);
        f2[k].i = (int16_t)(f[k].i - t.i);
        f[k].r = (int16_t)(f[k].r + t.r);
        f[k].i = (int16_t)(f[k].i + t.i);
    }
}

static void rf_bfly4(rf_cpx *f, int32_t fstride, const int16_t *tw, int32_t m)
{
    for (int32_t k = 0; k < m; ++k) {
        rf_cpx *a = f + k, *b = f + k + m, *c = f + k + 2 * m, *d = f + k + 3 * m;
        rf_cpx s0, s1, s2, s3, s4, s5;
        rf_fixdiv(a, 4);
        rf_fixdiv(b, 4);
        rf_fixdiv(c, 4);
        rf_fixdiv(d, 4);
        s0 = rf_mul(*b, tw + 2 * (size_t)(k * fstride));
        s1 = rf_mul(*c, tw + 2 * (size_t)(k * fstride * 2));
        s2 = rf_mul(*d, tw + 2 * (size_t)(k * fstride * 3));
        s5.r = (int16_t)(a->r - s1.r);
        s5.i = (int16_t)(a->i - s1.i);
        a->r = (int16_t)(a->r + s1.r);
        a->i = (int16_t)(a->i + s1.i);
        s3.r = (int16_t)(s0.r + s2.r);
        s3.i = (int16_t)(s0.i + s2.i);
        s4.r = (int16_t)(s0.r - s2.r);
        s4.i = (int16_t)(s0.i - s2.i);
        c->r = (int16_t)(a->r - s3.r);
        c->i = (int16_t)(a->i - s3.i);
        a->r = (int16_t)(a->r + s3.r);
        a->i = (int16_t)(a->i + s3.i);
        b->r = (int16_t)(s5.r + s4.i);
        b->i = (int16_t)(s5.i - s4.r);
        d->r = (int16_t)(s5.r - s4.i);
        d->i = (int16_t)(s5.i + s4.r);
    }
}

/* One recursion level: gather (or recurse) then the stage's butterflies. */
static void rf_work(rf_cpx *out, const rf_cpx *in, int32_t fstride, const int32_t *factors,
                    const int16_t *tw)
{
    const int32_t p = factors[0], m = factors[1];
    for (int32_t q = 0; q < p; ++q) {
        if (m == 1)
            out[q] = *in;
        else
            rf_work(out + q * m, in, fstride * p, factors + 2, tw);
        in += fstride;
    }
    if (p == 4)
        rf_bfly4(out, fstride, tw, m);
    else
        rf_bfly2(out, fstride, tw, m);
}

static int rf_check(const nk_rfft_params *p)
{
    if (!p || p->rows < 0 || p->input_length < 0 || p->fft_length < 4 ||
        (p->fft_length & (p->fft_length - 1)) || p->input_length > p->fft_length ||
        p->output_length != p->fft_length / 2 + 1 || p->n_factors < 1 || !p->factors ||
        !p->twiddles || !p->super_twiddles)
        return NK_ERR_PARAMS;
    int32_t n = p->fft_length / 2;
    for (int32_t k = 0; k < p->n_factors; ++k) {
        const int32_t r = p->factors[2 * k];
        if ((r != 2 && r != 4) || n % r || p->factors[2 * k + 1] != n / r)
            return NK_ERR_PARAMS;
        n /= r;
    }
    return n == 1 ? NK_OK : NK_ERR_PARAMS;
}

int nk_signal_rfft_s16(const nk_rfft_params *p, const int16_t *input, int16_t *scratch,
                       int16_t *output)
{
    if (rf_check(p) || !input || !scratch || !output)
        return NK_ERR_PARAMS;
    const int32_t nfft = p->fft_length, ncfft = nfft / 2;
    int16_t *work = scratch;
    rf_cpx *tmp = (rf_cpx *)(void *)(scratch + nfft);
    for (int32_t row = 0; row < p->rows; ++row) {
        const int16_t *x = input + (size_t)row * p->input_length;
        rf_cpx *freq = (rf_cpx *)(void *)(output + (size_t)row * 2 * p->output_length);
        memcpy(work, x, sizeof(int16_t) * (size_t)p->input_length);
        memset(work + p->input_length, 0, sizeof(int16_t) * (size_t)(nfft - p->input_length));
        rf_work(tmp, (const rf_cpx *)(const void *)work, 1, p->factors, p->twiddles);
        rf_cpx dc = tmp[0];
        rf_fixdiv(&dc, 2);
        freq[0].r = (int16_t)(dc.r + dc.i);
        freq[ncfft].r = (int16_t)(dc.r - dc.i);
        freq[0].i = freq[ncfft].i = 0;
        for (int32_t k = 1; k <= ncfft / 2; ++k) {
            rf_cpx fpk = tmp[k], fpnk, f1k, f2k, t;
            fpnk.r = tmp[ncfft - k].r;
            fpnk.i = (int16_t)-tmp[ncfft - k].i;
            rf_fixdiv(&fpk, 2);
            rf_fixdiv(&fpnk, 2);
            f1k.r = (int16_t)(fpk.r + fpnk.r);
            f1k.i = (int16_t)(fpk.i + fpnk.i);
            f2k.r = (int16_t)(fpk.r - fpnk.r);
            f2k.i = (int16_t)(fpk.i - fpnk.i);
            t = rf_mul(f2k, p->super_twiddles + 2 * (size_t)(k - 1));
            freq[k].r = (int16_t)((f1k.r + t.r) >> 1);
            freq[k].i = (int16_t)((f1k.i + t.i) >> 1);
            freq[ncfft - k].r = (int16_t)((f1k.r - t.r) >> 1);
            freq[ncfft - k].i = (int16_t)((t.i - f1k.i) >> 1);
        }
    }
    return NK_OK;
}
