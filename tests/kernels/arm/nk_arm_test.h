/* tests/kernels/arm/nk_arm_test.h — shared by the fast-kernel equality test
 * program (nk_arm_test_util.c: random numbers, tensors, quantization
 * parameters, shapes and the verdict every case uses; nk_arm_test_main.c:
 * the refused-case rules, main; nk_arm_test_conv.c: CONV_2D, depthwise,
 * FULLY_CONNECTED, ADD, pooling; nk_arm_test_gemm.c: the GEMM core, the
 * packed layouts and the Helium-only cases; nk_arm_test_dw.c: the 3x3
 * stride-2 depthwise path; nk_arm_test_overlap.c: overlapped buffers).
 * Built for Cortex-M4 (DSP) and, with -DNK_TEST_MVE, for Cortex-M55
 * (Helium). */
#ifndef NK_ARM_TEST_H
#define NK_ARM_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arm/nk_arm.h"
#include "mve/nk_mve.h"
#include "nk.h"
#if defined(NK_TEST_MVE)
#include "mve/nk_mve_requant.h"
#include "nk_fixedpoint.h"
#endif

void nk_test_puts(const char *s);
int nk_test_main(void);

/* ---- the kernels under test ---- */
#if defined(NK_TEST_MVE)
#define FAST_NAME "Helium"
#define fast_conv nk_conv2d_s8_mve
#define fast_dw nk_depthwise_conv2d_s8_mve
#define fast_fc nk_fully_connected_s8_mve
#define fast_add nk_add_s8_mve
#define fast_avgpool nk_avg_pool2d_s8_mve
#else
#define FAST_NAME "DSP"
#define fast_conv nk_conv2d_s8_dsp
#define fast_dw nk_depthwise_conv2d_s8_dsp
#define fast_fc nk_fully_connected_s8_dsp
#define fast_add nk_add_s8_dsp
#define fast_avgpool nk_avg_pool2d_s8_dsp
#endif

/* Random numbers (xorshift32) and the shared scratch buffers. */
uint32_t rnd(void);
int32_t rnd_in(int32_t lo, int32_t hi);
extern int8_t in_buf[16384], w_buf[32768], out_a[16384], out_b[16384];
extern int32_t bias[256], mult[256], shift[256];
/* random bytes; bytes at the int8 extremes (127 or -128) */
void fill(int8_t *b, size_t n);
void fill_extremes(int8_t *b, size_t n);
/* bias[], mult[], shift[] of n channels: bias in [-40000, 40000], mult in
 * [mult_lo, 2^31 - 1], shift in [shift_lo, shift_hi]; fill_quant: mult
 * from 2^30, shift -14..-6 */
void fill_quant_in(int32_t n, int32_t mult_lo, int32_t shift_lo, int32_t shift_hi);
void fill_quant(int32_t n);
/* a zero point: -128, 127, 0 or any, a quarter each */
int8_t pick_zp(void);
/* bias[] four times in five, else none */
const int32_t *pick_bias(void);
/* random input and output zero points (pick_zp) and per-channel flag, the
 * mult[] and shift[] arrays, activation range [-128, 127] */
void conv_quant(nk_conv_params *p);
void fc_quant(nk_fc_params *p);
/* Output size and SAME padding of p from its input, filter, stride and
 * dilation; 0 when a VALID convolution (pooling window) has no output. */
int conv_shape(nk_conv_params *p, int same);
int pool_shape(nk_pool_params *p, int same);
/* explicit padding: pad_top in [0, top], pad_left in [0, left], and up to
 * bottom and right padded pixels past the input; 0 when no output */
int pad_shape(nk_conv_params *p, int32_t top, int32_t left, int32_t bottom, int32_t right);
/* pick 0: VALID, 1: explicit paddings of up to pad on every side
 * (pad_shape), else SAME; 0 when no output */
int pick_padding(nk_conv_params *p, uint32_t pick, int32_t pad);
/* a pooling window: up to 2 batches of up to 12 x 12 x 40, filters up to
 * fmax x fmax, strides up to 3 (no output size yet: pool_shape) */
nk_pool_params random_pool(int32_t fmax);
/* in_buf's n_in bytes gap bytes into buf (size bytes, the rest 0x77), as
 * the planner overlaps a kernel's output (from buf) with its dying input;
 * returns the input's place */
const int8_t *place_input(int8_t *buf, size_t size, size_t gap, size_t n_in);
extern int printed;
void put_num(const char *label, long v);

/* The cases each fast kernel documents as refused (NK_ERR_PARAMS). */
int shifts_outside(const int32_t *sh, int32_t n, int32_t per_channel, int32_t lo, int32_t hi);
int conv_refused(const nk_conv_params *p);
int dw_refused(const nk_conv_params *p);
int fc_refused(const nk_fc_params *p);
int add_refused(const nk_binary_params *p);
int avgpool_refused(const nk_pool_params *p);
extern long handled, refused;
int expect(int is_refused, int ra, int rb, const int8_t *b, const int8_t *a, size_t n,
           int8_t fillb);
/* The usual case: prime_outputs(n) fills out_a and out_b with 0x55 and
 * 0x66, the portable kernel writes out_a and the fast one out_b; then
 * verdict() is expect() on them, printing `what` and the iteration for the
 * first five failures: 0 = passed, 1 = failed. */
void prime_outputs(size_t n);
int verdict(int is_refused, int ra, int rb, size_t n, const char *what, int iter);
/* failed (non-zero) printed as `what` and the iteration for the first five
 * failures: 1 = failed, 0 = passed */
int report(int failed, const char *what, int iter);
/* a handled case whose answer (rb, got) must be the portable one's (ra,
 * out_a), n bytes: report() of the comparison */
int same_bytes(int ra, int rb, const int8_t *got, size_t n, const char *what, int iter);
/* CONV_2D (dw: DEPTHWISE_CONV_2D), portable and fast, on in_buf, w_buf and
 * bias b: verdict() with the kernel's refused rule.  random_conv fills the
 * input, n_w weights and fill_quant first, then picks the bias. */
int check_conv(const nk_conv_params *p, const int32_t *b, int dw, const char *what, int iter);
int random_conv(const nk_conv_params *p, size_t n_w, int dw, const char *what, int iter);

/* The cases: 0 = passed, 1 = failed. */
int test_conv(int iter, int depthwise);
int test_fc(int iter);
int test_conv_split(int iter);
int test_conv_overlap(int iter, int shape);
int test_add(int iter);
int test_dw3(int iter);
int test_dw3_s2(int iter);
int test_avgpool(int iter);
int test_conv_requant(int iter);
int test_conv_wide(int iter);
int test_conv_band(int iter);
int test_conv_packed_fl(int iter);
/* the planner's gap between a CONV_2D's output and its dying input (the
 * pixel-block contract of nk.h) */
long ov_gap(const nk_conv_params *p);
int test_conv1x1(int iter);
int test_fc_gemm(int iter);
#if !defined(NK_TEST_MVE)
int test_fc_packed(int iter);
int test_conv_packed(int iter);
#endif
/* nk_arm_test_overlap.c: kernels on the planner's overlapped buffers */
int test_pw_rows(int iter);
int test_dw_overlap(int iter);
#if defined(NK_TEST_MVE)
int test_requant_lanes(int iter);
int test_fc_batched(int iter);
int test_dw_general(int iter);
int test_maxpool(int iter);
#endif

#endif
