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

/* The tables: S names the struct (#define S before each table).  I(f) an
 * int32_t field always printed, Q(f) one for integer kernels (LW_G_INT),
 * R(f) a float one for float kernels (LW_G_FLT), G(f, type, group) any
 * other, D(f, count) dimensions, A(f, k, group) array k; ACT the fused
 * activation range of both kinds; END closes a table. */
#define G(f, ty, g) {#f, offsetof(S, f), ty, g, 0}
#define I(f) G(f, CG_I32, 0)
#define Q(f) G(f, CG_I32, LW_G_INT)
#define R(f) G(f, CG_F32, LW_G_FLT)
#define D(f, cnt) {#f, offsetof(S, f), CG_DIMS, 0, offsetof(S, cnt)}
#define A(f, k, g) {#f, offsetof(S, f), CG_ARRAY, g, k}
#define ACT Q(act_min), Q(act_max), R(act_min_f), R(act_max_f)
#define END {NULL, 0, 0, 0, 0}

#define S nk_conv_params
static const cg_field cg_conv[] = {
    I(batches), I(in_h), I(in_w), I(in_c), I(out_h), I(out_w), I(out_c), I(filter_h), I(filter_w),
    I(stride_h), I(stride_w), I(dilation_h), I(dilation_w), I(pad_top), I(pad_left),
    I(depth_multiplier), Q(in_zp), Q(out_zp), Q(per_channel), A(out_mult, 0, LW_G_INT),
    A(out_shift, 1, LW_G_INT), ACT, END,
};
#undef S

#define S nk_fc_params
static const cg_field cg_fc[] = {
    I(batches), I(in_depth), I(out_depth), Q(in_zp), Q(filter_zp), Q(out_zp), Q(per_channel),
    A(out_mult, 0, LW_G_INT), A(out_shift, 1, LW_G_INT), ACT, END,
};
#undef S

#define S nk_pool_params
static const cg_field cg_pool[] = {
    I(batches), I(in_h), I(in_w), I(channels), I(out_h), I(out_w), I(filter_h), I(filter_w),
    I(stride_h), I(stride_w), I(pad_top), I(pad_left), ACT, END,
};
#undef S

/* rank and the broadcast arrays stay 0 (omitted) when broadcast == 0. */
#define S nk_binary_params
static const cg_field cg_binary[] = {
    I(broadcast), I(flat_size), G(rank, CG_NZ, 0), D(out_dims, rank), D(in1_strides, rank),
    D(in2_strides, rank), G(left_shift, CG_I32, LW_G_ADD), G(in1_mult, CG_I32, LW_G_ADD),
    G(in1_shift, CG_I32, LW_G_ADD), G(in2_mult, CG_I32, LW_G_ADD), G(in2_shift, CG_I32, LW_G_ADD),
    Q(in1_zp), Q(in2_zp), Q(out_zp), Q(out_mult), Q(out_shift), ACT, END,
};
#undef S

#define S nk_softmax_params
static const cg_field cg_softmax[] = {
    I(rows), I(depth), Q(input_multiplier), Q(input_left_shift), Q(diff_min), G(beta, CG_F32, 0),
    A(exp_lut, 0, LW_G_LUT), A(recip_lut, 1, LW_G_LUT), END,
};
#undef S

#define S nk_sigmoid_params
static const cg_field cg_sigmoid[] = {
    I(size), I(in_zp), I(in_range_radius), I(in_mult), I(in_left_shift), END,
};
#undef S

#define S nk_quantize_params
static const cg_field cg_quantize[] = {
    I(size), G(scale, CG_F32, 0), I(zp), END,
};
#undef S

#define S nk_requant_params
static const cg_field cg_requant[] = {
    I(size), I(in_zp), I(out_zp), I(mult), I(shift), I(act_min), I(act_max), END,
};
#undef S

#define S nk_pad_params
static const cg_field cg_pad[] = {
    I(rank), D(in_dims, rank), D(pad_before, rank), D(pad_after, rank), I(pad_value),
    G(pad_value_f, CG_F32, 0), END,
};
#undef S

#define S nk_concat_params
static const cg_field cg_concat[] = {
    I(n_inputs), I(outer), I(elem_size), A(in_inner, 0, 0), END,
};
#undef S

#define S nk_mean_params
static const cg_field cg_mean[] = {
    I(rank), D(in_dims, rank), D(reduce, rank), Q(in_zp), Q(out_zp), Q(mult), Q(shift), END,
};
#undef S

#define S nk_leaky_relu_params
static const cg_field cg_leaky_relu[] = {
    I(size), Q(in_zp), Q(out_zp), Q(mult_identity), Q(shift_identity), Q(mult_alpha),
    Q(shift_alpha), R(alpha), END,
};
#undef S

#define S nk_slice_params
static const cg_field cg_slice[] = {
    I(rank), D(in_dims, rank), D(begin, rank), D(step, rank), D(out_dims, rank), I(elem_size), END,
};
#undef S

#define S nk_transpose_params
static const cg_field cg_transpose[] = {
    I(rank), D(in_dims, rank), D(perm, rank), I(elem_size), END,
};
#undef S

#define S nk_split_params
static const cg_field cg_split[] = {
    I(n_outputs), I(outer), I(elem_size), A(out_inner, 0, 0), END,
};
#undef S

#define S nk_gather_params
static const cg_field cg_gather[] = {
    I(batches), I(outer), I(axis_size), I(coords), I(inner), I(elem_size), I(index_size), END,
};
#undef S

#define S nk_space_depth_params
static const cg_field cg_space_depth[] = {
    I(batches), I(in_h), I(in_w), I(in_c), I(block), I(elem_size), END,
};
#undef S

#define S nk_select_params
static const cg_field cg_select[] = {
    I(rank), D(out_dims, rank), D(cond_strides, rank), D(x_strides, rank), D(y_strides, rank),
    I(elem_size), END,
};
#undef S

#define S nk_resize_params
static const cg_field cg_resize[] = {
    I(batches), I(in_h), I(in_w), I(channels), I(out_h), I(out_w), I(align_corners),
    I(half_pixel_centers), I(elem_size), END,
};
#undef S

#define S nk_hard_swish_params
static const cg_field cg_hard_swish[] = {
    I(size), I(in_zp), I(out_zp), I(reluish_mult), I(reluish_exp), I(out_mult), I(out_exp), END,
};
#undef S

#define S nk_log_softmax_params
static const cg_field cg_log_softmax[] = {
    I(rows), I(depth), I(input_multiplier), I(input_left_shift), I(reverse_scaling_divisor),
    I(reverse_scaling_shift), I(diff_min), END,
};
#undef S

#define S nk_l2norm_params
static const cg_field cg_l2norm[] = {
    I(rows), I(depth), I(in_zp), END,
};
#undef S

#define S nk_cast_params
static const cg_field cg_cast[] = {
    I(size), I(from), I(to), END,
};
#undef S

#define S nk_batch_matmul_params
static const cg_field cg_bmm[] = {
    I(batch_rank), D(out_bdims, batch_rank), D(lhs_bstrides, batch_rank),
    D(rhs_bstrides, batch_rank), I(rows), I(depth), I(cols), I(adj_x), I(adj_y), I(lhs_zp),
    I(rhs_zp), I(out_zp), I(out_mult), I(out_shift), I(act_min), I(act_max), END,
};
#undef S

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

int cg_emit_params_unless(cg_ctx *c, int32_t oi, const lw_op *l, const char *macro)
{
    const lw_kernel_info *k = lw_kernel_get(l->kernel);
    if (macro)
        fprintf(c->decl, "#if !%s\n", macro);
    for (int a = 0; a < LW_MAX_ARRAYS; a++) {
        if (!l->arrays[a].v)
            continue;
        char nm[48];
        snprintf(nm, sizeof nm, "ng_%s%d", l->arrays[a].tag, oi);
        cg_emit_i32_array(c, nm, l->arrays[a].v, l->arrays[a].n);
    }
    if (macro)
        fputs("#endif\n", c->decl);
    if (!cg_structs[k->ptype].type)
        return NEURIO_OK;
    fprintf(c->decl, "static const %s ng_p%d = {\n", cg_structs[k->ptype].type, oi);
    for (const cg_field *f = cg_structs[k->ptype].fields; f->name; f++) {
        if (f->group && !(f->group & k->groups))
            continue;
        if (macro && f->type == CG_ARRAY)
            fprintf(c->decl, "#if !%s\n", macro);
        cg_field_line(c, oi, l, f);
        if (macro && f->type == CG_ARRAY)
            fputs("#endif\n", c->decl);
    }
    fputs("};\n", c->decl);
    return NEURIO_OK;
}

int cg_emit_params(cg_ctx *c, int32_t oi, const lw_op *l)
{
    return cg_emit_params_unless(c, oi, l, NULL);
}
