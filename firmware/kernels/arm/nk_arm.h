/* firmware/kernels/arm/nk_arm.h — Cortex-M DSP-extension (Cortex-M4/M7)
 * versions of the hottest int8 kernels, written with the ACLE intrinsics
 * of <arm_acle.h> (__sxtb16, __sadd16, __smlad), bit-exact with the
 * portable kernels in ../nk_*.c.
 *
 * Selection: when the compiler targets a core with the DSP extension
 * (__ARM_FEATURE_DSP, i.e. -mcpu=cortex-m4/m7/m33...) the portable entry
 * points (nk_conv2d_s8, nk_depthwise_conv2d_s8 with depth multiplier 1 and
 * filters up to 64 taps,
 * nk_fully_connected_s8 with weights zero point 0) validate their parameters
 * and then call these, so generated code needs no change; defining
 * NK_PORTABLE_ONLY keeps the portable loops (used by the equality test).
 * These functions expect parameters already validated by the portable
 * entry point. */
#ifndef NEURIO_NK_ARM_H
#define NEURIO_NK_ARM_H

#include "../nk.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && !defined(NK_PORTABLE_ONLY)
#define NK_HAVE_ARM_DSP 1
#else
#define NK_HAVE_ARM_DSP 0
#endif

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
int nk_conv2d_s8_dsp(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                     const int32_t *bias, int8_t *output);
/* depth multiplier 1 and at most NK_ARM_DW_MAX_TAPS (64) filter taps;
 * returns NK_ERR_PARAMS otherwise, writing nothing */
int nk_depthwise_conv2d_s8_dsp(const nk_conv_params *p, const int8_t *input,
                               const int8_t *filter, const int32_t *bias, int8_t *output);
int nk_fully_connected_s8_dsp(const nk_fc_params *p, const int8_t *input,
                              const int8_t *weights, const int32_t *bias, int8_t *output);
/* no broadcast, at least NK_ARM_ADD_MIN_TABLE (512) elements, output equal
 * to an input or not overlapping it, activation range inside int8;
 * returns NK_ERR_PARAMS otherwise, writing nothing */
int nk_add_s8_dsp(const nk_binary_params *p, const int8_t *in1, const int8_t *in2,
                  int8_t *output);
/* windows of at most 256 taps; returns NK_ERR_PARAMS otherwise, writing
 * nothing */
int nk_avg_pool2d_s8_dsp(const nk_pool_params *p, const int8_t *input, int8_t *output);
#endif

#endif /* NEURIO_NK_ARM_H */

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
/* CONV_2D with a 1x1 filter, no padding (taps always inside the image) and
 * in_c <= 1024: matrix product through nk_arm_gemm.c; returns
 * NK_ERR_PARAMS, writing nothing, for other shapes. */
int nk_conv2d_1x1_s8_dsp(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                         const int32_t *bias, int8_t *output);
#endif
