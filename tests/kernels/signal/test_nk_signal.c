/* tests/kernels/signal/test_nk_signal.c — the Signal kernels against models of
 * their definitions: window (product, shift, saturation), FFT auto scale
 * (largest safe shift, TFLite Micro's -32768 and all-zero cases), energy,
 * filter bank (weights and unweights into neighbouring channels), integer
 * square root (rounded, exhaustive around squares), spectral subtraction
 * (noise state across calls), log (vs ln within the table's accuracy),
 * PCAN (shrink regions, table bounds). */
#include <math.h>
#include <string.h>

#include "kernel_ref.h"
#include "nk.h"
#include "test_util.h"

static void test_window(void)
{
    const int16_t in[6] = {1000, -1000, 32767, -32768, 7, -7}, w[3] = {16384, 32767, -32768};
    int16_t out[6];
    CU_ASSERT_EQUAL_FATAL(nk_signal_window_s16(6, 3, 14, in, w, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 1000);                          /* x * 1.0 */
    CU_ASSERT_EQUAL(out[1], (-1000 * 32767) >> 14);         /* arithmetic shift */
    CU_ASSERT_EQUAL(out[2], -32768);                        /* 32767 * -2: saturated */
    CU_ASSERT_EQUAL(out[3], -32768);                        /* -32768 * 1.0 */
    CU_ASSERT_EQUAL(out[4], (7 * 32767) >> 14);
    CU_ASSERT_EQUAL(out[5], 14);                            /* -7 * -2 */
    CU_ASSERT_EQUAL(nk_signal_window_s16(5, 3, 14, in, w, out), NK_ERR_PARAMS);
}

static void test_auto_scale(void)
{
    int16_t in[4] = {100, -300, 5, 0}, out[4];
    int32_t bits = -1;
    CU_ASSERT_EQUAL_FATAL(nk_signal_fft_auto_scale_s16(4, in, out, &bits), NK_OK);
    CU_ASSERT_EQUAL(bits, 6); /* 300 < 2^9: 15 - 9 */
    CU_ASSERT_EQUAL(out[1], -300 * 64);
    int16_t z[3] = {0, 0, 0};
    CU_ASSERT_EQUAL_FATAL(nk_signal_fft_auto_scale_s16(3, z, out, &bits), NK_OK);
    CU_ASSERT_EQUAL(bits, 0); /* msb(0) taken as 32: no shift */
    int16_t m[2] = {-32768, 3};
    CU_ASSERT_EQUAL_FATAL(nk_signal_fft_auto_scale_s16(2, m, out, &bits), NK_OK);
    CU_ASSERT_EQUAL(bits, 13); /* the int16 maximum wrapped; 3 then became the max */
    CU_ASSERT_EQUAL(out[0], 0);
}

static void test_energy(void)
{
    const int16_t c[8] = {3, 4, -32768, -32768, 1, 1, 9, 9};
    uint32_t e[4] = {7, 7, 7, 7};
    CU_ASSERT_EQUAL_FATAL(nk_signal_energy(4, 1, 3, c, e), NK_OK);
    CU_ASSERT_EQUAL(e[0], 0u);
    CU_ASSERT_EQUAL(e[1], 2147483648u);
    CU_ASSERT_EQUAL(e[2], 2u);
    CU_ASSERT_EQUAL(e[3], 0u);
    CU_ASSERT_EQUAL(nk_signal_energy(4, 3, 5, c, e), NK_ERR_PARAMS);
}

static void test_filter_bank(void)
{
    /* 2 channels over 4 bins; channel tables have a leading scratch entry */
    const uint32_t in[4] = {10, 20, 30, 40};
    const int16_t w[4] = {1, 2, 3, 4}, uw[4] = {5, 6, 7, 8};
    const int16_t fs[3] = {0, 1, 2}, ws[3] = {0, 1, 2}, wd[3] = {1, 1, 2};
    uint64_t scr[3], out[2];
    nk_filter_bank_params p = {.num_channels = 2, .input_size = 4, .n_weights = 4, .weights = w,
                               .unweights = uw, .freq_starts = fs, .weight_starts = ws,
                               .widths = wd};
    CU_ASSERT_EQUAL_FATAL(nk_signal_filter_bank(&p, in, scr, out), NK_OK);
    /* ch0 = unweight of scratch (5*10) + weight 2*20; ch1 = 6*20 + 3*30 + 4*40 */
    CU_ASSERT_EQUAL(out[0], 50u + 40u);
    CU_ASSERT_EQUAL(out[1], 120u + 90u + 160u);
    const int16_t wd_bad[3] = {1, 1, 3};
    p.widths = wd_bad;
    CU_ASSERT_EQUAL(nk_signal_filter_bank(&p, in, scr, out), NK_ERR_PARAMS);
}

static void test_sqrt(void)
{
    uint64_t in[6] = {0, 1, 2, 65535ull * 65535ull, (1ull << 40) + 12345, UINT64_MAX};
    uint32_t out[6];
    int32_t sb = 0;
    CU_ASSERT_EQUAL_FATAL(nk_signal_filter_bank_sqrt(6, in, &sb, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 0u);
    CU_ASSERT_EQUAL(out[1], 1u);
    CU_ASSERT_EQUAL(out[2], 1u);
    CU_ASSERT_EQUAL(out[3], 65535u);
    CU_ASSERT_EQUAL(out[4], 1048576u);
    CU_ASSERT_EQUAL(out[5], 0xFFFFFFFFu);
    /* rounding to nearest around every square below 2^20 */
    int bad = 0;
    for (uint64_t r = 1; r < 1024; ++r)
        for (int64_t d = -(int64_t)r; d <= (int64_t)r; ++d) {
            uint64_t v = r * r + (uint64_t)d;
            uint32_t o;
            nk_signal_filter_bank_sqrt(1, &v, &sb, &o);
            bad += fabs((double)o - sqrt((double)v)) > 0.5 + 1e-9;
        }
    CU_ASSERT_EQUAL(bad, 0);
    sb = 3;
    CU_ASSERT_EQUAL_FATAL(nk_signal_filter_bank_sqrt(1, &in[3], &sb, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 65535u >> 3);
}

static void test_spectral_subtraction(void)
{
    /* smoothing 0.25 (Q14), alternate 0.5 on odd channels, floor 0.1 */
    nk_spectral_sub_params p = {.num_channels = 2, .smoothing = 4096, .one_minus_smoothing = 12288,
                                .alternate_smoothing = 8192,
                                .alternate_one_minus_smoothing = 8192,
                                .min_signal_remaining = 1638, .smoothing_bits = 2,
                                .spectral_subtraction_bits = 14, .clamping = 0};
    uint32_t in[2] = {1000, 1000}, noise[2] = {0, 0}, out[2], copy[2];
    double est[2] = {0, 0};
    for (int call = 0; call < 5; ++call) {
        CU_ASSERT_EQUAL_FATAL(nk_signal_spectral_subtraction(&p, in, noise, out, copy), NK_OK);
        for (int i = 0; i < 2; ++i) {
            double a = i ? 0.5 : 0.25;
            est[i] = a * 4000 + (1 - a) * est[i]; /* in Q2 */
            CU_ASSERT(fabs(noise[i] - est[i]) <= call + 1); /* truncation per step */
            CU_ASSERT_EQUAL(copy[i], noise[i]);
            double sub = (4000 - noise[i]) / 4.0;
            CU_ASSERT(out[i] == (uint32_t)(sub > 99 ? floor(sub) : 99));
        }
    }
    /* a quiet frame: the estimate exceeds the signal, the floor holds */
    in[0] = in[1] = 10;
    p.clamping = 1;
    CU_ASSERT_EQUAL_FATAL(nk_signal_spectral_subtraction(&p, in, noise, out, NULL), NK_OK);
    CU_ASSERT_EQUAL(out[0], (10u * 1638u) >> 14);
    CU_ASSERT_EQUAL(noise[0], 40u); /* clamped down to the scaled signal */
}

static void test_log(void)
{
    uint32_t in[3] = {0, 1, 0xFFFFFFFFu};
    int16_t out[3];
    CU_ASSERT_EQUAL_FATAL(nk_signal_filter_bank_log(3, 16, 0, in, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 0);
    CU_ASSERT_EQUAL(out[1], 0);
    CU_ASSERT(fabs(out[2] - 16 * log(4294967295.0)) <= 1.0);
    /* output_scale 16: out = 16 ln(x), within the table's accuracy */
    int bad = 0;
    for (uint32_t x = 2; x < 2000000000u; x = x / 2 * 3 + 1) {
        int16_t o;
        nk_signal_filter_bank_log(1, 16, 0, &x, &o);
        bad += fabs(o - 16 * log((double)x)) > 1.0;
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* correction bits shift the input first: log(4 x) */
    uint32_t x = 1000;
    int16_t a, b;
    nk_signal_filter_bank_log(1, 1000, 2, &x, &a);
    x = 4000;
    nk_signal_filter_bank_log(1, 1000, 0, &x, &b);
    CU_ASSERT_EQUAL(a, b);
    CU_ASSERT_EQUAL_FATAL(nk_signal_filter_bank_log(1, 2000, 0, &in[2], out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 32767); /* 2000 ln(2^32) saturates */
}

static void test_pcan(void)
{
    /* a flat table (gain 1.0 in Q-something): lut[x] for x <= 2, else the
     * quadratic's constant term */
    int16_t lut[125];
    for (int i = 0; i < 125; ++i)
        lut[i] = (i % 4 == 2 || i < 3) ? 4096 : 0; /* l[0] = 4096, l[1] = l[2] = 0 */
    uint32_t in[3] = {0, 1 << 6, 100 << 6}, noise[3] = {1, 1000, 1u << 30}, out[3];
    CU_ASSERT_EQUAL_FATAL(nk_signal_pcan(3, 6, in, noise, lut, 125, out), NK_OK);
    CU_ASSERT_EQUAL(out[0], 0u);
    /* snr = in * 4096 >> 6 = in * 64 (12 SNR bits): in = 1.0 (6 bits) -> snr 1.0 ->
     * shrink = x^2/4 = 0.25 -> 16 in 6 output bits */
    CU_ASSERT_EQUAL(out[1], 16u);
    /* 100.0 -> x - 1 = 99.0 */
    CU_ASSERT_EQUAL(out[2], 99u << 6);
    CU_ASSERT_EQUAL(nk_signal_pcan(3, 6, in, noise, lut, 100, out), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("nk_signal", NULL, NULL);
    if (!s || !CU_add_test(s, "window", test_window) ||
        !CU_add_test(s, "fft auto scale", test_auto_scale) ||
        !CU_add_test(s, "energy", test_energy) ||
        !CU_add_test(s, "filter bank", test_filter_bank) ||
        !CU_add_test(s, "filter bank square root", test_sqrt) ||
        !CU_add_test(s, "spectral subtraction state", test_spectral_subtraction) ||
        !CU_add_test(s, "filter bank log", test_log) ||
        !CU_add_test(s, "pcan", test_pcan))
        return -1;
    return 0;
}
