/* sdk/src/codegen/codegen_data.c — where tensors live in the generated C:
 * C types, constants emitted as `static const` arrays on first use, typed
 * pointer expressions into the arena, the run arguments or the constants,
 * and the literal printers they share. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "codegen_internal.h"

const char *cg_ctype(neurio_dtype dt)
{
    switch (dt) {
    case NEURIO_DT_FLOAT32: return "float";
    case NEURIO_DT_INT8: return "int8_t";
    case NEURIO_DT_UINT8: return "uint8_t";
    case NEURIO_DT_INT16: return "int16_t";
    case NEURIO_DT_INT32: return "int32_t";
    case NEURIO_DT_INT64: return "int64_t";
    case NEURIO_DT_BOOL: return "uint8_t";
    case NEURIO_DT_UINT32: return "uint32_t";
    case NEURIO_DT_UINT64: return "uint64_t";
    default: return NULL;
    }
}

void cg_float(FILE *f, float v)
{
    if (v != v)
        fputs("(0.0f/0.0f)", f); /* not reached for valid models */
    else if (isinf(v))
        fputs(v > 0 ? "FLT_MAX" : "-FLT_MAX", f);
    else
        fprintf(f, "%.9ef", (double)v);
}

void cg_comment(FILE *f, const char *s)
{
    for (char prev = 0; s && *s; prev = *s++) {
        unsigned char ch = (unsigned char)*s;
        if (prev == '*' && ch == '/')
            fputc(' ', f);
        fputc(ch < 32 || ch == 127 ? '?' : (int)ch, f);
    }
}

void cg_emit_i32_array(cg_ctx *c, const char *name, const int32_t *v, int32_t n)
{
    fprintf(c->decl, "static const int32_t %s[%d] = {", name, n > 0 ? n : 1);
    for (int32_t i = 0; i < n; i++)
        fprintf(c->decl, "%s%ld", !i ? "\n    " : i % 12 ? ", " : ",\n    ", (long)v[i]);
    if (n <= 0)
        fputs("0", c->decl);
    fputs("\n};\n", c->decl);
    c->weights_bytes += (uint64_t)(n > 0 ? n : 1) * 4u;
}

static int cg_emit_const(cg_ctx *c, int32_t t)
{
    const neurio_tensor *tt = &c->m->tensors[t];
    const char *ct = cg_ctype(tt->dtype);
    size_t n = neurio_tensor_elements(tt);
    if (!ct)
        return neurio_fail(c->err, NEURIO_ERR_UNSUPPORTED,
                           "codegen: constant tensor %d '%s' has dtype %s, not supported",
                           t, tt->name, neurio_dtype_name(tt->dtype));
    if (tt->data_bytes < n * neurio_dtype_size(tt->dtype))
        return neurio_fail(c->err, NEURIO_ERR_INVALID,
                           "codegen: constant tensor %d '%s' holds %zu bytes, its shape "
                           "needs %zu", t, tt->name, tt->data_bytes,
                           n * neurio_dtype_size(tt->dtype));
    fprintf(c->decl, "/* tensor %d '", t);
    cg_comment(c->decl, tt->name);
    fprintf(c->decl, "' */\nstatic const %s NG_ALIGN ng_c%d[%zu] = {", ct, t, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        fputs(!i ? "\n    " : i % 16 ? ", " : ",\n    ", c->decl);
        switch (tt->dtype) {
        case NEURIO_DT_FLOAT32: {
            float v;
            memcpy(&v, (const char *)tt->data + 4 * i, 4);
            if (!isfinite(v))
                return neurio_fail(c->err, NEURIO_ERR_INVALID,
                                   "codegen: constant tensor %d '%s' element %zu is not "
                                   "finite", t, tt->name, i);
            cg_float(c->decl, v);
            break;
        }
        case NEURIO_DT_INT8: fprintf(c->decl, "%d", ((const int8_t *)tt->data)[i]); break;
        case NEURIO_DT_UINT8: case NEURIO_DT_BOOL:
            fprintf(c->decl, "%u", ((const uint8_t *)tt->data)[i]); break;
        case NEURIO_DT_INT16: fprintf(c->decl, "%d", ((const int16_t *)tt->data)[i]); break;
        case NEURIO_DT_INT32: {
            int32_t v = ((const int32_t *)tt->data)[i];
            if (v == INT32_MIN)
                fputs("(-2147483647 - 1)", c->decl);
            else
                fprintf(c->decl, "%ld", (long)v);
            break;
        }
        case NEURIO_DT_INT64: {
            int64_t v = ((const int64_t *)tt->data)[i];
            if (v == INT64_MIN)
                fputs("(-INT64_C(9223372036854775807) - 1)", c->decl);
            else
                fprintf(c->decl, "INT64_C(%lld)", (long long)v);
            break;
        }
        default: break;
        }
    }
    if (!n)
        fputs("0", c->decl);
    fputs("\n};\n", c->decl);
    c->weights_bytes += (uint64_t)(n ? n : 1) * neurio_dtype_size(tt->dtype);
    c->const_done[t] = 1;
    return NEURIO_OK;
}

int cg_ptr(cg_ctx *c, int32_t t, char *buf, size_t size)
{
    const neurio_tensor_place *pl = &c->plan->tensors[t];
    const char *ct = cg_ctype(c->m->tensors[t].dtype);
    if (!ct)
        return neurio_fail(c->err, NEURIO_ERR_UNSUPPORTED,
                           "codegen: tensor %d '%s' has dtype %s, not supported", t,
                           c->m->tensors[t].name, neurio_dtype_name(c->m->tensors[t].dtype));
    switch (pl->kind) {
    case NEURIO_MEM_ARENA:
        snprintf(buf, size, "((%s *)(void *)(ng_arena.b + %zu))", ct, pl->offset);
        return NEURIO_OK;
    case NEURIO_MEM_INPUT:
        snprintf(buf, size, "((const %s *)in%d)", ct, pl->index);
        return NEURIO_OK;
    case NEURIO_MEM_OUTPUT:
        snprintf(buf, size, "((%s *)out%d)", ct, pl->index);
        return NEURIO_OK;
    case NEURIO_MEM_CONST: {
        int32_t src = pl->index;
        if (!c->const_done[src]) {
            int rc = cg_emit_const(c, src);
            if (rc)
                return rc;
        }
        snprintf(buf, size, "((const %s *)ng_c%d)", ct, src);
        return NEURIO_OK;
    }
    default:
        return neurio_fail(c->err, NEURIO_ERR_INTERNAL,
                           "codegen: tensor %d '%s' has no storage", t,
                           c->m->tensors[t].name);
    }
}

