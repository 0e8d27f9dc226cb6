/* sdk/src/codegen/codegen_pack.c — what the layouts packed at generation
 * (codegen_convpack.c, codegen_pwrows.c, codegen_fcpack.c) write alike:
 * the check of the constants a packer reads, the aligned copy of the bias
 * it takes, the packed arrays, the plain weights and bias under
 * #if !<guard>, the two calls (packed under #if <guard>, plain under
 * #else) and the report's note of a packed CONV_2D layer. */
#include <stdlib.h>
#include <string.h>

#include "codegen_internal.h"

int cg_pack_input_ok(const neurio_tensor *wt, const neurio_tensor *bt, size_t n_w, int32_t n_b)
{
    return wt->dtype == NEURIO_DT_INT8 && wt->data && wt->data_bytes >= n_w &&
           (!bt ||
            (bt->dtype == NEURIO_DT_INT32 && bt->data && bt->data_bytes >= (size_t)n_b * 4u));
}

int cg_bias_copy(const neurio_tensor *bt, int32_t n, int32_t **bias)
{
    *bias = NULL;
    if (!bt)
        return NEURIO_OK;
    *bias = malloc((size_t)n * sizeof **bias);
    if (!*bias)
        return NEURIO_ERR_NOMEM;
    memcpy(*bias, bt->data, (size_t)n * sizeof **bias);
    return NEURIO_OK;
}

void cg_pack_i16(cg_ctx *c, const char *tag, int32_t oi, const int16_t *v, int32_t n)
{
    fprintf(c->decl, "static const int16_t NG_ALIGN ng_%s%d[%d] = {", tag, oi, n);
    for (int32_t i = 0; i < n; i++)
        fprintf(c->decl, "%s%d", !i ? "\n    " : i % 16 ? ", " : ",\n    ", v[i]);
    fputs("\n};\n", c->decl);
}

void cg_pack_i32(cg_ctx *c, const char *tag, int32_t oi, const int32_t *v, int32_t n,
                 int per_line)
{
    fprintf(c->decl, "static const int32_t NG_ALIGN ng_%s%d[%d] = {", tag, oi, n);
    for (int32_t i = 0; i < n; i++)
        fprintf(c->decl, "%s%ld", !i ? "\n    " : i % per_line ? ", " : ",\n    ", (long)v[i]);
    fputs("\n};\n", c->decl);
}

int cg_plain_consts(cg_ctx *c, const lw_op *l, char (*p)[160], const char *guard)
{
    int rc;
    fprintf(c->decl, "#if !%s\n", guard);
    if ((rc = cg_ptr(c, l->args[1], p[1], 160)) ||
        (l->args[2] >= 0 && (rc = cg_ptr(c, l->args[2], p[2], 160))))
        return rc;
    fputs("#endif\n", c->decl);
    return NEURIO_OK;
}

void cg_packed_call(cg_ctx *c, int32_t oi, char (*p)[160], const char *guard, const char *fn,
                    const char *pack)
{
    fprintf(c->body,
            "#if %s\n"
            "    if (%s(&ng_p%d, &%s%d, %s, %s) != NK_OK) "
            "return NEURIO_RUN_ERR_LAYER + %d;\n",
            guard, fn, oi, pack, oi, p[0], p[3], oi);
}

void cg_plain_call(cg_ctx *c, int32_t oi, const lw_op *l, char (*p)[160], const char *fn)
{
    fprintf(c->body,
            "#else\n    if (%s(&ng_p%d, %s, %s, %s, %s) != NK_OK) "
            "return NEURIO_RUN_ERR_LAYER + %d;\n#endif\n",
            fn, oi, p[0], p[1], l->args[2] >= 0 ? p[2] : "NULL", p[3], oi);
}

void cg_conv_note(cg_ctx *c, int32_t oi, const lw_op *l, int layout, uint64_t bytes)
{
    const nk_conv_params *cp = &l->p.conv;
    const uint64_t plain = (uint64_t)cp->out_c * (uint64_t)cp->filter_h * (uint64_t)cp->filter_w *
                               (uint64_t)cp->in_c +
                           (l->args[2] >= 0 ? 4u * (uint64_t)cp->out_c : 0);
    if (c->layers)
        c->layers[oi] = (neurio_codegen_layer){
            .layout = layout, .bytes = bytes, .added_bytes = bytes > plain ? bytes - plain : 0};
}
