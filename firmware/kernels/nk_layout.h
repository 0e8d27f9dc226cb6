/* firmware/kernels/nk_layout.h — the layout kernels of the extended operator
 * set (SLICE, TRANSPOSE, SPLIT, GATHER, DEPTH_TO_SPACE/SPACE_TO_DEPTH, SELECT,
 * requantizing CONCATENATION) and RESIZE; included by nk.h, whose
 * conventions hold.
 * Integer arithmetic follows TFLite Micro's reference kernels
 * (tensorflow/lite/kernels/internal/reference, tensorflow/lite/micro/kernels);
 * where TFLM has no integer kernel for an op, the comment says which
 * arithmetic neurio defines instead. */
#ifndef NEURIO_NK_LAYOUT_H
#define NEURIO_NK_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "nk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------ layout (any type) */

/* SLICE (and any per-axis strided window): output index o along axis d
 * reads input index begin[d] + o * step[d]; step may be negative, every
 * index read must lie inside in_dims (checked).  elem_size bytes/element. */
typedef struct nk_slice_params {
    int32_t rank;                    /* 1..NK_MAX_DIMS */
    int32_t in_dims[NK_MAX_DIMS];
    int32_t begin[NK_MAX_DIMS];
    int32_t step[NK_MAX_DIMS];       /* 1 for SLICE */
    int32_t out_dims[NK_MAX_DIMS];
    int32_t elem_size;
} nk_slice_params;

int nk_slice(const nk_slice_params *p, const void *input, void *output);

/* TRANSPOSE: out dims[i] = in_dims[perm[i]] (perm a permutation of 0..rank). */
typedef struct nk_transpose_params {
    int32_t rank;
    int32_t in_dims[NK_MAX_DIMS];
    int32_t perm[NK_MAX_DIMS];
    int32_t elem_size;
} nk_transpose_params;

int nk_transpose(const nk_transpose_params *p, const void *input, void *output);

/* SPLIT, SPLIT_V and UNPACK: the inverse of nk_concat.  For each of `outer`
 * steps, output i receives out_inner[i] consecutive elements in turn. */
typedef struct nk_split_params {
    int32_t n_outputs;
    int32_t outer;
    int32_t elem_size;
    const int32_t *out_inner;        /* [n_outputs] */
} nk_split_params;

int nk_split(const nk_split_params *p, const void *input, void *const *outputs);

/* CONCATENATION of int8 inputs whose quantization differs from the
 * output's: input i with rq[i].mult == 0 is copied; otherwise each value
 * becomes clamp(out_zp + MBQM(q - rq[i].in_zp, mult, shift)) (TFLite's
 * int8 requantize).  TFLite requires equal quantization for int8 concat and
 * TFLM copies raw bytes; this is neurio's arithmetic for mixed inputs
 * (e.g. from ONNX QDQ graphs), equal to a QUANTIZE before the concat. */
typedef struct nk_concat_requant {
    int32_t in_zp, mult, shift;
} nk_concat_requant;

int nk_concat_s8_requant(const nk_concat_params *p, const nk_concat_requant *rq, int32_t out_zp,
                         const void *const *inputs, void *output);
/* The same on int16 (clamped to int16).  TFLM copies int16 inputs raw
 * whatever their quantization (so it misreads mixed ones); with equal
 * quantization everywhere both give the same bytes. */
int nk_concat_s16_requant(const nk_concat_params *p, const nk_concat_requant *rq, int32_t out_zp,
                          const void *const *inputs, void *output);

/* GATHER (TFLM gather.cc): for b < batches, o < outer, c < coords:
 * out[((b*outer + o)*coords + c)*inner ..] = in[((b*outer + o)*axis_size +
 * idx[b*coords + c])*inner ..].  Indices are int32 (index_size 4) or int64
 * (8); one outside [0, axis_size) makes the kernel return NK_ERR_PARAMS
 * (TFLM fails the same way) before anything is written. */
typedef struct nk_gather_params {
    int32_t batches, outer, axis_size, coords, inner;
    int32_t elem_size;
    int32_t index_size;
} nk_gather_params;

int nk_gather(const nk_gather_params *p, const void *input, const void *indices, void *output);

/* DEPTH_TO_SPACE / SPACE_TO_DEPTH (NHWC, TFLite's DCR order).  Dimensions
 * are the input's; depth_to_space needs in_c % (block*block) == 0,
 * space_to_depth in_h and in_w multiples of block. */
typedef struct nk_space_depth_params {
    int32_t batches, in_h, in_w, in_c;
    int32_t block;
    int32_t elem_size;
} nk_space_depth_params;

int nk_depth_to_space(const nk_space_depth_params *p, const void *input, void *output);
int nk_space_to_depth(const nk_space_depth_params *p, const void *input, void *output);

/* SELECT / SELECT_V2: out = cond ? x : y with broadcasting through element
 * strides (0 on a broadcast axis; SELECT's rank-1 condition is a stride on
 * axis 0 only).  cond is bool (one byte, non-zero = true). */
typedef struct nk_select_params {
    int32_t rank;                    /* 1..NK_MAX_DIMS */
    int32_t out_dims[NK_MAX_DIMS];
    int32_t cond_strides[NK_MAX_DIMS];
    int32_t x_strides[NK_MAX_DIMS];
    int32_t y_strides[NK_MAX_DIMS];
    int32_t elem_size;
} nk_select_params;

int nk_select(const nk_select_params *p, const uint8_t *cond, const void *x, const void *y,
              void *output);

/* -------------------------------------------------------------- resize */

/* RESIZE_NEAREST_NEIGHBOR (any type) and RESIZE_BILINEAR, NHWC, TFLite's
 * index arithmetic (float scale for nearest and float bilinear, the 10-bit
 * fixed-point scale of ResizeBilinearInteger for int8/int16). */
typedef struct nk_resize_params {
    int32_t batches, in_h, in_w, channels;
    int32_t out_h, out_w;
    int32_t align_corners, half_pixel_centers;
    int32_t elem_size;               /* nearest only */
} nk_resize_params;

int nk_resize_nearest(const nk_resize_params *p, const void *input, void *output);
int nk_resize_bilinear_s8(const nk_resize_params *p, const int8_t *input, int8_t *output);
int nk_resize_bilinear_s16(const nk_resize_params *p, const int16_t *input, int16_t *output);
int nk_resize_bilinear_f32(const nk_resize_params *p, const float *input, float *output);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_NK_LAYOUT_H */
