/* sdk/src/codegen/codegen_ops.c — one op → its kernel call: the op is
 * lowered (lower/lower.h), its parameters printed as static const data
 * (codegen_params.c), then the call into firmware/kernels/nk.h, written by
 * the kernel's call shape. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "codegen_internal.h"
#include "lower/lower_state.h"

#define CG_PTR 160

void cg_f(cg_ctx *c, const char *field, float v)
{
    fprintf(c->decl, "    .%s = ", field);
    cg_float(c->decl, v);
    fputs(",\n", c->decl);
}

void cg_i(cg_ctx *c, const char *field, long v)
{
    fprintf(c->decl, "    .%s = %ld,\n", field, v);
}

void cg_dims(cg_ctx *c, const char *field, const int32_t *v, int32_t n)
{
    fprintf(c->decl, "    .%s = {", field);
    for (int32_t i = 0; i < n; i++)
        fprintf(c->decl, "%s%d", i ? ", " : "", v[i]);
    fputs("},\n", c->decl);
}

/* The call line: checks the kernel's status. */
static void cg_call(cg_ctx *c, int32_t oi, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cg_call(cg_ctx *c, int32_t oi, const char *fmt, ...)
{
    va_list ap;
    fputs("    if (", c->body);
    va_start(ap, fmt);
    vfprintf(c->body, fmt, ap);
    va_end(ap);
    fprintf(c->body, " != NK_OK) return NEURIO_RUN_ERR_LAYER + %d;\n", oi);
}

/* The kernel call of l with its operand expressions p[0..n_args). */
static void cg_emit_call(cg_ctx *c, int32_t oi, const lw_op *l, char (*p)[CG_PTR])
{
    const lw_kernel_info *k = lw_kernel_get(l->kernel);
    const lw_scalar *s = &l->p.scalar;
    switch (k->shape) {
    case LW_SHAPE_IO:
        cg_call(c, oi, "%s(&ng_p%d, %s, %s)", k->name, oi, p[0], p[1]);
        return;
    case LW_SHAPE_IIO:
        cg_call(c, oi, "%s(&ng_p%d, %s, %s, %s)", k->name, oi, p[0], p[1], p[2]);
        return;
    case LW_SHAPE_IWBO:
        cg_call(c, oi, "%s(&ng_p%d, %s, %s, %s, %s)", k->name, oi, p[0], p[1], p[2], p[3]);
        return;
    case LW_SHAPE_SIZE_IO:
        cg_call(c, oi, "%s(%ld, %s, %s)", k->name, (long)s->size, p[0], p[1]);
        return;
    case LW_SHAPE_CLAMP_IO:
        fprintf(c->body, "    if (%s(%ld, ", k->name, (long)s->size);
        cg_float(c->body, s->lo);
        fputs(", ", c->body);
        cg_float(c->body, s->hi);
        fprintf(c->body, ", %s, %s) != NK_OK) return NEURIO_RUN_ERR_LAYER + %d;\n", p[0], p[1], oi);
        return;
    case LW_SHAPE_COPY:
        cg_call(c, oi, "%s(%s, %s, %zuu)", k->name, p[0], p[1], s->bytes);
        return;
    case LW_SHAPE_IIIO:
        cg_call(c, oi, "%s(&ng_p%d, %s, %s, %s, %s)", k->name, oi, p[0], p[1], p[2], p[3]);
        return;
    case LW_SHAPE_CODE_IIO:
        cg_call(c, oi, "%s(&ng_p%d, %ld, %s, %s, %s)", k->name, oi, (long)l->code, p[0], p[1],
                p[2]);
        return;
    case LW_SHAPE_CODE_SIZE_IO:
        cg_call(c, oi, "%s(%ld, %ld, %s, %s)", k->name, (long)l->code, (long)s->size, p[0], p[1]);
        return;
    case LW_SHAPE_SPLIT:
        fprintf(c->body, "    {\n        void *const ng_out[%d] = {", l->n_args - 1);
        for (int32_t i = 1; i < l->n_args; i++)
            fprintf(c->body, "%s%s", i > 1 ? ", " : "", p[i]);
        fprintf(c->body, "};\n        if (%s(&ng_p%d, %s, ng_out) != NK_OK) "
                         "return NEURIO_RUN_ERR_LAYER + %d;\n    }\n",
                k->name, oi, p[0], oi);
        return;
    case LW_SHAPE_LIST_RQ:
        fprintf(c->body, "    {\n        const void *const ng_in[%d] = {", l->n_args - 1);
        for (int32_t i = 0; i + 1 < l->n_args; i++)
            fprintf(c->body, "%s%s", i ? ", " : "", p[i]);
        fprintf(c->body, "};\n        if (%s(&ng_p%d, (const nk_concat_requant *)(const void *)"
                         "ng_%s%d, %ld, ng_in, %s) != NK_OK) return NEURIO_RUN_ERR_LAYER + %d;\n"
                         "    }\n",
                k->name, oi, l->arrays[1].tag, oi, (long)l->code, p[l->n_args - 1], oi);
        return;
    case LW_SHAPE_LIST:
        fprintf(c->body, "    {\n        const void *const ng_in[%d] = {", l->n_args - 1);
        for (int32_t i = 0; i + 1 < l->n_args; i++)
            fprintf(c->body, "%s%s", i ? ", " : "", p[i]);
        fprintf(c->body, "};\n        if (%s(&ng_p%d, ng_in, %s) != NK_OK) "
                         "return NEURIO_RUN_ERR_LAYER + %d;\n    }\n",
                k->name, oi, p[l->n_args - 1], oi);
        return;
    }
}

int cg_emit_op(cg_ctx *c, int32_t oi)
{
    const neurio_op *op = &c->m->ops[oi];
    neurio_errbuf e = {{0}};
    char (*p)[CG_PTR] = NULL;
    lw_op l;
    fprintf(c->decl, "\n/* layer %d: %s '", oi, neurio_op_name(op->kind));
    cg_comment(c->decl, op->name);
    fputs("' */\n", c->decl);
    if (nlw_is_state_op(op->kind))
        return cg_state_op(c, oi, op); /* not yet in lw_lower: lower/lower_state.c */
    if (c->layers && (op->kind == NEURIO_OP_FULLY_CONNECTED || op->kind == NEURIO_OP_CONV_2D))
        c->layers[oi].layout = NEURIO_LAYOUT_PLAIN; /* until packed (codegen_*pack.c) */
    int rc = lw_lower(c->m, oi, &l, &e);
    if (rc) {
        rc = neurio_fail(c->err, rc, "codegen: %s", e.msg);
        goto fail;
    }
    const int pw_rows = l.kernel == LW_K_CONV2D_S8 && l.n_args == 4 && l.args[0] >= 0 &&
                        l.args[3] >= 0 && cg_pw_rows_wanted(c, oi, &l);
    if ((rc = cg_emit_params_unless(c, oi, &l, pw_rows ? "NK_CONV_ROWS" : NULL)))
        goto fail;
    p = calloc((size_t)l.n_args, sizeof *p);
    if (!p) {
        rc = neurio_fail(c->err, NEURIO_ERR_NOMEM, "codegen: out of memory");
        goto fail;
    }
    if (l.kernel == LW_K_FC_S8 && l.n_args == 4 && l.args[0] >= 0 && l.args[3] >= 0) {
        int done = 0;
        if ((rc = cg_ptr(c, l.args[0], p[0], CG_PTR)) || (rc = cg_ptr(c, l.args[3], p[3], CG_PTR)) ||
            (rc = cg_fc_packed(c, oi, &l, p, &done)) || done)
            goto fail; /* packed weights under #if NK_FC_PACKED (codegen_fcpack.c) */
    }
    if (pw_rows) {
        if (!(rc = cg_ptr(c, l.args[0], p[0], CG_PTR)) &&
            !(rc = cg_ptr(c, l.args[3], p[3], CG_PTR)))
            rc = cg_pw_rows(c, oi, &l, p); /* row-pair kernel: codegen_pwrows.c */
        goto fail;
    }
    if (l.kernel == LW_K_CONV2D_S8 && l.n_args == 4 && l.args[0] >= 0 && l.args[3] >= 0) {
        int done = 0;
        if ((rc = cg_ptr(c, l.args[0], p[0], CG_PTR)) || (rc = cg_ptr(c, l.args[3], p[3], CG_PTR)) ||
            (rc = cg_conv_packed(c, oi, &l, p, &done)) || done)
            goto fail; /* packed weights under #if NK_CONV_PACKED (codegen_convpack.c) */
    }
    for (int32_t i = 0; i < l.n_args; i++) {
        if (l.args[i] < 0)
            snprintf(p[i], CG_PTR, "NULL");
        else if ((rc = cg_ptr(c, l.args[i], p[i], CG_PTR)))
            goto fail;
    }
    cg_emit_call(c, oi, &l, p);
fail:
    free(p);
    lw_op_free(&l);
    return rc;
}
