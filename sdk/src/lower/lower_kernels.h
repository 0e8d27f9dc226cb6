/* sdk/src/lower/lower_kernels.h — every portable kernel an op can lower to,
 * one line each: X(ID, C function, lw_params member, call shape, field
 * groups).  The interpreter (interp/interp_kernels.c) and the generator
 * (codegen/) expand this list, so a new kernel needs only its line here.
 * Included by lower.h only. */
#ifndef NEURIO_SRC_LOWER_KERNELS_H
#define NEURIO_SRC_LOWER_KERNELS_H

#define LW_KERNELS(X)                                                             \
    X(CONV2D_S8, nk_conv2d_s8, conv, IWBO, LW_G_INT)                              \
    X(CONV2D_F32, nk_conv2d_f32, conv, IWBO, LW_G_FLT)                            \
    X(DWCONV2D_S8, nk_depthwise_conv2d_s8, conv, IWBO, LW_G_INT)                  \
    X(DWCONV2D_F32, nk_depthwise_conv2d_f32, conv, IWBO, LW_G_FLT)                \
    X(FC_S8, nk_fully_connected_s8, fc, IWBO, LW_G_INT)                           \
    X(FC_F32, nk_fully_connected_f32, fc, IWBO, LW_G_FLT)                         \
    X(AVG_POOL_S8, nk_avg_pool2d_s8, pool, IO, LW_G_INT)                          \
    X(AVG_POOL_F32, nk_avg_pool2d_f32, pool, IO, LW_G_FLT)                        \
    X(MAX_POOL_S8, nk_max_pool2d_s8, pool, IO, LW_G_INT)                          \
    X(MAX_POOL_F32, nk_max_pool2d_f32, pool, IO, LW_G_FLT)                        \
    X(ADD_S8, nk_add_s8, binary, IIO, LW_G_INT | LW_G_ADD)                        \
    X(ADD_F32, nk_add_f32, binary, IIO, LW_G_FLT)                                 \
    X(SUB_S8, nk_sub_s8, binary, IIO, LW_G_INT | LW_G_ADD)                        \
    X(SUB_F32, nk_sub_f32, binary, IIO, LW_G_FLT)                                 \
    X(MUL_S8, nk_mul_s8, binary, IIO, LW_G_INT)                                   \
    X(MUL_F32, nk_mul_f32, binary, IIO, LW_G_FLT)                                 \
    X(SOFTMAX_S8, nk_softmax_s8, softmax, IO, LW_G_INT)                           \
    X(SOFTMAX_F32, nk_softmax_f32, softmax, IO, LW_G_FLT)                         \
    X(LOGISTIC_S8, nk_logistic_s8, sigmoid, IO, 0)                                \
    X(LOGISTIC_F32, nk_logistic_f32, scalar, SIZE_IO, 0)                          \
    X(TANH_S8, nk_tanh_s8, sigmoid, IO, 0)                                        \
    X(TANH_F32, nk_tanh_f32, scalar, SIZE_IO, 0)                                  \
    X(QUANTIZE_F32_S8, nk_quantize_f32_s8, quantize, IO, 0)                       \
    X(DEQUANTIZE_S8_F32, nk_dequantize_s8_f32, quantize, IO, 0)                   \
    X(REQUANTIZE_S8, nk_requantize_s8, requant, IO, 0)                            \
    X(RELU_S8, nk_relu_s8, requant, IO, 0)                                        \
    X(RELU_F32, nk_relu_f32, scalar, CLAMP_IO, 0)                                 \
    X(COPY, nk_copy, scalar, COPY, 0)                                             \
    X(PAD_S8, nk_pad_s8, pad, IO, 0)                                              \
    X(PAD_F32, nk_pad_f32, pad, IO, 0)                                            \
    X(CONCAT, nk_concat, concat, LIST, 0)                                         \
    X(CONCAT_S8_RQ, nk_concat_s8_requant, concat, LIST_RQ, 0)                     \
    X(MEAN_S8, nk_mean_s8, mean, IO, LW_G_INT)                                    \
    X(MEAN_F32, nk_mean_f32, mean, IO, LW_G_FLT)                                  \
    X(CONV2D_S16, nk_conv2d_s16, conv, IWBO, LW_G_INT)                            \
    X(DWCONV2D_S16, nk_depthwise_conv2d_s16, conv, IWBO, LW_G_INT)                \
    X(FC_S16, nk_fully_connected_s16, fc, IWBO, LW_G_INT)                         \
    X(TCONV_S8, nk_transpose_conv_s8, conv, IWBO, LW_G_INT)                       \
    X(TCONV_S16, nk_transpose_conv_s16, conv, IWBO, LW_G_INT)                     \
    X(TCONV_F32, nk_transpose_conv_f32, conv, IWBO, LW_G_FLT)                     \
    X(ADD_S16, nk_add_s16, binary, IIO, LW_G_INT | LW_G_ADD)                      \
    X(SUB_S16, nk_sub_s16, binary, IIO, LW_G_INT | LW_G_ADD)                      \
    X(PAD_S16, nk_pad_s16, pad, IO, 0)                                            \
    X(LEAKY_RELU_S8, nk_leaky_relu_s8, leaky_relu, IO, LW_G_INT)                  \
    X(LEAKY_RELU_S16, nk_leaky_relu_s16, leaky_relu, IO, LW_G_INT)                \
    X(LEAKY_RELU_F32, nk_leaky_relu_f32, leaky_relu, IO, LW_G_FLT)                \
    X(STRIDED_SLICE, nk_slice, slice, IO, 0)                                      \
    X(REQUANTIZE_S16_S8, nk_requantize_s16_s8, requant, IO, 0)                    \
    X(REQUANTIZE_S16_S16, nk_requantize_s16_s16, requant, IO, 0)                  \
    X(REQUANTIZE_S16_S32, nk_requantize_s16_s32, requant, IO, 0)                  \
    X(REQUANTIZE_S8_S16, nk_requantize_s8_s16, requant, IO, 0)                    \
    X(REQUANTIZE_S8_S32, nk_requantize_s8_s32, requant, IO, 0)                    \
    X(QUANTIZE_F32_S16, nk_quantize_f32_s16, quantize, IO, 0)                     \
    X(DEQUANTIZE_S16_F32, nk_dequantize_s16_f32, quantize, IO, 0)                 \
    X(MUL_S16, nk_mul_s16, binary, IIO, LW_G_INT)                                 \
    X(SOFTMAX_S8_S16, nk_softmax_s8_s16, softmax, IO, LW_G_INT)                   \
    X(SLICE, nk_slice, slice, IO, 0)                                              \
    X(TRANSPOSE, nk_transpose, transpose, IO, 0)                                  \
    X(SPLIT, nk_split, split, SPLIT, 0)                                           \
    X(GATHER, nk_gather, gather, IIO, 0)                                          \
    X(DEPTH_TO_SPACE, nk_depth_to_space, space_depth, IO, 0)                      \
    X(SPACE_TO_DEPTH, nk_space_to_depth, space_depth, IO, 0)                      \
    X(SELECT, nk_select, select, IIIO, 0)                                         \
    X(RESIZE_NEAREST, nk_resize_nearest, resize, IO, 0)                           \
    X(RESIZE_BILINEAR_S8, nk_resize_bilinear_s8, resize, IO, 0)                   \
    X(RESIZE_BILINEAR_S16, nk_resize_bilinear_s16, resize, IO, 0)                 \
    X(RESIZE_BILINEAR_F32, nk_resize_bilinear_f32, resize, IO, 0)                 \
    X(HARD_SWISH_S8, nk_hard_swish_s8, hard_swish, IO, 0)                         \
    X(HARD_SWISH_F32, nk_hard_swish_f32, scalar, SIZE_IO, 0)                      \
    X(PRELU_S8, nk_prelu_s8, binary, IIO, LW_G_INT | LW_G_ADD)                    \
    X(PRELU_F32, nk_prelu_f32, binary, IIO, LW_G_FLT)                             \
    X(LOG_SOFTMAX_S8, nk_log_softmax_s8, log_softmax, IO, 0)                      \
    X(LOG_SOFTMAX_F32, nk_log_softmax_f32, log_softmax, IO, 0)                    \
    X(L2NORM_S8, nk_l2norm_s8, l2norm, IO, 0)                                     \
    X(L2NORM_F32, nk_l2norm_f32, l2norm, IO, 0)                                   \
    X(DIV_S8, nk_div_s8, binary, IIO, LW_G_INT)                                   \
    X(DIV_S32, nk_div_s32, binary, IIO, LW_G_INT)                                 \
    X(DIV_F32, nk_div_f32, binary, IIO, LW_G_FLT)                                 \
    X(ADD_S32, nk_add_s32, binary, IIO, LW_G_INT)                                 \
    X(SUB_S32, nk_sub_s32, binary, IIO, LW_G_INT)                                 \
    X(MUL_S32, nk_mul_s32, binary, IIO, LW_G_INT)                                 \
    X(SQDIFF_S8, nk_squared_difference_s8, binary, IIO, LW_G_INT | LW_G_ADD)      \
    X(SQDIFF_S32, nk_squared_difference_s32, binary, IIO, 0)                      \
    X(SQDIFF_F32, nk_squared_difference_f32, binary, IIO, 0)                      \
    X(MAXIMUM_S8, nk_maximum_s8, binary, IIO, 0)                                  \
    X(MAXIMUM_S16, nk_maximum_s16, binary, IIO, 0)                                \
    X(MAXIMUM_S32, nk_maximum_s32, binary, IIO, 0)                                \
    X(MAXIMUM_F32, nk_maximum_f32, binary, IIO, 0)                                \
    X(MINIMUM_S8, nk_minimum_s8, binary, IIO, 0)                                  \
    X(MINIMUM_S16, nk_minimum_s16, binary, IIO, 0)                                \
    X(MINIMUM_S32, nk_minimum_s32, binary, IIO, 0)                                \
    X(MINIMUM_F32, nk_minimum_f32, binary, IIO, 0)                                \
    X(COMPARE_S8, nk_compare_s8, binary, CODE_IIO, LW_G_INT | LW_G_ADD)           \
    X(COMPARE_S32, nk_compare_s32, binary, CODE_IIO, 0)                           \
    X(COMPARE_F32, nk_compare_f32, binary, CODE_IIO, 0)                           \
    X(COMPARE_B, nk_compare_b, binary, CODE_IIO, 0)                               \
    X(LOGICAL_AND, nk_logical_and, binary, IIO, 0)                                \
    X(LOGICAL_OR, nk_logical_or, binary, IIO, 0)                                  \
    X(LOGICAL_NOT, nk_logical_not, scalar, SIZE_IO, 0)                            \
    X(ABS_S8, nk_abs_s8, requant, IO, 0)                                          \
    X(RSQRT_S8, nk_rsqrt_s8, requant, IO, 0)                                      \
    X(UNARY_F32, nk_unary_f32, scalar, CODE_SIZE_IO, 0)                           \
    X(NEG_S32, nk_neg_s32, scalar, SIZE_IO, 0)                                    \
    X(CAST, nk_cast, cast, IO, 0)                                                 \
    X(SUM_S8, nk_reduce_sum_s8, mean, IO, LW_G_INT)                               \
    X(SUM_F32, nk_reduce_sum_f32, mean, IO, 0)                                    \
    X(REDUCE_MAX_S8, nk_reduce_max_s8, mean, IO, 0)                               \
    X(REDUCE_MAX_S16, nk_reduce_max_s16, mean, IO, 0)                             \
    X(REDUCE_MAX_F32, nk_reduce_max_f32, mean, IO, 0)                             \
    X(REDUCE_MIN_S8, nk_reduce_min_s8, mean, IO, 0)                               \
    X(REDUCE_MIN_S16, nk_reduce_min_s16, mean, IO, 0)                             \
    X(REDUCE_MIN_F32, nk_reduce_min_f32, mean, IO, 0)                             \
    X(BMM_S8, nk_batch_matmul_s8, bmm, IIO, 0)                                    \
    X(BMM_F32, nk_batch_matmul_f32, bmm, IIO, 0)                                  \
    X(LOGISTIC_S16, nk_logistic_s16, sigmoid, IO, 0)                              \
    X(TANH_S16, nk_tanh_s16, sigmoid, IO, 0)                                      \
    X(SOFTMAX_S16, nk_softmax_s16, softmax, IO, LW_G_INT | LW_G_LUT)              \
    X(AVG_POOL_S16, nk_avg_pool2d_s16, pool, IO, LW_G_INT)                        \
    X(MAX_POOL_S16, nk_max_pool2d_s16, pool, IO, LW_G_INT)                        \
    X(CONCAT_S16_RQ, nk_concat_s16_requant, concat, LIST_RQ, 0)                   \
    X(ABS_S16, nk_abs_s16, requant, IO, 0)                                        \
    X(COMPARE_S16, nk_compare_s16, binary, CODE_IIO, LW_G_INT | LW_G_ADD)         \
    X(SQDIFF_S16, nk_squared_difference_s16, binary, IIO, LW_G_INT | LW_G_ADD)    \
    X(PRELU_S16, nk_prelu_s16, binary, IIO, LW_G_INT | LW_G_ADD)                  \
    X(SUM_S16, nk_reduce_sum_s16, mean, IO, LW_G_INT)                             \
    X(BMM_S16, nk_batch_matmul_s16, bmm, IIO, 0)                                  \
    X(CONV2D_S16_B32, nk_conv2d_s16_b32, conv, IWBO, LW_G_INT)                    \
    X(DWCONV2D_S16_B32, nk_depthwise_conv2d_s16_b32, conv, IWBO, LW_G_INT)        \
    X(FC_S16_B32, nk_fully_connected_s16_b32, fc, IWBO, LW_G_INT)                 \
    X(TCONV_S16_B16, nk_transpose_conv_s16_b16, conv, IWBO, LW_G_INT)             \
    X(NEG_S8, nk_neg_s8, requant, IO, 0)                                          \
    X(MEAN_S16, nk_mean_s16, mean, IO, LW_G_INT)

#endif /* NEURIO_SRC_LOWER_KERNELS_H */
