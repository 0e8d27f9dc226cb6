/* tests/kernels/signal/test_signal_rfft.c — the int16 real FFT (KISS FFT v130
 * fixed point) with libneurio's tables: factorisation and twiddles, then
 * the spectrum of random rows against a double-precision DFT scaled by
 * 1/fft_length (KISS FFT's fixed-point scaling), within a few LSB, for
 * every power-of-two length 4..1024 and zero-padded rows; lengths that are
 * not powers of two are refused with a message. */
#include <math.h>
#include <string.h>

#include "kernel_ref.h"
#include "neurio/signal.h"
#include "nk.h"
#include "test_util.h"

static void test_tables(void)
{
    int32_t f[2 * NEURIO_RFFT_MAX_FACTORS], nf = 0;
    static int16_t tw[2 * 512], stw[2 * 256];
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_rfft_tables_s16(512, f, &nf, tw, stw, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(nf, 4); /* 256 = 4 * 4 * 4 * 4 */
    CU_ASSERT_EQUAL(f[0], 4);
    CU_ASSERT_EQUAL(f[1], 64);
    CU_ASSERT_EQUAL(f[7], 1);
    CU_ASSERT_EQUAL(tw[0], 32767);
    CU_ASSERT_EQUAL(tw[1], 0);
    CU_ASSERT_EQUAL(tw[2 * 64], 0);       /* -pi/2: cos 0 */
    CU_ASSERT_EQUAL(tw[2 * 64 + 1], -32767);
    CU_ASSERT_EQUAL_FATAL(neurio_rfft_tables_s16(32, f, &nf, tw, stw, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(nf, 2); /* 16 = 4 * 4 */
    CU_ASSERT_EQUAL_FATAL(neurio_rfft_tables_s16(16, f, &nf, tw, stw, &e), NEURIO_OK);
    CU_ASSERT_EQUAL(nf, 2); /* 8 = 4 * 2 */
    CU_ASSERT_EQUAL(f[2], 2);
    CU_ASSERT_EQUAL(neurio_rfft_tables_s16(480, f, &nf, tw, stw, &e), NEURIO_ERR_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "480"));
}

static void run_len(int32_t n, int32_t in_len, uint32_t *seed, double *worst)
{
    static int16_t tw[2 * 1024], stw[2 * 512], scratch[2 * 1024], x[1024], y[2 * 1024 + 2];
    int32_t f[2 * NEURIO_RFFT_MAX_FACTORS], nf = 0;
    neurio_errbuf e = {{0}};
    CU_ASSERT_EQUAL_FATAL(neurio_rfft_tables_s16(n, f, &nf, tw, stw, &e), NEURIO_OK);
    nk_rfft_params p = {.rows = 1, .input_length = in_len, .fft_length = n,
                        .output_length = n / 2 + 1, .n_factors = nf, .factors = f,
                        .twiddles = tw, .super_twiddles = stw};
    for (int32_t i = 0; i < in_len; ++i)
        x[i] = (int16_t)((int32_t)(ref_rand(seed) % 32001u) - 16000);
    CU_ASSERT_EQUAL_FATAL(nk_signal_rfft_s16(&p, x, scratch, y), NK_OK);
    for (int32_t k = 0; k <= n / 2; ++k) {
        double re = 0, im = 0;
        for (int32_t t = 0; t < in_len; ++t) {
            re += x[t] * cos(-2 * M_PI * k * t / n);
            im += x[t] * sin(-2 * M_PI * k * t / n);
        }
        *worst = fmax(*worst, fabs(y[2 * k] - re / n));
        *worst = fmax(*worst, fabs(y[2 * k + 1] - im / n));
    }
}

static void test_spectrum(void)
{
    uint32_t seed = 4242;
    for (int32_t n = 4; n <= 1024; n *= 2) {
        double worst = 0;
        run_len(n, n, &seed, &worst);
        run_len(n, n * 3 / 4, &seed, &worst);
        /* each stage rounds; the error grows with the number of stages */
        CU_ASSERT(worst < 2.0 + log2((double)n));
        if (worst >= 2.0 + log2((double)n))
            fprintf(stderr, "fft %d: worst error %.2f LSB\n", (int)n, worst);
    }
}

static void test_rejects(void)
{
    int16_t tw[8] = {0}, stw[4] = {0}, s[16], x[8] = {0}, y[10];
    int32_t f[2] = {4, 2};
    nk_rfft_params p = {.rows = 1, .input_length = 8, .fft_length = 8, .output_length = 5,
                        .n_factors = 1, .factors = f, .twiddles = tw, .super_twiddles = stw};
    CU_ASSERT_EQUAL(nk_signal_rfft_s16(&p, x, s, y), NK_ERR_PARAMS); /* 4 != 4 * 2 */
    f[1] = 1;
    p.output_length = 4;
    CU_ASSERT_EQUAL(nk_signal_rfft_s16(&p, x, s, y), NK_ERR_PARAMS);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("signal_rfft", NULL, NULL);
    if (!s || !CU_add_test(s, "tables", test_tables) ||
        !CU_add_test(s, "spectrum vs DFT, 4..1024 points", test_spectrum) ||
        !CU_add_test(s, "bad parameters", test_rejects))
        return -1;
    return 0;
}
