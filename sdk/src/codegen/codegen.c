/* sdk/src/codegen/codegen.c — drives C code generation: plan the arena, emit
 * weights, kernel calls (codegen_ops.c), the description table and the
 * entry points.  See neurio/codegen.h. */
#include "neurio/codegen.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codegen_internal.h"
#include "lower/lower_state.h"

static const char *const cg_keywords[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do",
    "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline",
    "int", "long", "register", "restrict", "return", "short", "signed", "sizeof",
    "static", "struct", "switch", "typedef", "union", "unsigned", "void",
    "volatile", "while", "main", NULL,
};

size_t neurio_c_identifier(const char *in, char *out, size_t size)
{
    if (!size)
        return 0;
    const char *base = in ? in : "";
    const char *slash = strrchr(base, '/');
    if (slash)
        base = slash + 1;
    size_t len = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        len = (size_t)(dot - base);
    size_t n = 0;
    if (len == 0 || isdigit((unsigned char)base[0])) {
        const char *pre = len == 0 ? "model" : "m_";
        for (; *pre && n + 1 < size; pre++)
            out[n++] = *pre;
    }
    for (size_t i = 0; i < len && n + 1 < size; i++) {
        unsigned char ch = (unsigned char)base[i];
        out[n++] = (char)(isalnum(ch) || ch == '_' ? ch : '_');
    }
    out[n] = '\0';
    for (int k = 0; cg_keywords[k]; k++) {
        if (!strcmp(out, cg_keywords[k])) {
            const char *suf = "_model";
            for (; *suf && n + 1 < size; suf++)
                out[n++] = *suf;
            out[n] = '\0';
            break;
        }
    }
    return n;
}

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

int cg_fail(cg_ctx *c, int32_t oi, int status, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const neurio_op *op = &c->m->ops[oi];
    return neurio_fail(c->err, status, "codegen: op %d (%s) '%s': %s", oi,
                       neurio_op_name(op->kind), op->name ? op->name : "", msg);
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
        case NEURIO_DT_UINT32:
            fprintf(c->decl, "%luu", (unsigned long)((const uint32_t *)tt->data)[i]);
            break;
        case NEURIO_DT_UINT64:
            fprintf(c->decl, "UINT64_C(%llu)", (unsigned long long)((const uint64_t *)tt->data)[i]);
            break;
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

/* ----------------------------------------------------------- assembling */

static void cg_cstring(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 32 || ch >= 127 || ch == '?')
            fprintf(f, "\\%03o", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void cg_run_params(FILE *f, const neurio_model *m, int named)
{
    for (int32_t i = 0; i < m->n_inputs; i++)
        fprintf(f, "%sconst %s *%s%d", i ? ", " : "",
                cg_ctype(m->tensors[m->inputs[i]].dtype), named ? "in" : "", i);
    for (int32_t i = 0; i < m->n_outputs; i++)
        fprintf(f, "%s%s *out%d", i || m->n_inputs ? ", " : "",
                cg_ctype(m->tensors[m->outputs[i]].dtype), i);
}

static void cg_tensor_desc(FILE *f, const neurio_model *m, int32_t t)
{
    const neurio_tensor *tt = &m->tensors[t];
    fputs("    { ", f);
    cg_cstring(f, tt->name);
    fprintf(f, ", %d, %d, {", (int)tt->dtype, tt->rank);
    for (int32_t d = 0; d < NEURIO_MAX_RANK; d++)
        fprintf(f, "%s%d", d ? ", " : "", d < tt->rank ? tt->dims[d] : 0);
    fprintf(f, "}, %zuu, ", neurio_tensor_bytes(tt));
    if (tt->quant.count >= 1 && tt->quant.scale) {
        cg_float(f, tt->quant.scale[0]);
        fprintf(f, ", %ld }", (long)(tt->quant.zero_point ? tt->quant.zero_point[0] : 0));
    } else {
        fputs("0.0f, 0 }", f);
    }
}

/* Write `text` of `len` bytes to dir/file atomically. */
static int cg_write_file(const char *dir, const char *file, const char *text, size_t len,
                         char *path_out, size_t path_size, neurio_errbuf *err)
{
    char tmp[4200];
    snprintf(path_out, path_size, "%s/%s", dir, file);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path_out, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return neurio_fail(err, NEURIO_ERR_IO, "codegen: cannot create %s: %s", tmp,
                           strerror(errno));
    size_t w = fwrite(text, 1, len, f);
    int bad = w != len;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path_out) != 0) {
        int e = errno;
        unlink(tmp);
        return neurio_fail(err, NEURIO_ERR_IO, "codegen: cannot write %s: %s", path_out,
                           strerror(e));
    }
    return NEURIO_OK;
}

static int cg_check_io(const neurio_model *m, neurio_errbuf *err)
{
    if (m->n_inputs < 1 || m->n_outputs < 1)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "codegen: model '%s' has %d inputs and %d outputs; needs at "
                           "least one of each", m->name, m->n_inputs, m->n_outputs);
    for (int32_t i = 0; i < m->n_inputs + m->n_outputs; i++) {
        int32_t t = i < m->n_inputs ? m->inputs[i] : m->outputs[i - m->n_inputs];
        if (t < 0 || t >= m->n_tensors)
            return neurio_fail(err, NEURIO_ERR_INVALID,
                               "codegen: graph %s refers to tensor %d of %d",
                               i < m->n_inputs ? "input" : "output", t, m->n_tensors);
        if (!cg_ctype(m->tensors[t].dtype))
            return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                               "codegen: graph %s %d '%s' has dtype %s, not supported",
                               i < m->n_inputs ? "input" : "output",
                               i < m->n_inputs ? i : i - m->n_inputs, m->tensors[t].name,
                               neurio_dtype_name(m->tensors[t].dtype));
    }
    return NEURIO_OK;
}

int neurio_codegen(const neurio_model *m, const char *out_dir,
                   const neurio_codegen_options *opts,
                   neurio_codegen_result *res, neurio_errbuf *err)
{
    static const neurio_codegen_options defaults = {0};
    char name[128], hex[65], ptr[160];
    uint8_t digest[32];
    char *decl_buf = NULL, *body_buf = NULL, *src_buf = NULL, *hdr_buf = NULL;
    size_t decl_len = 0, body_len = 0, src_len = 0, hdr_len = 0;
    FILE *src = NULL, *hdr = NULL;
    neurio_plan *plan = NULL;
    cg_ctx c = {.m = m, .err = err};
    int rc;
    if (!m || !out_dir)
        return neurio_fail(err, NEURIO_ERR_INVALID, "codegen: NULL model or directory");
    if (!opts)
        opts = &defaults;
    rc = cg_check_io(m, err);
    if (rc)
        return rc;
    neurio_c_identifier(opts->name ? opts->name : m->name, name, sizeof name);
    if (neurio_model_sha256(m, digest) != NEURIO_OK)
        return neurio_fail(err, NEURIO_ERR_INTERNAL, "codegen: cannot hash model '%s'",
                           m->name);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);

    size_t *scratch = calloc((size_t)(m->n_ops > 0 ? m->n_ops : 1), sizeof *scratch);
    if (!scratch)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "codegen: out of memory");
    for (int32_t i = 0; i < m->n_ops; i++)
        if (nlw_is_state_op(m->ops[i].kind))
            scratch[i] = nlw_state_scratch(m, i);
    neurio_plan_options po = {.alignment = opts->alignment ? opts->alignment : 16,
                              .no_alias = opts->no_alias,
                              .no_inplace = opts->no_inplace,
                              .no_overlap = opts->no_inplace,
                              .op_scratch = scratch};
    rc = neurio_plan_model(m, &po, &plan, err);
    free(scratch);
    if (rc)
        return rc;
    rc = neurio_plan_check(m, plan, err);
    if (rc)
        goto fail;

    rc = NEURIO_ERR_NOMEM;
    c.plan = plan;
    c.name = name;
    c.const_done = calloc((size_t)(m->n_tensors > 0 ? m->n_tensors : 1), 1);
    c.decl = open_memstream(&decl_buf, &decl_len);
    c.body = open_memstream(&body_buf, &body_len);
    if (!c.const_done || !c.decl || !c.body)
        goto fail;

    for (int32_t i = 0; i < m->n_ops; i++) {
        fprintf(c.body, "    NEURIO_LAYER_HOOK(%d);\n", i);
        if (plan->op_elided[i]) {
            fprintf(c.body, "    /* layer %d: %s aliased by the planner, no copy */\n", i,
                    neurio_op_name(m->ops[i].kind));
            continue;
        }
        if (plan->op_overlap[i])
            fprintf(c.body,
                    "    /* layer %d: output overlaps its input (starts >= %lld bytes "
                    "below it; nk.h pixel-block contract) */\n",
                    i, (long long)plan->op_overlap_gap[i]);
        rc = cg_emit_op(&c, i);
        if (rc)
            goto fail;
    }
    /* Graph outputs whose storage is not their own output buffer. */
    for (int32_t i = 0; i < m->n_outputs; i++) {
        int32_t t = m->outputs[i];
        const neurio_tensor_place *pl = &plan->tensors[t];
        if (pl->kind == NEURIO_MEM_OUTPUT && pl->index == i)
            continue;
        rc = cg_ptr(&c, t, ptr, sizeof ptr);
        if (rc)
            goto fail;
        fprintf(c.body, "    (void)nk_copy(%s, out%d, %zuu);\n", ptr, i,
                neurio_tensor_bytes(&m->tensors[t]));
    }
    fprintf(c.body, "    NEURIO_LAYER_HOOK(%d);\n    return NEURIO_RUN_OK;\n", m->n_ops);
    rc = NEURIO_ERR_NOMEM;
    if (fclose(c.decl) || fclose(c.body)) {
        c.decl = c.body = NULL;
        goto fail;
    }
    c.decl = c.body = NULL;

    /* ---- M.c */
    src = open_memstream(&src_buf, &src_len);
    if (!src)
        goto fail;
    fprintf(src,
            "/* %s.c — generated by neurio codegen; do not edit.\n"
            " * model: %s (%s)\n"
            " * sha256: %s\n"
            " * arena: %zu bytes (%s), weights: %llu bytes, layers: %d\n"
            " * C99, freestanding: needs nk.h (firmware/kernels) and\n"
            " * neurio_model_desc.h (firmware/include). */\n"
            "#include <float.h>\n#include <stddef.h>\n#include <stdint.h>\n\n"
            "#include \"nk.h\"\n#include \"neurio_model_desc.h\"\n#include \"%s.h\"\n\n"
            "#if defined(__GNUC__) || defined(__clang__)\n"
            "#define NG_ALIGN __attribute__((aligned(%zu)))\n"
            "#else\n#define NG_ALIGN\n#endif\n\n",
            name, m->source && *m->source ? m->source : m->name,
            m->format && *m->format ? m->format : "built", hex, plan->arena_bytes,
            plan->strategy, (unsigned long long)c.weights_bytes, m->n_ops, name,
            plan->alignment);
    if (plan->arena_bytes)
        fprintf(src,
                "/* The tensor arena: every intermediate activation, at offsets\n"
                " * fixed by the memory planner. */\n"
                "static union {\n    uint8_t b[%zu];\n    int64_t align_i;\n"
                "    double align_d;\n} NG_ALIGN ng_arena;\n\n",
                plan->arena_bytes);
    fwrite(decl_buf, 1, decl_len, src);
    fputs("\n", src);
    if (plan->state_bytes)
        cg_state_reset_fn(&c, src);
    fprintf(src, "int %s_run(", name);
    cg_run_params(src, m, 1);
    fputs(")\n{\n", src);
    if (plan->state_bytes && opts->stateful)
        fprintf(src, "    static int ng_started;\n"
                     "    if (!ng_started) { /* state starts from its reset value */\n"
                     "        %s_reset_state();\n        ng_started = 1;\n    }\n", name);
    else if (plan->state_bytes)
        fprintf(src, "    %s_reset_state(); /* every inference starts from a fresh state */\n",
                name);
    for (int32_t i = 0; i < m->n_inputs; i++)
        fprintf(src, "    if (!in%d) return NEURIO_RUN_ERR_ARG;\n", i);
    for (int32_t i = 0; i < m->n_outputs; i++)
        fprintf(src, "    if (!out%d) return NEURIO_RUN_ERR_ARG;\n", i);
    fwrite(body_buf, 1, body_len, src);
    fprintf(src, "}\n\nint %s_run_generic(const void *const *inputs, void *const *outputs)\n"
                 "{\n    if (!inputs || !outputs) return NEURIO_RUN_ERR_ARG;\n"
                 "    return %s_run(", name, name);
    for (int32_t i = 0; i < m->n_inputs; i++)
        fprintf(src, "%s(const %s *)inputs[%d]", i ? ", " : "",
                cg_ctype(m->tensors[m->inputs[i]].dtype), i);
    for (int32_t i = 0; i < m->n_outputs; i++)
        fprintf(src, ", (%s *)outputs[%d]", cg_ctype(m->tensors[m->outputs[i]].dtype), i);
    fputs(");\n}\n\n", src);
    fputs("static const neurio_tensor_desc ng_inputs[] = {\n", src);
    for (int32_t i = 0; i < m->n_inputs; i++) {
        cg_tensor_desc(src, m, m->inputs[i]);
        fputs(",\n", src);
    }
    fputs("};\nstatic const neurio_tensor_desc ng_outputs[] = {\n", src);
    for (int32_t i = 0; i < m->n_outputs; i++) {
        cg_tensor_desc(src, m, m->outputs[i]);
        fputs(",\n", src);
    }
    fputs("};\n", src);
    if (m->n_ops > 0) {
        fputs("static const char *const ng_layer_ops[] = {", src);
        for (int32_t i = 0; i < m->n_ops; i++)
            fprintf(src, "%s\"%s\"", !i ? "\n    " : i % 6 ? ", " : ",\n    ", neurio_op_name(m->ops[i].kind));
        fputs("\n};\nstatic const uint64_t ng_layer_macs[] = {", src);
        for (int32_t i = 0; i < m->n_ops; i++)
            fprintf(src, "%sUINT64_C(%llu)", !i ? "\n    " : i % 6 ? ", " : ",\n    ",
                    (unsigned long long)neurio_op_macs(m, &m->ops[i]));
        fputs("\n};\n", src);
    }
    fprintf(src,
            "\nconst neurio_model_desc %s_desc = {\n"
            "    NEURIO_MODEL_DESC_VERSION,\n    \"%s\",\n    \"%s\",\n"
            "    %du, %du, ng_inputs, ng_outputs,\n"
            "    %zuu, %lluu,\n    %du, %s, %s,\n    %s_run_generic\n};\n",
            name, name, hex, m->n_inputs, m->n_outputs, plan->arena_bytes,
            (unsigned long long)c.weights_bytes, m->n_ops,
            m->n_ops ? "ng_layer_ops" : "NULL", m->n_ops ? "ng_layer_macs" : "NULL", name);
    if (!opts->no_default_model)
        fprintf(src, "\n#ifndef NEURIO_NO_DEFAULT_MODEL\n"
                     "const neurio_model_desc *neurio_model_get(void)\n{\n"
                     "    return &%s_desc;\n}\n#endif\n", name);
    if (fclose(src)) {
        src = NULL;
        goto fail;
    }
    src = NULL;

    /* ---- M.h */
    hdr = open_memstream(&hdr_buf, &hdr_len);
    if (!hdr)
        goto fail;
    fprintf(hdr,
            "/* %s.h — generated by neurio codegen; do not edit.\n"
            " * sha256 of the prepared model: %s */\n"
            "#ifndef NG_%s_H\n#define NG_%s_H\n\n#include <stdint.h>\n\n"
            "#include \"neurio_model_desc.h\"\n\n"
            "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
            "#define %s_ARENA_BYTES %zuu\n#define %s_WEIGHTS_BYTES %lluu\n"
            "#define %s_N_LAYERS %du\n#define %s_N_INPUTS %du\n#define %s_N_OUTPUTS %du\n",
            name, hex, name, name, name, plan->arena_bytes, name,
            (unsigned long long)c.weights_bytes, name, m->n_ops, name, m->n_inputs, name,
            m->n_outputs);
    for (int32_t i = 0; i < m->n_inputs; i++)
        fprintf(hdr, "#define %s_INPUT%d_BYTES %zuu\n", name, i,
                neurio_tensor_bytes(&m->tensors[m->inputs[i]]));
    for (int32_t i = 0; i < m->n_outputs; i++)
        fprintf(hdr, "#define %s_OUTPUT%d_BYTES %zuu\n", name, i,
                neurio_tensor_bytes(&m->tensors[m->outputs[i]]));
    fprintf(hdr, "\n/* Description table (names, dtypes, shapes, quantization). */\n"
                 "extern const neurio_model_desc %s_desc;\n\n"
                 "/* One inference.  Inputs and outputs are caller buffers of the\n"
                 " * sizes above.  Not reentrant (one static arena).  Returns\n"
                 " * NEURIO_RUN_OK or NEURIO_RUN_ERR_*. */\nint %s_run(",
            name, name);
    cg_run_params(hdr, m, 1);
    if (plan->state_bytes)
        fprintf(hdr, ");\n\n/* The model keeps state (%zu bytes, variable tensors) %s;\n"
                     " * this resets it (zero; int8 state: its zero point). */\n"
                     "void %s_reset_state(void", plan->state_bytes,
                opts->stateful ? "from one inference to the next (generated stateful)"
                               : "but resets it before every inference",
                name);
    fprintf(hdr, ");\n\n/* Same, with arrays of pointers (= %s_desc.run). */\n"
                 "int %s_run_generic(const void *const *inputs, void *const *outputs);\n\n"
                 "#ifdef __cplusplus\n}\n#endif\n#endif\n",
            name, name);
    if (fclose(hdr)) {
        hdr = NULL;
        goto fail;
    }
    hdr = NULL;

    char hp[4096], sp[4096], fname[160];
    snprintf(fname, sizeof fname, "%s.h", name);
    rc = cg_write_file(out_dir, fname, hdr_buf, hdr_len, hp, sizeof hp, err);
    if (rc)
        goto fail;
    snprintf(fname, sizeof fname, "%s.c", name);
    rc = cg_write_file(out_dir, fname, src_buf, src_len, sp, sizeof sp, err);
    if (rc)
        goto fail;
    if (res) {
        memset(res, 0, sizeof *res);
        snprintf(res->name, sizeof res->name, "%s", name);
        snprintf(res->header_path, sizeof res->header_path, "%s", hp);
        snprintf(res->source_path, sizeof res->source_path, "%s", sp);
        res->arena_bytes = plan->arena_bytes;
        res->weights_bytes = c.weights_bytes;
        res->n_layers = (uint32_t)m->n_ops;
        memcpy(res->sha256, hex, sizeof hex);
        res->plan_strategy = plan->strategy;
    }
    rc = NEURIO_OK;
fail:
    if (rc == NEURIO_ERR_NOMEM)
        neurio_fail(err, rc, "codegen: out of memory generating '%s'", name);
    if (c.decl)
        fclose(c.decl);
    if (c.body)
        fclose(c.body);
    if (src)
        fclose(src);
    if (hdr)
        fclose(hdr);
    free(decl_buf);
    free(body_buf);
    free(src_buf);
    free(hdr_buf);
    free(c.const_done);
    neurio_plan_free(plan);
    return rc;
}
