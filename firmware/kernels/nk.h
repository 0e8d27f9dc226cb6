/* firmware/kernels/nk.h — neurio's portable kernels (C99, freestanding).
 *
 * Every kernel takes a parameter struct of plain integers and pointers that
 * the code generator fills at generation time (emitted as `static const`),
 * so an int8 model needs no float math on the device.  The host-side
 * derivation of every fixed-point constant is in libneurio's
 * neurio/requant.h.  No allocation, no libc beyond <string.h>/<stdint.h>;
 * the float kernels that need exp/tanh also use <math.h> (libm).
 *
 * Conventions (all kernels):
 *  - Layout is NHWC for rank-4 activations, C order otherwise.
 *  - Weights: CONV_2D [out_c][kh][kw][in_c] (OHWI); DEPTHWISE_CONV_2D
 *    [1][kh][kw][in_c * depth_multiplier]; FULLY_CONNECTED [out][in].
 *    int8 kernels take int32 biases, float kernels float biases; a NULL
 *    bias means zero.
 *  - Zero points are stored as zero points (real = scale * (q - zp)); the
 *    kernels do the subtraction.  Multipliers/shifts follow TFLite's
 *    QuantizeMultiplier convention: mult in [2^30, 2^31) (or 0), shift > 0
 *    is a left shift, shift < 0 a right shift.
 *  - Padding is already resolved into pad_top/pad_left (SAME/VALID/explicit
 *    all become offsets; see neurio_compute_padding() in requant.h).
 *  - int8 arithmetic is bit-exact with TFLite (Micro)'s reference kernels.
 *  - act_min/act_max: int8 kernels clamp to [act_min, act_max] (the
 *    quantized fused-activation range, -128..127 when none); float kernels
 *    clamp to [act_min_f, act_max_f] (-INFINITY..INFINITY when none; use
 *    -FLT_MAX/FLT_MAX in generated code).
 *  - Every kernel returns NK_OK, or NK_ERR_PARAMS when its parameters are
 *    inconsistent (zero/negative sizes, stride < 1, NULL pointer, ...); it
 *    then writes nothing.  Input and output buffers must not overlap unless
 *    the kernel's comment says in-place is allowed.
 */
#ifndef NEURIO_NK_H
#define NEURIO_NK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NK_OK 0
#define NK_ERR_PARAMS (-1)

/* Highest rank for the N-d kernels (binary broadcast, pad, mean). */
#define NK_MAX_DIMS 6

/* ---------------------------------------------------------------- conv */

/* CONV_2D and DEPTHWISE_CONV_2D. */
typedef struct nk_conv_params {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;     /* depthwise: out_c = in_c * depth_multiplier */
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;      /* >= 1 */
    int32_t dilation_h, dilation_w;  /* >= 1 */
    int32_t pad_top, pad_left;       /* resolved offsets, >= 0 */
    int32_t depth_multiplier;        /* depthwise only (>= 1); ignored by conv */
    /* int8 */
    int32_t in_zp;                   /* input zero point (weights are symmetric) */
    int32_t out_zp;
    int32_t per_channel;             /* 1: out_mult/out_shift have out_c entries;
                                        0: one entry for all channels */
    const int32_t *out_mult;
    const int32_t *out_shift;
    int32_t act_min, act_max;
    /* float */
    float act_min_f, act_max_f;
} nk_conv_params;

int nk_conv2d_s8(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                 const int32_t *bias, int8_t *output);
int nk_conv2d_f32(const nk_conv_params *p, const float *input, const float *filter,
                  const float *bias, float *output);
int nk_depthwise_conv2d_s8(const nk_conv_params *p, const int8_t *input,
                           const int8_t *filter, const int32_t *bias, int8_t *output);
int nk_depthwise_conv2d_f32(const nk_conv_params *p, const float *input,
                            const float *filter, const float *bias, float *output);

/* CONV_2D int8 with weights laid out at code generation for the DSP
 * extension's 4-pixel patch kernel (arm/nk_arm_conv2d.c): each output
 * channel's filter (OHWI order, len = filter_h filter_w in_c taps) as
 * int16 doubled (2 w, so that the sums come out doubled), padded with zeros to NK_CONV_PACK_LEN(len) taps, in groups of
 * four taps in the SXTB16 lane order of the gathered input (taps 0, 2, 1,
 * 3), so that the kernel feeds SMLAD straight from LDM (no unpacking);
 * and per channel the constants {2 bias, mult, c0, e} of the doubled-sum
 * requantization (nk_arm_requant_x2 in arm/nk_arm_requant.h).  Built by
 * nk_conv_pack_s8 (portable: the code generator runs it); run by
 * nk_conv2d_s8_packed (portable C everywhere, the DSP version when the
 * core has it; NK_CONV_PACKED says the generated code should prefer it).
 * Bit-exact with nk_conv2d_s8.  Flash: 2 bytes per weight instead of 1. */
typedef struct nk_conv_pack {
    const int16_t *w; /* NK_CONV_PACK_HALVES(len, out_c) halfwords */
    const int32_t *k; /* 4 out_c: {2 bias, mult, c0, e} per channel */
    const int32_t *fl; /* the 2 x 2 layout below (w and k unused), or NULL */
} nk_conv_pack;

#define NK_CONV_PACK_LEN(len) (((len) + 3) / 4 * 4)
#define NK_CONV_PACK_HALVES(len, out_c) (NK_CONV_PACK_LEN(len) * (out_c))
/* the longest padded patch the 4-pixel kernel holds (arm: NK_ARM_PATCH_MAX / 4) */
#define NK_CONV_PACK_MAX_LEN 288

/* Fills w[NK_CONV_PACK_HALVES] and k[4 out_c] from the OHWI int8 filter
 * and bias (may be NULL) of p.  NK_ERR_PARAMS, writing nothing useful,
 * when the layout does not suit p: a padded patch longer than
 * NK_CONV_PACK_MAX_LEN, an activation range other than [-128, 127],
 * a channel whose requantization is not nk_arm_requant_x2's (mult in
 * (2^30, 2^31), shift in [-22, -2]), or whose |bias| + sum |w| |x - in_zp|
 * can reach 2^30. */
int nk_conv_pack_s8(const nk_conv_params *p, const int8_t *filter, const int32_t *bias,
                    int16_t *w, int32_t *k);
/* The 2 x 2 layout (nk_conv_pack.fl; first layers with in_c % 4 != 0,
 * e.g. RGB 3x3, and 3x3 layers over a multiple of 4 channels; dilation 1,
 * even out_c), for the DSP kernel's blocks of 2 pixels x 2 channels: each
 * filter row's run of run = filter_w in_c bytes is read as whole words
 * (run / 4, one more when run % 4 == 3), and the rows' leftover byte (run %
 * 4 == 1: four rows per group) or two bytes (run % 4 == 2: two rows per
 * group) make the last groups; taps in SXTB16 lane order, taps past the run
 * weighted 0.  The input zero point is folded into the bias (bias - in_zp
 * sum w), so the kernel multiplies raw input bytes (padding reads as
 * in_zp).  One int32 stream fl, per pair of output channels (c, c + 1):
 * {2 b'c, 2 b'c, 2 b'c+1, 2 b'c+1}, then per group {wc lanes 0-1, wc lanes
 * 2-3, wc+1 lanes 0-1, wc+1 lanes 2-3} (two doubled int16 weights per word,
 * the lower lane in the low half), then {mult, c0, e} of c and of c + 1
 * (nk_arm_requant_x2).  NK_CONV_PACK_FL_GROUPS(p) groups of four taps, at
 * most NK_CONV_PACK_FL_MAX_GROUPS; the kernel's buffer of
 * NK_CONV_PACK_FL_BUF bytes holds 16 bytes per group and, when in_c % 4 !=
 * 0, a zero-point padded band of filter_h + stride_h input rows of
 * (out_w - 1) stride_w + filter_w pixels plus 4 bytes. */
#define NK_CONV_PACK_FL_MAX_GROUPS 72
#define NK_CONV_PACK_FL_BUF 2304
#define NK_CONV_PACK_FL_GROUPS(p)                                                              \
    ((p)->filter_h * ((p)->filter_w * (p)->in_c / 4 + ((p)->filter_w * (p)->in_c % 4 == 3)) +   \
     ((p)->filter_w * (p)->in_c % 4 == 1   ? ((p)->filter_h + 3) / 4                         \
      : (p)->filter_w * (p)->in_c % 4 == 2 ? ((p)->filter_h + 1) / 2                         \
                                           : 0))
#define NK_CONV_PACK_FL_WORDS(p) ((p)->out_c / 2 * (10 + 4 * NK_CONV_PACK_FL_GROUPS(p)))
/* 1 when the 2 x 2 layout takes p (shape, dilation, even out_c, groups,
 * buffer), 0 otherwise. */
int nk_conv_pack_fl_ok(const nk_conv_params *p);
/* Fills fl[NK_CONV_PACK_FL_WORDS(p)]; NK_ERR_PARAMS as nk_conv_pack_s8
 * (bound on |bias'| + 128 sum |w|), or when nk_conv_pack_fl_ok(p) is 0. */
int nk_conv_pack_s8_fl(const nk_conv_params *p, const int8_t *filter, const int32_t *bias,
                       int32_t *fl);

/* CONV_2D through the packed weights and constants of k (p as packed). */
int nk_conv2d_s8_packed(const nk_conv_params *p, const nk_conv_pack *k, const int8_t *input,
                        int8_t *output);

/* 1x1 CONV_2D int8 row pair by row pair, on weights packed at code
 * generation (the matrix product of arm/nk_arm_gemm.c with the weights
 * already widened): for every pair of output pixels both input pixels are
 * widened into a buffer first, then every output channel of the pair is
 * written, so the output may overlap the input (the memory planner's
 * overlap table, sdk/src/plan/plan_overlap.c).  Layout: G =
 * NK_PW_PACK_GROUPS(in_c) groups of four input channels per column; per
 * pair of output channels (c, c + 1) and group g four words of int16
 * doubled weights (2 w), channels (4g, 4g + 2), (4g + 1, 4g + 3) of column
 * c, then the same of column c + 1, zeros past in_c; and per pair the
 * constants {2 b_c, 2 b_c+1, m_c, K_c, e_c, m_c+1, K_c+1, e_c+1} with e =
 * -shift and K = 2^(e-1) + (out_zp << e) (the fused requantization of
 * nk_arm_gemm.c).  Flash: 2 bytes per weight. */
typedef struct nk_pw_pack {
    const int16_t *w; /* NK_PW_PACK_HALVES(in_c, out_c) halfwords */
    const int32_t *t; /* 4 out_c words */
} nk_pw_pack;

#define NK_PW_PACK_GROUPS(in_c) ((((in_c) + 7) / 8) * 2)
#define NK_PW_PACK_HALVES(in_c, out_c) (NK_PW_PACK_GROUPS(in_c) * 4 * (out_c))
#define NK_PW_PACK_MAX_IN_C 128

/* Fills w[NK_PW_PACK_HALVES] and t[4 out_c] from the OHWI int8 filter and
 * bias (may be NULL) of p.  NK_ERR_PARAMS, writing nothing useful, unless
 * p is a 1x1 convolution without padding, in_c <= NK_PW_PACK_MAX_IN_C,
 * out_c even, the activation range [-128, 127], every shift in [-20, -1]
 * and every |bias| < 2^29. */
int nk_pw_pack_s8(const nk_conv_params *p, const int8_t *filter, const int32_t *bias,
                  int16_t *w, int32_t *t);
/* The 1x1 CONV_2D of p through k (p as packed; its out_mult, out_shift
 * and bias are in k, p's may be NULL): the DSP version where the core has
 * it, else portable C (pixel by pixel).  Bit-exact with nk_conv2d_s8.
 * NK_ERR_PARAMS, writing nothing, for a p nk_pw_pack_s8 refuses. */
int nk_conv2d_1x1_s8_rows(const nk_conv_params *p, const nk_pw_pack *k, const int8_t *input,
                          int8_t *output);

/* The generated code calls nk_conv2d_1x1_s8_rows where the planner let a
 * 1x1 convolution overlap its input: on every core with the DSP extension
 * (Helium cores too: their nk_conv2d_s8 may fall back to the column-chunk
 * matrix product), elsewhere the portable nk_conv2d_s8. */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && !defined(NK_PORTABLE_ONLY)
#define NK_CONV_ROWS 1
#else
#define NK_CONV_ROWS 0
#endif

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && !defined(NK_PORTABLE_ONLY) && \
    !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1))
#define NK_CONV_PACKED 1
#else
#define NK_CONV_PACKED 0
#endif

/* int16x8 (TFLite's 16x8 quantization): int16 activations with zero points
 * 0 (in_zp and out_zp are not read), int8 weights, int64 bias; 64-bit
 * accumulation requantized by TFLite's 64-bit MultiplyByQuantizedMultiplier;
 * act_min/act_max in int16.  Portable kernels only (no DSP/Helium
 * variant). */
int nk_conv2d_s16(const nk_conv_params *p, const int16_t *input, const int8_t *filter,
                  const int64_t *bias, int16_t *output);
int nk_depthwise_conv2d_s16(const nk_conv_params *p, const int16_t *input,
                            const int8_t *filter, const int64_t *bias, int16_t *output);
/* int16x8 with an int32 bias (TFLite Micro's 16x8 kernels with an int32
 * bias): the accumulator is int32 (wrapping) and requantized by the
 * 32-bit MultiplyByQuantizedMultiplier (nk_mbqm).  bias may be NULL
 * (conv and FC: a bias-less layer whose TFLite options ask for the int32
 * accumulator, quantized_bias_type = INT32); depthwise requires it. */
int nk_conv2d_s16_b32(const nk_conv_params *p, const int16_t *input, const int8_t *filter,
                      const int32_t *bias, int16_t *output);
int nk_depthwise_conv2d_s16_b32(const nk_conv_params *p, const int16_t *input,
                                const int8_t *filter, const int32_t *bias, int16_t *output);

/* TRANSPOSE_CONV: input [batches][in_h][in_w][in_c], filter
 * [out_c][filter_h][filter_w][in_c], output [batches][out_h][out_w][out_c];
 * input pixel (iy, ix) lands on output (iy * stride - pad_top + fy,
 * ix * stride - pad_left + fx).  pad_top/pad_left as TFLite computes them
 * for TRANSPOSE_CONV (from the output size); dilation and depth_multiplier
 * are not read; filter_h, filter_w <= 64.  int8: in_zp, out_zp, per-channel
 * or per-tensor multipliers as CONV_2D; int16x8 as nk_conv2d_s16; the
 * fused activation in act_min/act_max (or act_min_f/act_max_f).  No scratch
 * memory; output must not overlap input. */
int nk_transpose_conv_s8(const nk_conv_params *p, const int8_t *input, const int8_t *filter,
                         const int32_t *bias, int8_t *output);
int nk_transpose_conv_s16(const nk_conv_params *p, const int16_t *input, const int8_t *filter,
                          const int64_t *bias, int16_t *output);
/* int16x8 with an int16 bias, widened to int64 as TFLite Micro does. */
int nk_transpose_conv_s16_b16(const nk_conv_params *p, const int16_t *input,
                              const int8_t *filter, const int16_t *bias, int16_t *output);
int nk_transpose_conv_f32(const nk_conv_params *p, const float *input, const float *filter,
                          const float *bias, float *output);

/* Pixel-block contract (CONV_2D with more than one filter tap, int8 and
 * float, portable and firmware/kernels/arm/ versions): per batch the output
 * pixels are produced in increasing raster order, all channels of a pixel
 * together, in blocks of at most max(8, 2 * out_w) consecutive pixels;
 * while working on a block that starts at output pixel (oy, ox) a kernel
 * writes only that block's pixels (and earlier ones) and reads only input
 * rows from oy * stride_h - pad_top on.  The memory planner relies on it
 * to place such a conv's output a computed gap below its dying input,
 * overlapping it (sdk/src/plan/planner.c pl_overlap_gap): a kernel that went
 * over the image once per channel group, or columns first, would silently
 * corrupt those plans.  DEPTHWISE_CONV_2D and 1x1 CONV_2D have their own
 * rows in the planner's overlap table (sdk/src/plan/plan_overlap.c: the
 * portable depthwise loop pixel by pixel, the DSP and Helium depthwise
 * kernels channel group by channel group over a copy of the whole image,
 * 1x1 only through nk_conv2d_1x1_s8_rows).  Checked on random shapes by
 * tests/planner (portable) and test_nk_arm_dsp_qemu (DSP). */

/* ------------------------------------------------------ fully connected */

/* FULLY_CONNECTED: output[b][o] = sum_d input[b][d] * weights[o][d] + bias[o]. */
typedef struct nk_fc_params {
    int32_t batches;                 /* rows of input (product of leading dims) */
    int32_t in_depth;                /* accumulation depth */
    int32_t out_depth;
    /* int8 */
    int32_t in_zp;
    int32_t filter_zp;               /* weights zero point (0 for int8 symmetric) */
    int32_t out_zp;
    int32_t per_channel;             /* 1: out_depth entries in out_mult/out_shift */
    const int32_t *out_mult;
    const int32_t *out_shift;
    int32_t act_min, act_max;
    /* float */
    float act_min_f, act_max_f;
} nk_fc_params;

int nk_fully_connected_s8(const nk_fc_params *p, const int8_t *input,
                          const int8_t *weights, const int32_t *bias, int8_t *output);
/* int16x8 as nk_conv2d_s16 (filter_zp applied when per_channel == 0). */
int nk_fully_connected_s16(const nk_fc_params *p, const int16_t *input,
                           const int8_t *weights, const int64_t *bias, int16_t *output);
/* int16x8 with an int32 bias, as nk_conv2d_s16_b32. */
int nk_fully_connected_s16_b32(const nk_fc_params *p, const int16_t *input,
                               const int8_t *weights, const int32_t *bias, int16_t *output);
int nk_fully_connected_f32(const nk_fc_params *p, const float *input,
                           const float *weights, const float *bias, float *output);

/* FULLY_CONNECTED int8 with weights laid out at code-generation time for
 * the DSP extension (one SXTB16 and two SMLADs per four weights instead of
 * two SXTB16s and two SMLADs): rows in groups of four, depth padded to
 * eight; within each 16-bit lane pair (w_even, w_odd) the odd byte is
 * stored as w_odd - [w_even < 0], so the signed halfword equals
 * 256 w_odd + w_even exactly; with the input prepared once per call as
 * (x_odd + 129) and 256 (x_even + 1) - (x_odd + 129) (both fit int16),
 * SMLAD(halfwords, prep_odd) + SMLAD(SXTB16(word), prep_even) is 256 times
 * the pair's dot product (with offsets folded into k).  The sum of each
 * 128-input chunk is below 2^31 in magnitude and shifted back exactly.
 * k[o] = bias[o] - in_zp sum(w) - sum(w_even) - 129 sum(w_odd), one per
 * padded row.  Built by nk_fc_pack_s8 (portable: the code generator runs
 * it); run by nk_fully_connected_s8_packed (portable C everywhere, the
 * DSP version when the core has it; NK_FC_PACKED says the generated code
 * should prefer it).  Bit-exact with nk_fully_connected_s8. */
typedef struct nk_fc_pack {
    const int32_t *w;  /* NK_FC_PACK_WORDS(in_depth, out_depth) words */
    const int32_t *k;  /* NK_FC_PACK_ROWS(out_depth) folded constants */
    uint32_t *xbuf;    /* scratch of NK_FC_PACK_XWORDS(in_depth) words */
    int32_t depth_pad; /* in_depth rounded up to a multiple of 8 */
    int32_t x2;        /* 1: every row passes nk_arm_requant_x2_ok
                          (arm/nk_arm_requant.h) and its sum is below
                          2^30 in magnitude for every input */
    int32_t wide;      /* 0: the int8 layout above; 1: the int16 layout
                          (nk_fc_pack_s8_w16): twice the flash, one SMLAD
                          per two weights and no unpacking */
} nk_fc_pack;

#define NK_FC_PACK_DEPTH(in_depth) (((in_depth) + 7) / 8 * 8)
#define NK_FC_PACK_ROWS(out_depth) (((out_depth) + 3) / 4 * 4)
#define NK_FC_PACK_WORDS(in_depth, out_depth) \
    (NK_FC_PACK_ROWS(out_depth) * NK_FC_PACK_DEPTH(in_depth) / 4)
#define NK_FC_PACK_XWORDS(in_depth) (NK_FC_PACK_DEPTH(in_depth) / 2)
#define NK_FC_PACK_WORDS16(in_depth, out_depth) \
    (NK_FC_PACK_ROWS(out_depth) * NK_FC_PACK_DEPTH(in_depth) / 2)

/* Fills w[NK_FC_PACK_WORDS] and k[NK_FC_PACK_ROWS] from row-major int8
 * weights [out_depth][in_depth] and bias (may be NULL) for p, and *x2.
 * NK_ERR_PARAMS, writing nothing useful, when the layout cannot hold them:
 * filter_zp != 0, or a pair (w_even < 0, w_odd == -128). */
int nk_fc_pack_s8(const nk_fc_params *p, const int8_t *weights, const int32_t *bias,
                  int32_t *w, int32_t *k, int32_t *x2);
/* The int16 layout (nk_fc_pack.wide = 1): the weights widened to int16,
 * two per word, rows in groups of four, depth padded to eight; per group
 * and step of four inputs 4s..4s+3 eight words: (w[r][4s], w[r][4s+2]) for
 * rows r = 0..3, then (w[r][4s+1], w[r][4s+3]) (low halfword first); the
 * input is prepared once per call as the pairs (x[4s], x[4s+2]) and
 * (x[4s+1], x[4s+3]), so each SMLAD is two MACs with nothing unpacked.
 * k[o] = bias[o] - in_zp sum(w), one int32 sum per row as the portable
 * kernel's (no chunks).  Fills w[NK_FC_PACK_WORDS16] and
 * k[NK_FC_PACK_ROWS] and *x2 (as nk_fc_pack_s8); NK_ERR_PARAMS for
 * filter_zp != 0 (every int8 weight fits). */
int nk_fc_pack_s8_w16(const nk_fc_params *p, const int8_t *weights, const int32_t *bias,
                      int32_t *w, int32_t *k, int32_t *x2);
/* p->batches rows of input through the packed weights of k: the int8
 * layout (k->wide = 0) and the int16 one (k->wide = 1), one entry each
 * (NK_ERR_PARAMS for the other layout), so that an image links only the
 * code of the layouts it uses. */
int nk_fully_connected_s8_packed(const nk_fc_params *p, const nk_fc_pack *k,
                                 const int8_t *input, int8_t *output);
int nk_fully_connected_s8_packed16(const nk_fc_params *p, const nk_fc_pack *k,
                                   const int8_t *input, int8_t *output);

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && !defined(NK_PORTABLE_ONLY) && \
    !(defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1))
#define NK_FC_PACKED 1
#else
#define NK_FC_PACKED 0
#endif

#if NK_FC_PACKED && defined(__GNUC__)
/* The int8 output of a FULLY_CONNECTED row from twice its sum, x2 = 2 acc
 * (|acc| < 2^30): nk_mbqm(acc, mult, -e) + zp clamped to [lo, hi], exact
 * for mult in (2^30, 2^31), e in [2, 22], |zp| <= 128, with
 * c0 = (2 zp + 1) 2^(e - 1) (nk_arm_requant_x2 in arm/nk_arm_requant.h,
 * which proves it).  The straight-line FULLY_CONNECTED code the generator
 * writes for tiny layers (codegen_fcpack.c) calls it with constants. */
static inline int8_t nk_fc_q_x2(int32_t x2, int32_t mult, int32_t c0, int32_t e, int32_t lo,
                                int32_t hi)
{
    const uint32_t c = (uint32_t)c0 + (uint32_t)(x2 >> 31);
    int32_t r;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(x2), "r"(mult), "r"(c));
    r >>= e;
    return (int8_t)(r < lo ? lo : (r > hi ? hi : r));
}
#endif

/* ---------------------------------------------------------------- pool */

/* AVERAGE_POOL_2D and MAX_POOL_2D (int8: input and output share scale/zp,
 * as TFLite requires). */
typedef struct nk_pool_params {
    int32_t batches;
    int32_t in_h, in_w, channels;
    int32_t out_h, out_w;
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t act_min, act_max;        /* int8, int16 */
    float act_min_f, act_max_f;      /* float */
} nk_pool_params;

int nk_avg_pool2d_s8(const nk_pool_params *p, const int8_t *input, int8_t *output);
int nk_avg_pool2d_f32(const nk_pool_params *p, const float *input, float *output);
int nk_max_pool2d_s8(const nk_pool_params *p, const int8_t *input, int8_t *output);
int nk_max_pool2d_f32(const nk_pool_params *p, const float *input, float *output);
/* int16 (TFLite's int16 reference pooling: the int8 rules on int16). */
int nk_avg_pool2d_s16(const nk_pool_params *p, const int16_t *input, int16_t *output);
int nk_max_pool2d_s16(const nk_pool_params *p, const int16_t *input, int16_t *output);

/* ------------------------------------------------- element-wise binary */

/* ADD, SUB, MUL with numpy broadcasting.  When broadcast == 0 both inputs
 * and the output have flat_size elements (same shape).  Otherwise the
 * output has shape out_dims[0..rank) and in1/in2 are addressed with element
 * strides in1_strides/in2_strides (0 on a broadcast dimension); shapes of
 * lower rank are left-padded with 1 by the code generator.
 *
 * int8 ADD/SUB (TFLite): each input is (q - zp) << left_shift (20), scaled
 * by in_mult/in_shift; the sum/difference is scaled by out_mult/out_shift,
 * plus out_zp, clamped.  int8 MUL: (q1 - zp1) * (q2 - zp2) scaled by
 * out_mult/out_shift, plus out_zp, clamped (in*_mult/left_shift unused).
 * In-place (output == in1 or in2) is allowed when broadcast == 0. */
typedef struct nk_binary_params {
    int32_t broadcast;
    int32_t flat_size;
    int32_t rank;
    int32_t out_dims[NK_MAX_DIMS];
    int32_t in1_strides[NK_MAX_DIMS];
    int32_t in2_strides[NK_MAX_DIMS];
    /* int8 */
    int32_t left_shift;
    int32_t in1_zp, in1_mult, in1_shift;
    int32_t in2_zp, in2_mult, in2_shift;
    int32_t out_zp, out_mult, out_shift;
    int32_t act_min, act_max;
    /* float */
    float act_min_f, act_max_f;
} nk_binary_params;

int nk_add_s8(const nk_binary_params *p, const int8_t *in1, const int8_t *in2, int8_t *output);
int nk_add_f32(const nk_binary_params *p, const float *in1, const float *in2, float *output);
int nk_sub_s8(const nk_binary_params *p, const int8_t *in1, const int8_t *in2, int8_t *output);
int nk_sub_f32(const nk_binary_params *p, const float *in1, const float *in2, float *output);
int nk_mul_s8(const nk_binary_params *p, const int8_t *in1, const int8_t *in2, int8_t *output);
int nk_mul_f32(const nk_binary_params *p, const float *in1, const float *in2, float *output);

/* ------------------------------------------------------------- softmax */

/* SOFTMAX over the last dimension: `rows` rows of `depth` elements.
 * int8: output scale 1/256, zero point -128 (TFLite's requirement);
 * input_multiplier/input_left_shift/diff_min from
 * neurio_softmax_params_s8().  float: beta.
 * int8 rows are processed in order; a row whose fixed-point sum of
 * exponentials reaches 2^28 (needs depth >= 512) makes the kernel return
 * NK_ERR_PARAMS there (TFLite aborts in that case). */
typedef struct nk_softmax_params {
    int32_t rows;
    int32_t depth;
    int32_t input_multiplier;
    int32_t input_left_shift;
    int32_t diff_min;
    float beta;
    /* int16 -> int16 only: TFLite's 513-entry tables (int16 values) of
     * exp on [-10, 0] and of 1/(1+x) on [0, 1], made by the lowering. */
    const int32_t *exp_lut;
    const int32_t *recip_lut;
} nk_softmax_params;

int nk_softmax_s8(const nk_softmax_params *p, const int8_t *input, int8_t *output);
int nk_softmax_f32(const nk_softmax_params *p, const float *input, float *output);
/* SOFTMAX int16 -> int16 (TFLite's SoftmaxInt16; output scale 2^-15,
 * zero point 0; depth <= 65536). */
int nk_softmax_s16(const nk_softmax_params *p, const int16_t *input, int16_t *output);

/* --------------------------------------------------- logistic and tanh */

/* LOGISTIC (int8 output: scale 1/256, zp -128) and TANH (int8 output:
 * scale 1/128, zp 0).  Parameters from neurio_logistic_params_s8() /
 * neurio_tanh_params_s8().  In-place allowed. */
typedef struct nk_sigmoid_params {
    int32_t size;
    int32_t in_zp;
    int32_t in_range_radius;
    int32_t in_mult;
    int32_t in_left_shift;
} nk_sigmoid_params;

int nk_logistic_s8(const nk_sigmoid_params *p, const int8_t *input, int8_t *output);
int nk_logistic_f32(int32_t size, const float *input, float *output);
int nk_tanh_s8(const nk_sigmoid_params *p, const int8_t *input, int8_t *output);
int nk_tanh_f32(int32_t size, const float *input, float *output);
/* int16 LOGISTIC and TANH (TFLite's int16 reference: zero points 0,
 * output scale 2^-15).  in_mult/in_left_shift as TFLite's Prepare derives
 * them (in_mult 0 = power-of-two input scale); in_zp and in_range_radius
 * unused. */
int nk_logistic_s16(const nk_sigmoid_params *p, const int16_t *input, int16_t *output);
int nk_tanh_s16(const nk_sigmoid_params *p, const int16_t *input, int16_t *output);
/* The 256-entry sigmoid table (0.16) both read. */
const uint16_t *nk_sigmoid_table_q16(void);

/* ------------------------------------ quantize, requantize, relu family */

/* QUANTIZE float -> int8: q = round_half_away(x / scale) + zp, saturated
 * (TFLite computes x / scale in float). */
typedef struct nk_quantize_params {
    int32_t size;
    float scale;
    int32_t zp;
} nk_quantize_params;

int nk_quantize_f32_s8(const nk_quantize_params *p, const float *input, int8_t *output);

/* DEQUANTIZE int8 -> float: x = (float)((double)scale * (q - zp)). */
int nk_dequantize_s8_f32(const nk_quantize_params *p, const int8_t *input, float *output);

/* QUANTIZE int8 -> int8 (requantize) and standalone int8 RELU/RELU6/
 * RELU_N1_TO_1/CLIP: out = clamp(out_zp + MBQM(q - in_zp, mult, shift),
 * act_min, act_max), with mult/shift = QuantizeMultiplier(in_scale /
 * out_scale).  For a plain requantize act_min/act_max are -128/127.
 * In-place allowed. */
typedef struct nk_requant_params {
    int32_t size;
    int32_t in_zp, out_zp;
    int32_t mult, shift;
    int32_t act_min, act_max;
} nk_requant_params;

int nk_requantize_s8(const nk_requant_params *p, const int8_t *input, int8_t *output);
int nk_relu_s8(const nk_requant_params *p, const int8_t *input, int8_t *output);

/* float RELU/RELU6/RELU_N1_TO_1/CLIP: out = min(max(x, lo), hi).
 * In-place allowed. */
int nk_relu_f32(int32_t size, float lo, float hi, const float *input, float *output);

/* ------------------------------------------------------------- layout */

/* RESHAPE when the planner cannot alias: copies `bytes` (overlap allowed). */
int nk_copy(const void *input, void *output, size_t bytes);

/* PAD (constant): output dims = pad_before + in_dims + pad_after per axis.
 * int8 pads with pad_value (the output zero point for zeros); float with
 * pad_value_f. */
typedef struct nk_pad_params {
    int32_t rank;                    /* 1..NK_MAX_DIMS */
    int32_t in_dims[NK_MAX_DIMS];
    int32_t pad_before[NK_MAX_DIMS];
    int32_t pad_after[NK_MAX_DIMS];
    int32_t pad_value;
    float pad_value_f;
} nk_pad_params;

int nk_pad_s8(const nk_pad_params *p, const int8_t *input, int8_t *output);
int nk_pad_f32(const nk_pad_params *p, const float *input, float *output);

/* CONCATENATION along one axis, for any element type.  outer = product of
 * the dims before the axis; input i contributes in_inner[i] =
 * dims[axis] * product(dims after axis) elements per outer step.  All
 * inputs must share the output's scale/zero point (the code generator
 * inserts a requantize otherwise). */
typedef struct nk_concat_params {
    int32_t n_inputs;
    int32_t outer;
    int32_t elem_size;               /* bytes per element */
    const int32_t *in_inner;         /* [n_inputs] */
} nk_concat_params;

int nk_concat(const nk_concat_params *p, const void *const *inputs, void *output);

/* ---------------------------------------------------------------- mean */

/* MEAN over the axes with reduce[axis] == 1 (output keeps those axes as 1;
 * keep_dims only changes the output's shape, not its data).
 * int8: in_zp/out_zp and mult/shift from neurio_mean_params_s8(): the sum
 * of (q - in_zp) over `count` elements is scaled by mult/shift (which
 * include 1/count and in_scale/out_scale), plus out_zp, clamped, as
 * TFLite (Micro)'s QuantizedMeanOrSum.  If mult == 0 (input and output
 * share scale and zero point) the int8 result is TFLite's plain integer
 * mean instead: sum(q) / count with C truncation. */
typedef struct nk_mean_params {
    int32_t rank;                    /* 1..NK_MAX_DIMS */
    int32_t in_dims[NK_MAX_DIMS];
    int32_t reduce[NK_MAX_DIMS];     /* 1 = reduce this axis */
    int32_t in_zp, out_zp;
    int32_t mult, shift;
} nk_mean_params;

int nk_mean_s8(const nk_mean_params *p, const int8_t *input, int8_t *output);
int nk_mean_s16(const nk_mean_params *p, const int16_t *input, int16_t *output);
int nk_mean_f32(const nk_mean_params *p, const float *input, float *output);

#ifdef __cplusplus
}
#endif
/* Stateful sequence kernels (SVDF, LSTM) and TFLite Micro's Signal ops;
 * the layout/resize kernels and the arithmetic of the extended operator
 * set (issue 13). */
#include "nk_seq.h"
#include "nk_signal.h"
#include "nk_layout.h"
#include "nk_arith.h"
#include "nk_wide.h"

#endif /* NEURIO_NK_H */
