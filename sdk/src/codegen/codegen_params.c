/* sdk/src/codegen/codegen_params.c — prints a lowered op's parameter struct
 * (lower/lower.h) as a `static const` designated initializer.  One field
 * table per nk_*_params struct: a new struct needs its table here, a new
 * kernel on an existing struct nothing. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "codegen_internal.h"

typedef enum cg_ftype {
    CG_I32,   /* int32_t                                                    */
    CG_F32,   /* float                                                      */
    CG_DIMS,  /* int32_t[NK_MAX_DIMS], as many entries as the `rank` field  */
    CG_ARRAY, /* const int32_t * into lw_op.arrays[aux]                     */
    CG_NZ     /* int32_t printed only when non-zero                         */
} cg_ftype;

typedef struct cg_field {
    const char *name;
    size_t offset;
    cg_ftype type;
    unsigned group;  /* 0 = always, else LW_G_*: printed when the kernel reads it */
    size_t aux;      /* CG_DIMS: offset of the count field; CG_ARRAY: array index */
} cg_field;

#define F(st, f, ty, g) {#f, offsetof(st, f), ty, g, 0}
#define FD(st, f, cnt) {#f, offsetof(st, f), CG_DIMS, 0, offsetof(st, cnt)}
#define FA(st, f, k, g) {#f, offsetof(st, f), CG_ARRAY, g, k}

static const cg_field cg_conv[] = {
    F(nk_conv_params, batches, CG_I32, 0), F(nk_conv_params, in_h, CG_I32, 0),
    F(nk_conv_params, in_w, CG_I32, 0), F(nk_conv_params, in_c, CG_I32, 0),
    F(nk_conv_params, out_h, CG_I32, 0), F(nk_conv_params, out_w, CG_I32, 0),
    F(nk_conv_params, out_c, CG_I32, 0), F(nk_conv_params, filter_h, CG_I32, 0),
    F(nk_conv_params, filter_w, CG_I32, 0), F(nk_conv_params, stride_h, CG_I32, 0),
    F(nk_conv_params, stride_w, CG_I32, 0), F(nk_conv_params, dilation_h, CG_I32, 0),
    F(nk_conv_params, dilation_w, CG_I32, 0), F(nk_conv_params, pad_top, CG_I32, 0),
    F(nk_conv_params, pad_left, CG_I32, 0), F(nk_conv_params, depth_multiplier, CG_I32, 0),
    F(nk_conv_params, in_zp, CG_I32, LW_G_INT), F(nk_conv_params, out_zp, CG_I32, LW_G_INT),
    F(nk_conv_params, per_channel, CG_I32, LW_G_INT),
    FA(nk_conv_params, out_mult, 0, LW_G_INT), FA(nk_conv_params, out_shift, 1, LW_G_INT),
    F(nk_conv_params, act_min, CG_I32, LW_G_INT), F(nk_conv_params, act_max, CG_I32, LW_G_INT),
    F(nk_conv_params, act_min_f, CG_F32, LW_G_FLT), F(nk_conv_params, act_max_f, CG_F32, LW_G_FLT),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_fc[] = {
    F(nk_fc_params, batches, CG_I32, 0), F(nk_fc_params, in_depth, CG_I32, 0),
    F(nk_fc_params, out_depth, CG_I32, 0), F(nk_fc_params, in_zp, CG_I32, LW_G_INT),
    F(nk_fc_params, filter_zp, CG_I32, LW_G_INT), F(nk_fc_params, out_zp, CG_I32, LW_G_INT),
    F(nk_fc_params, per_channel, CG_I32, LW_G_INT),
    FA(nk_fc_params, out_mult, 0, LW_G_INT), FA(nk_fc_params, out_shift, 1, LW_G_INT),
    F(nk_fc_params, act_min, CG_I32, LW_G_INT), F(nk_fc_params, act_max, CG_I32, LW_G_INT),
    F(nk_fc_params, act_min_f, CG_F32, LW_G_FLT), F(nk_fc_params, act_max_f, CG_F32, LW_G_FLT),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_pool[] = {
    F(nk_pool_params, batches, CG_I32, 0), F(nk_pool_params, in_h, CG_I32, 0),
    F(nk_pool_params, in_w, CG_I32, 0), F(nk_pool_params, channels, CG_I32, 0),
    F(nk_pool_params, out_h, CG_I32, 0), F(nk_pool_params, out_w, CG_I32, 0),
    F(nk_pool_params, filter_h, CG_I32, 0), F(nk_pool_params, filter_w, CG_I32, 0),
    F(nk_pool_params, stride_h, CG_I32, 0), F(nk_pool_params, stride_w, CG_I32, 0),
    F(nk_pool_params, pad_top, CG_I32, 0), F(nk_pool_params, pad_left, CG_I32, 0),
    F(nk_pool_params, act_min, CG_I32, LW_G_INT), F(nk_pool_params, act_max, CG_I32, LW_G_INT),
    F(nk_pool_params, act_min_f, CG_F32, LW_G_FLT), F(nk_pool_params, act_max_f, CG_F32, LW_G_FLT),
    {NULL, 0, 0, 0, 0},
};

/* rank and the broadcast arrays stay 0 (omitted) when broadcast == 0. */
static const cg_field cg_binary[] = {
    F(nk_binary_params, broadcast, CG_I32, 0), F(nk_binary_params, flat_size, CG_I32, 0),
    F(nk_binary_params, rank, CG_NZ, 0), FD(nk_binary_params, out_dims, rank),
    FD(nk_binary_params, in1_strides, rank), FD(nk_binary_params, in2_strides, rank),
    F(nk_binary_params, left_shift, CG_I32, LW_G_ADD),
    F(nk_binary_params, in1_mult, CG_I32, LW_G_ADD), F(nk_binary_params, in1_shift, CG_I32, LW_G_ADD),
    F(nk_binary_params, in2_mult, CG_I32, LW_G_ADD), F(nk_binary_params, in2_shift, CG_I32, LW_G_ADD),
    F(nk_binary_params, in1_zp, CG_I32, LW_G_INT), F(nk_binary_params, in2_zp, CG_I32, LW_G_INT),
    F(nk_binary_params, out_zp, CG_I32, LW_G_INT), F(nk_binary_params, out_mult, CG_I32, LW_G_INT),
    F(nk_binary_params, out_shift, CG_I32, LW_G_INT), F(nk_binary_params, act_min, CG_I32, LW_G_INT),
    F(nk_binary_params, act_max, CG_I32, LW_G_INT),
    F(nk_binary_params, act_min_f, CG_F32, LW_G_FLT), F(nk_binary_params, act_max_f, CG_F32, LW_G_FLT),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_softmax[] = {
    F(nk_softmax_params, rows, CG_I32, 0), F(nk_softmax_params, depth, CG_I32, 0),
    F(nk_softmax_params, input_multiplier, CG_I32, LW_G_INT),
    F(nk_softmax_params, input_left_shift, CG_I32, LW_G_INT),
    F(nk_softmax_params, diff_min, CG_I32, LW_G_INT), F(nk_softmax_params, beta, CG_F32, 0),
    FA(nk_softmax_params, exp_lut, 0, LW_G_LUT), FA(nk_softmax_params, recip_lut, 1, LW_G_LUT),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_sigmoid[] = {
    F(nk_sigmoid_params, size, CG_I32, 0), F(nk_sigmoid_params, in_zp, CG_I32, 0),
    F(nk_sigmoid_params, in_range_radius, CG_I32, 0), F(nk_sigmoid_params, in_mult, CG_I32, 0),
    F(nk_sigmoid_params, in_left_shift, CG_I32, 0),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_quantize[] = {
    F(nk_quantize_params, size, CG_I32, 0), F(nk_quantize_params, scale, CG_F32, 0),
    F(nk_quantize_params, zp, CG_I32, 0),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_requant[] = {
    F(nk_requant_params, size, CG_I32, 0), F(nk_requant_params, in_zp, CG_I32, 0),
    F(nk_requant_params, out_zp, CG_I32, 0), F(nk_requant_params, mult, CG_I32, 0),
    F(nk_requant_params, shift, CG_I32, 0), F(nk_requant_params, act_min, CG_I32, 0),
    F(nk_requant_params, act_max, CG_I32, 0),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_pad[] = {
    F(nk_pad_params, rank, CG_I32, 0), FD(nk_pad_params, in_dims, rank),
    FD(nk_pad_params, pad_before, rank), FD(nk_pad_params, pad_after, rank),
    F(nk_pad_params, pad_value, CG_I32, 0), F(nk_pad_params, pad_value_f, CG_F32, 0),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_concat[] = {
    F(nk_concat_params, n_inputs, CG_I32, 0), F(nk_concat_params, outer, CG_I32, 0),
    F(nk_concat_params, elem_size, CG_I32, 0), FA(nk_concat_params, in_inner, 0, 0),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_mean[] = {
    F(nk_mean_params, rank, CG_I32, 0), FD(nk_mean_params, in_dims, rank),
    FD(nk_mean_params, reduce, rank), F(nk_mean_params, in_zp, CG_I32, LW_G_INT),
    F(nk_mean_params, out_zp, CG_I32, LW_G_INT), F(nk_mean_params, mult, CG_I32, LW_G_INT),
    F(nk_mean_params, shift, CG_I32, LW_G_INT),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_leaky_relu[] = {
    F(nk_leaky_relu_params, size, CG_I32, 0),
    F(nk_leaky_relu_params, in_zp, CG_I32, LW_G_INT), F(nk_leaky_relu_params, out_zp, CG_I32, LW_G_INT),
    F(nk_leaky_relu_params, mult_identity, CG_I32, LW_G_INT),
    F(nk_leaky_relu_params, shift_identity, CG_I32, LW_G_INT),
    F(nk_leaky_relu_params, mult_alpha, CG_I32, LW_G_INT),
    F(nk_leaky_relu_params, shift_alpha, CG_I32, LW_G_INT),
    F(nk_leaky_relu_params, alpha, CG_F32, LW_G_FLT),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_slice[] = {
    F(nk_slice_params, rank, CG_I32, 0), FD(nk_slice_params, in_dims, rank),
    FD(nk_slice_params, begin, rank), FD(nk_slice_params, step, rank),
    FD(nk_slice_params, out_dims, rank), F(nk_slice_params, elem_size, CG_I32, 0),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_transpose[] = {
    F(nk_transpose_params, rank, CG_I32, 0), FD(nk_transpose_params, in_dims, rank),
    FD(nk_transpose_params, perm, rank), F(nk_transpose_params, elem_size, CG_I32, 0),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_split[] = {
    F(nk_split_params, n_outputs, CG_I32, 0), F(nk_split_params, outer, CG_I32, 0),
    F(nk_split_params, elem_size, CG_I32, 0), FA(nk_split_params, out_inner, 0, 0),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_gather[] = {
    F(nk_gather_params, batches, CG_I32, 0), F(nk_gather_params, outer, CG_I32, 0),
    F(nk_gather_params, axis_size, CG_I32, 0), F(nk_gather_params, coords, CG_I32, 0),
    F(nk_gather_params, inner, CG_I32, 0), F(nk_gather_params, elem_size, CG_I32, 0),
    F(nk_gather_params, index_size, CG_I32, 0),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_space_depth[] = {
    F(nk_space_depth_params, batches, CG_I32, 0), F(nk_space_depth_params, in_h, CG_I32, 0),
    F(nk_space_depth_params, in_w, CG_I32, 0), F(nk_space_depth_params, in_c, CG_I32, 0),
    F(nk_space_depth_params, block, CG_I32, 0), F(nk_space_depth_params, elem_size, CG_I32, 0),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_select[] = {
    F(nk_select_params, rank, CG_I32, 0), FD(nk_select_params, out_dims, rank),
    FD(nk_select_params, cond_strides, rank), FD(nk_select_params, x_strides, rank),
    FD(nk_select_params, y_strides, rank), F(nk_select_params, elem_size, CG_I32, 0),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_resize[] = {
    F(nk_resize_params, batches, CG_I32, 0), F(nk_resize_params, in_h, CG_I32, 0),
    F(nk_resize_params, in_w, CG_I32, 0), F(nk_resize_params, channels, CG_I32, 0),
    F(nk_resize_params, out_h, CG_I32, 0), F(nk_resize_params, out_w, CG_I32, 0),
    F(nk_resize_params, align_corners, CG_I32, 0),
    F(nk_resize_params, half_pixel_centers, CG_I32, 0),
    F(nk_resize_params, elem_size, CG_I32, 0),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_hard_swish[] = {
    F(nk_hard_swish_params, size, CG_I32, 0), F(nk_hard_swish_params, in_zp, CG_I32, 0),
    F(nk_hard_swish_params, out_zp, CG_I32, 0), F(nk_hard_swish_params, reluish_mult, CG_I32, 0),
    F(nk_hard_swish_params, reluish_exp, CG_I32, 0), F(nk_hard_swish_params, out_mult, CG_I32, 0),
    F(nk_hard_swish_params, out_exp, CG_I32, 0),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_log_softmax[] = {
    F(nk_log_softmax_params, rows, CG_I32, 0), F(nk_log_softmax_params, depth, CG_I32, 0),
    F(nk_log_softmax_params, input_multiplier, CG_I32, 0),
    F(nk_log_softmax_params, input_left_shift, CG_I32, 0),
    F(nk_log_softmax_params, reverse_scaling_divisor, CG_I32, 0),
    F(nk_log_softmax_params, reverse_scaling_shift, CG_I32, 0),
    F(nk_log_softmax_params, diff_min, CG_I32, 0),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_l2norm[] = {
    F(nk_l2norm_params, rows, CG_I32, 0), F(nk_l2norm_params, depth, CG_I32, 0),
    F(nk_l2norm_params, in_zp, CG_I32, 0),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_cast[] = {
    F(nk_cast_params, size, CG_I32, 0), F(nk_cast_params, from, CG_I32, 0),
    F(nk_cast_params, to, CG_I32, 0),
    {NULL, 0, 0, 0, 0},
};

static const cg_field cg_bmm[] = {
    F(nk_batch_matmul_params, batch_rank, CG_I32, 0),
    FD(nk_batch_matmul_params, out_bdims, batch_rank),
    FD(nk_batch_matmul_params, lhs_bstrides, batch_rank),
    FD(nk_batch_matmul_params, rhs_bstrides, batch_rank),
    F(nk_batch_matmul_params, rows, CG_I32, 0), F(nk_batch_matmul_params, depth, CG_I32, 0),
    F(nk_batch_matmul_params, cols, CG_I32, 0), F(nk_batch_matmul_params, adj_x, CG_I32, 0),
    F(nk_batch_matmul_params, adj_y, CG_I32, 0), F(nk_batch_matmul_params, lhs_zp, CG_I32, 0),
    F(nk_batch_matmul_params, rhs_zp, CG_I32, 0), F(nk_batch_matmul_params, out_zp, CG_I32, 0),
    F(nk_batch_matmul_params, out_mult, CG_I32, 0),
    F(nk_batch_matmul_params, out_shift, CG_I32, 0),
    F(nk_batch_matmul_params, act_min, CG_I32, 0), F(nk_batch_matmul_params, act_max, CG_I32, 0),
    {NULL, 0, 0, 0, 0},
};

static const struct {
    const char *type;
    const cg_field *fields;
} cg_structs[LW_P_COUNT] = {
    [LW_P_conv] = {"nk_conv_params", cg_conv},
    [LW_P_fc] = {"nk_fc_params", cg_fc},
    [LW_P_pool] = {"nk_pool_params", cg_pool},
    [LW_P_binary] = {"nk_binary_params", cg_binary},
    [LW_P_softmax] = {"nk_softmax_params", cg_softmax},
    [LW_P_sigmoid] = {"nk_sigmoid_params", cg_sigmoid},
    [LW_P_quantize] = {"nk_quantize_params", cg_quantize},
    [LW_P_requant] = {"nk_requant_params", cg_requant},
    [LW_P_pad] = {"nk_pad_params", cg_pad},
    [LW_P_concat] = {"nk_concat_params", cg_concat},
    [LW_P_mean] = {"nk_mean_params", cg_mean},
    [LW_P_scalar] = {NULL, NULL}, /* scalar arguments go into the call itself */
    [LW_P_leaky_relu] = {"nk_leaky_relu_params", cg_leaky_relu},
    [LW_P_slice] = {"nk_slice_params", cg_slice},
    [LW_P_transpose] = {"nk_transpose_params", cg_transpose},
    [LW_P_split] = {"nk_split_params", cg_split},
    [LW_P_gather] = {"nk_gather_params", cg_gather},
    [LW_P_space_depth] = {"nk_space_depth_params", cg_space_depth},
    [LW_P_select] = {"nk_select_params", cg_select},
    [LW_P_resize] = {"nk_resize_params", cg_resize},
    [LW_P_hard_swish] = {"nk_hard_swish_params", cg_hard_swish},
    [LW_P_log_softmax] = {"nk_log_softmax_params", cg_log_softmax},
    [LW_P_l2norm] = {"nk_l2norm_params", cg_l2norm},
    [LW_P_cast] = {"nk_cast_params", cg_cast},
    [LW_P_bmm] = {"nk_batch_matmul_params", cg_bmm},
};

static void cg_field_line(cg_ctx *c, int32_t oi, const lw_op *l, const cg_field *f)
{
    const char *base = (const char *)&l->p;
    int32_t v;
    switch (f->type) {
    case CG_F32: {
        float fv;
        memcpy(&fv, base + f->offset, sizeof fv);
        cg_f(c, f->name, fv);
        return;
    }
    case CG_DIMS: {
        int32_t n;
        memcpy(&n, base + f->aux, sizeof n);
        if (n > 0)
            cg_dims(c, f->name, (const int32_t *)(const void *)(base + f->offset),
                    n < NK_MAX_DIMS ? n : NK_MAX_DIMS);
        return;
    }
    case CG_ARRAY:
        fprintf(c->decl, "    .%s = ng_%s%d,\n", f->name, l->arrays[f->aux].tag, oi);
        return;
    case CG_NZ:
    case CG_I32:
        memcpy(&v, base + f->offset, sizeof v);
        if (f->type == CG_I32 || v != 0)
            cg_i(c, f->name, v);
        return;
    }
}

int cg_emit_params(cg_ctx *c, int32_t oi, const lw_op *l)
{
    const lw_kernel_info *k = lw_kernel_get(l->kernel);
    for (int a = 0; a < LW_MAX_ARRAYS; a++) {
        if (!l->arrays[a].v)
            continue;
        char nm[48];
        snprintf(nm, sizeof nm, "ng_%s%d", l->arrays[a].tag, oi);
        cg_emit_i32_array(c, nm, l->arrays[a].v, l->arrays[a].n);
    }
    if (!cg_structs[k->ptype].type)
        return NEURIO_OK;
    fprintf(c->decl, "static const %s ng_p%d = {\n", cg_structs[k->ptype].type, oi);
    for (const cg_field *f = cg_structs[k->ptype].fields; f->name; f++)
        if (!f->group || (f->group & k->groups))
            cg_field_line(c, oi, l, f);
    fputs("};\n", c->decl);
    return NEURIO_OK;
}
