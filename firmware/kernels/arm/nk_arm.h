/* firmware/kernels/arm/nk_arm.h — Cortex-M DSP-extension (Cortex-M4/M7)
 * versions of the int8 kernels that dominate real models, written with the
 * ACLE intrinsics of <arm_acle.h> (SXTB16, SXTAB16, SMLAD, SSAT...) and, for
 * the innermost loops, hand-scheduled Thumb-2 in naked functions; all
 * bit-exact with the portable kernels in ../nk_*.c for every input.
 *
 *   nk_arm_conv2d.c            CONV_2D: blocks of 4/2/1 output pixels gathered
 *                              as int16 patches (first layers from a padded
 *                              input band), 1x1 filters to the GEMM core;
 *                              nk_conv2d_s8_packed_dsp: the same on weights
 *                              packed at code generation (nk_conv_pack)
 *   nk_arm_conv2d_fl.c         CONV_2D on the 2 x 2 packed layout: 2 pixels x
 *                              2 channels per block, first layers from a
 *                              zero-point padded input band, 3x3 layers over
 *                              4k channels straight from the input
 *   nk_arm_conv2d_split.c      CONV_2D patches too long for four pixels
 *                              (ResNet's 8x8x64 3x3): filter-row chunks of
 *                              four pixels, partial sums per channel
 *   nk_arm_conv2d_1x1.c        1x1 CONV_2D without padding as a GEMM
 *   nk_arm_gemm.c              int8 GEMM core (FC and 1x1 conv), fused requant
 *   nk_arm_fully_connected.c   FULLY_CONNECTED on the GEMM core
 *   nk_arm_fc_packed.c         FULLY_CONNECTED on weights packed at code
 *                              generation (nk_fc_pack in ../nk.h)
 *   nk_arm_depthwise_conv2d.c  DEPTHWISE_CONV_2D (3x3 strides 1/2, any padding:
 *                              zero-point-padded int16 planes, tiled for large
 *                              images; general path)
 *   nk_arm_dw3_sweep.c         the depthwise planes' Thumb-2 sweeps (nk_arm_dw3.h)
 *   nk_arm_add.c               ADD through per-input 256-entry tables
 *   nk_arm_avg_pool2d.c        AVERAGE_POOL_2D, four channels per word
 *   nk_arm_requant.h           requantization variants, host-tested against
 *                              nk_mbqm (tests/kernels/test_nk_arm_requant.c)
 *
 * Selection: the device profile's -mcpu decides.  When the compiler targets
 * a core with the DSP extension (__ARM_FEATURE_DSP: cortex-m4/m7/m33...) the
 * portable entry points validate their parameters and then call these, so
 * generated code needs no change; a _dsp function that does not handle a
 * shape returns NK_ERR_PARAMS without writing and the portable loop runs.
 * Defining NK_PORTABLE_ONLY keeps the portable loops (the equality test
 * tests/kernels/arm/nk_arm_test_main.c compares both on random shapes).
 * Stack: at most about 3.8 kB (conv patch buffer, GEMM column chunk).
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
/* the packed layout of nk.h (nk_conv_pack), parameters already checked */
int nk_conv2d_s8_packed_dsp(const nk_conv_params *p, const nk_conv_pack *k,
                            const int8_t *input, int8_t *output);
/* the 2 x 2 packed layout (nk.h, nk_conv_pack.fl), p checked by
 * nk_conv_pack_fl_ok (nk_arm_conv2d_fl.c) */
int nk_conv2d_s8_fl_dsp(const nk_conv_params *p, const int32_t *fl, const int8_t *input,
                        int8_t *output);
/* depth multiplier 1 and at most NK_ARM_DW_MAX_TAPS (64) filter taps;
 * returns NK_ERR_PARAMS otherwise, writing nothing */
int nk_depthwise_conv2d_s8_dsp(const nk_conv_params *p, const int8_t *input,
                               const int8_t *filter, const int32_t *bias, int8_t *output);
int nk_fully_connected_s8_dsp(const nk_fc_params *p, const int8_t *input,
                              const int8_t *weights, const int32_t *bias, int8_t *output);
/* the packed layouts of nk.h (nk_fc_pack: int8, int16), parameters
 * already checked */
int nk_fully_connected_s8_packed_dsp(const nk_fc_params *p, const nk_fc_pack *k,
                                     const int8_t *input, int8_t *output);
int nk_fully_connected_s8_packed16_dsp(const nk_fc_params *p, const nk_fc_pack *k,
                                       const int8_t *input, int8_t *output);
/* no broadcast, at least NK_ARM_ADD_MIN_TABLE (512) elements, output equal
 * to an input or not overlapping it, activation range inside int8;
 * returns NK_ERR_PARAMS otherwise, writing nothing */
int nk_add_s8_dsp(const nk_binary_params *p, const int8_t *in1, const int8_t *in2,
                  int8_t *output);
/* windows of at most 256 taps; returns NK_ERR_PARAMS otherwise, writing
 * nothing */
int nk_avg_pool2d_s8_dsp(const nk_pool_params *p, const int8_t *input, int8_t *output);
/* CONV_2D with a 1x1 filter, no padding (taps always inside the image) and
 * in_c <= 1024: matrix product through nk_arm_gemm.c; returns
 * NK_ERR_PARAMS, writing nothing, for other shapes. */
int nk_conv2d_1x1_s8_dsp(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                         const int32_t *bias, int8_t *output);
/* nk_conv2d_1x1_s8_rows (nk.h, nk_pw_pack) row pair by row pair,
 * parameters already checked */
int nk_conv2d_1x1_s8_rows_dsp(const nk_conv_params *p, const nk_pw_pack *k,
                              const int8_t *input, int8_t *output);
#endif

#endif /* NEURIO_NK_ARM_H */
