/* firmware/kernels/mve/nk_mve.h — Cortex-M55 (Armv8.1-M) Helium / MVE
 * versions of the int8 kernels that dominate real models, written with the
 * intrinsics of <arm_mve.h> and, for the matrix core's inner loop,
 * hand-scheduled MVE assembly in a naked function; all bit-exact with the
 * portable kernels for every input.
 *
 *   nk_mve_gemm.c              int8 matrix core: four rows x all columns,
 *                              16 multiply-accumulates per VMLADAVA, fused
 *                              vector requantization (shared by conv, 1x1
 *                              conv and batched FULLY_CONNECTED)
 *   nk_mve_conv2d.c            CONV_2D: patches gathered four pixels at a
 *                              time into the core's interleaved layout
 *   nk_mve_fully_connected.c   FULLY_CONNECTED: four batch rows at a time
 *                              on the core, single rows two neurons per pass
 *   nk_mve_depthwise_conv2d.c  DEPTHWISE_CONV_2D, four channels per vector,
 *                              exact float multiply-adds (VFMA)
 *   nk_mve_add.c               ADD through per-input 256-entry tables
 *                              read with gather loads
 *   nk_mve_pool.c              AVERAGE_POOL_2D and MAX_POOL_2D, 16 channels
 *                              per vector
 *   nk_mve_requant.h           TFLite's requantization on four lanes
 *                              (VQRDMULH + a rounding fix-up + VRSHL),
 *                              equal to nk_mbqm for every input
 *
 * Selection: when the compiler targets a core with MVE (__ARM_FEATURE_MVE,
 * -mcpu=cortex-m55) the portable entry points validate their parameters
 * and call these first; a _mve function that does not handle a case
 * returns NK_ERR_PARAMS without writing, and the DSP-extension version
 * (arm/), then the portable loop runs.  Defining NK_PORTABLE_ONLY keeps
 * the portable loops (the equality test tests/kernels/mve/ compares both
 * on random shapes on QEMU mps3-an547).  Stack, sized by the layer (VLAs):
 * CONV_2D's patch buffer (at most 4 KiB) and 12 bytes of constants per
 * channel; DEPTHWISE_CONV_2D's row ring (at most 6 KiB).  The planner's pixel-block contract (nk.h) holds: CONV_2D works
 * in blocks of four consecutive output pixels, gathering a block's patches
 * before writing any of its outputs.
 * These functions expect parameters already validated by the portable
 * entry point. */
#ifndef NEURIO_NK_MVE_H
#define NEURIO_NK_MVE_H

#include "../nk.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1) && !defined(NK_PORTABLE_ONLY)
#define NK_HAVE_MVE 1
#else
#define NK_HAVE_MVE 0
#endif
/* The depthwise kernel also needs MVE's floating point (exact float
 * multiply-adds, see nk_mve_depthwise_conv2d.c). */
#if NK_HAVE_MVE && (__ARM_FEATURE_MVE & 2)
#define NK_HAVE_MVE_FP 1
#else
#define NK_HAVE_MVE_FP 0
#endif

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
/* Patch length fh * fw * in_c in 16..NK_MVE_MAX_K and every output shift
 * in -31..-1; NK_ERR_PARAMS (nothing written) otherwise. */
int nk_conv2d_s8_mve(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                     const int32_t *bias, int8_t *output);
/* any shape (in_depth <= NK_MVE_MAX_K for the four-row core, else one row
 * at a time); NK_ERR_PARAMS (nothing written) for in_depth over 65535 */
int nk_fully_connected_s8_mve(const nk_fc_params *p, const int8_t *input,
                              const int8_t *weights, const int32_t *bias, int8_t *output);
/* no broadcast, at least 64 elements, output equal to an input or not
 * overlapping it; NK_ERR_PARAMS (nothing written) otherwise */
int nk_add_s8_mve(const nk_binary_params *p, const int8_t *in1, const int8_t *in2,
                  int8_t *output);
/* windows of at most 256 taps; NK_ERR_PARAMS (nothing written) otherwise */
int nk_avg_pool2d_s8_mve(const nk_pool_params *p, const int8_t *input, int8_t *output);
/* activation range inside int8; NK_ERR_PARAMS (nothing written) otherwise */
int nk_max_pool2d_s8_mve(const nk_pool_params *p, const int8_t *input, int8_t *output);
#endif
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)
/* depth multiplier 1, at most 1024 taps, and one group of four channels
 * within the stack budget: (filter_h * wp + taps) * 16 +
 * NK_MVE_DW_GROUP_BYTES <= NK_MVE_DW_STACK_MAX with wp = (out_w - 1) *
 * stride_w + (filter_w - 1) * dilation_w + 4; NK_ERR_PARAMS (nothing
 * written) otherwise */
int nk_depthwise_conv2d_s8_mve(const nk_conv_params *p, const int8_t *input,
                               const int8_t *filter, const int32_t *bias, int8_t *output);
#endif

/* Longest patch / input row the four-row matrix core takes (its stack
 * buffer holds four rows of it). */
#define NK_MVE_MAX_K 1024
/* DEPTHWISE_CONV_2D's stack budget for one chunk of channels, and what it
 * counts per group of four channels besides the row ring and filter. */
#define NK_MVE_DW_STACK_MAX 6144
#define NK_MVE_DW_GROUP_BYTES 224

#endif /* NEURIO_NK_MVE_H */
