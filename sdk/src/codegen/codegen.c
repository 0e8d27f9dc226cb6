/* sdk/src/codegen/codegen.c — drives C code generation: checks the graph's
 * inputs and outputs, plans the arena, emits every op (codegen_ops.c), then
 * assembles M.c and M.h (codegen_files.c) and writes them atomically.  See
 * neurio/codegen.h. */
#include "neurio/codegen.h"

#include <ctype.h>
#include <errno.h>
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

/* NEURIO_LAYER_OUTPUT_K(i, k, ptr, bytes) after layer i for each of its
 * outputs k, for debug builds (neurio_model_desc.h; expands to nothing
 * otherwise). */
static int cg_emit_layer_output(cg_ctx *c, int32_t i)
{
    const neurio_op *op = &c->m->ops[i];
    for (int32_t o = 0; o < op->n_outputs; o++) {
        int32_t t = op->outputs[o];
        if (t < 0 || t >= c->m->n_tensors)
            continue;
        neurio_mem_kind k = c->plan->tensors[t].kind;
        if ((k != NEURIO_MEM_ARENA && k != NEURIO_MEM_INPUT && k != NEURIO_MEM_OUTPUT) ||
            !cg_ctype(c->m->tensors[t].dtype))
            continue;
        char ptr[160];
        int rc = cg_ptr(c, t, ptr, sizeof ptr);
        if (rc)
            return rc;
        fprintf(c->body, "    NEURIO_LAYER_OUTPUT_K(%d, %d, %s, %zuu);\n", i, (int)o, ptr,
                neurio_tensor_bytes(&c->m->tensors[t]));
    }
    return NEURIO_OK;
}

/* The declarations (c->decl) and run body (c->body) of every op, then the
 * copies of graph outputs that do not live in their own output buffer. */
static int cg_emit_body(cg_ctx *c)
{
    const neurio_model *m = c->m;
    const neurio_plan *plan = c->plan;
    char ptr[160];
    int rc;
    for (int32_t i = 0; i < m->n_ops; i++) {
        fprintf(c->body, "    NEURIO_LAYER_HOOK(%d);\n", i);
        if (plan->op_chain && plan->op_chain[i] >= 0) { /* a band chain, whole */
            const neurio_band_chain *ch = &plan->chains[plan->op_chain[i]];
            if ((rc = cg_emit_chain(c, plan->op_chain[i])))
                return rc;
            for (i = ch->first_op + 1; i <= ch->last_op; i++)
                fprintf(c->body, "    NEURIO_LAYER_HOOK(%d);\n", i);
            i = ch->last_op;
            if ((rc = cg_emit_layer_output(c, i)))
                return rc;
            continue;
        }
        if (plan->op_elided[i]) {
            fprintf(c->body, "    /* layer %d: %s aliased by the planner, no copy */\n", i,
                    neurio_op_name(m->ops[i].kind));
            if ((rc = cg_emit_layer_output(c, i)))
                return rc;
            continue;
        }
        if (plan->op_overlap[i])
            fprintf(c->body,
                    "    /* layer %d: output overlaps its input (starts >= %lld bytes "
                    "below it; nk.h pixel-block contract) */\n",
                    i, (long long)plan->op_overlap_gap[i]);
        if ((rc = cg_emit_op(c, i)) || (rc = cg_emit_layer_output(c, i)))
            return rc;
    }
    for (int32_t i = 0; i < m->n_outputs; i++) {
        int32_t t = m->outputs[i];
        const neurio_tensor_place *pl = &plan->tensors[t];
        if (pl->kind == NEURIO_MEM_OUTPUT && pl->index == i)
            continue;
        if ((rc = cg_ptr(c, t, ptr, sizeof ptr)))
            return rc;
        fprintf(c->body, "    (void)nk_copy(%s, out%d, %zuu);\n", ptr, i,
                neurio_tensor_bytes(&m->tensors[t]));
    }
    fprintf(c->body, "    NEURIO_LAYER_HOOK(%d);\n    return NEURIO_RUN_OK;\n", m->n_ops);
    return NEURIO_OK;
}

/* Writes M.h and M.c into out_dir and fills res. */
static int cg_write_files(const cg_ctx *c, const char *out_dir, const char *hex,
                          const char *src, size_t src_len, const char *hdr, size_t hdr_len,
                          neurio_codegen_result *res)
{
    char hp[4096], sp[4096], fname[160];
    snprintf(fname, sizeof fname, "%s.h", c->name);
    int rc = cg_write_file(out_dir, fname, hdr, hdr_len, hp, sizeof hp, c->err);
    if (rc)
        return rc;
    snprintf(fname, sizeof fname, "%s.c", c->name);
    if ((rc = cg_write_file(out_dir, fname, src, src_len, sp, sizeof sp, c->err)))
        return rc;
    if (res) {
        memset(res, 0, sizeof *res);
        snprintf(res->name, sizeof res->name, "%s", c->name);
        snprintf(res->header_path, sizeof res->header_path, "%s", hp);
        snprintf(res->source_path, sizeof res->source_path, "%s", sp);
        res->arena_bytes = c->plan->arena_bytes;
        res->weights_bytes = c->weights_bytes;
        res->fc_int8_layers = c->fc_n8;
        res->fc_int16_layers = c->fc_n16;
        res->fc_int16_bytes = c->fc16_bytes;
        memcpy(res->fc_layout, c->fc_layout, sizeof res->fc_layout);
        res->const_bytes = c->const_bytes;
        res->fc_budget_int8 = c->fc_budget8;
        res->n_layers = (uint32_t)c->m->n_ops;
        res->band_rows = c->plan->n_chains > 0 ? c->plan->chains[0].rows : 0;
        memcpy(res->sha256, hex, 65);
        res->plan_strategy = c->plan->strategy;
    }
    return NEURIO_OK;
}

int neurio_codegen(const neurio_model *m, const char *out_dir,
                   const neurio_codegen_options *opts,
                   neurio_codegen_result *res, neurio_errbuf *err)
{
    static const neurio_codegen_options defaults = {0};
    char name[128], hex[65];
    char *decl_buf = NULL, *body_buf = NULL, *src_buf = NULL, *hdr_buf = NULL;
    size_t decl_len = 0, body_len = 0, src_len = 0, hdr_len = 0;
    neurio_plan *plan = NULL;
    cg_ctx c = {.m = m, .err = err};
    int rc;
    if (!m || !out_dir)
        return neurio_fail(err, NEURIO_ERR_INVALID, "codegen: NULL model or directory");
    if (!opts)
        opts = &defaults;
    if (opts->fc_weights < NEURIO_FC_WEIGHTS_AUTO || opts->fc_weights > NEURIO_FC_WEIGHTS_INT16)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "codegen: options.fc_weights is %d, not auto (0), int8 (1) or int16 (2)",
                           opts->fc_weights);
    if (opts->weights != NEURIO_WEIGHTS_FAST && opts->weights != NEURIO_WEIGHTS_COMPACT)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "codegen: options.weights is %d, not fast (0) or compact (1)",
                           opts->weights);
    if ((rc = cg_check_io(m, err)))
        return rc;
    neurio_c_identifier(opts->name ? opts->name : m->name, name, sizeof name);
    if (opts->model_sha256 && strlen(opts->model_sha256) == 64)
        memcpy(hex, opts->model_sha256, sizeof hex); /* handed on: not hashed again */
    else if (opts->model_sha256)
        return neurio_fail(err, NEURIO_ERR_INVALID,
                           "codegen: options.model_sha256 is \"%.80s\", not 64 hex digits",
                           opts->model_sha256);
    else if (neurio_model_sha256_hex(m, hex) != NEURIO_OK)
        return neurio_fail(err, NEURIO_ERR_INTERNAL, "codegen: cannot hash model '%s'",
                           m->name);

    size_t *scratch = calloc((size_t)(m->n_ops > 0 ? m->n_ops : 1), sizeof *scratch);
    if (!scratch)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "codegen: out of memory");
    for (int32_t i = 0; i < m->n_ops; i++)
        if (nlw_is_state_op(m->ops[i].kind))
            scratch[i] = nlw_state_scratch(m, i);
    uint8_t *rows_1x1 = calloc((size_t)(m->n_ops > 0 ? m->n_ops : 1), 1);
    /* compact: no 1x1 layer runs the row-pair kernel (int16 weights), so
     * none may overlap its input (sdk/src/plan/plan_overlap.c) */
    if (!rows_1x1 ||
        (opts->weights != NEURIO_WEIGHTS_COMPACT && cg_pw_rows_mask(m, rows_1x1) != NEURIO_OK)) {
        free(scratch);
        free(rows_1x1);
        return neurio_fail(err, NEURIO_ERR_NOMEM, "codegen: out of memory");
    }
    neurio_plan_options po = {.alignment = opts->alignment ? opts->alignment : 16,
                              .no_alias = opts->no_alias,
                              .no_inplace = opts->no_inplace,
                              .no_overlap = opts->no_inplace,
                              .op_scratch = scratch,
                              .band_rows = opts->band_rows,
                              .op_rows_1x1 = rows_1x1};
    rc = cg_plan(m, &po, opts->arena_budget, &plan, err); /* band rows: codegen_band.c */
    free(scratch);
    if (rc) {
        free(rows_1x1);
        return rc;
    }
    c.pw_rows = rows_1x1;
    if ((rc = neurio_plan_check(m, plan, err)))
        goto fail;

    rc = NEURIO_ERR_NOMEM;
    c.plan = plan;
    c.stateful = opts->stateful;
    c.compact = opts->weights == NEURIO_WEIGHTS_COMPACT;
    c.fc_weights = c.compact && opts->fc_weights == NEURIO_FC_WEIGHTS_AUTO
                       ? NEURIO_FC_WEIGHTS_INT8 : opts->fc_weights;
    c.flash_budget = opts->flash_budget;
    c.layers = opts->layers;
    if (c.layers)
        memset(c.layers, 0, (size_t)m->n_ops * sizeof *c.layers);
    for (int32_t t = 0; t < m->n_tensors; t++)
        if (m->tensors[t].data)
            c.const_bytes += m->tensors[t].data_bytes;
    c.name = name;
    c.const_done = calloc((size_t)(m->n_tensors > 0 ? m->n_tensors : 1), 1);
    c.decl = open_memstream(&decl_buf, &decl_len);
    c.body = open_memstream(&body_buf, &body_len);
    if (!c.const_done || !c.decl || !c.body)
        goto fail;
    if ((rc = cg_emit_body(&c)))
        goto fail;
    rc = NEURIO_ERR_NOMEM;
    if (fclose(c.decl) | fclose(c.body)) {
        c.decl = c.body = NULL;
        goto fail;
    }
    c.decl = c.body = NULL;
    if ((rc = cg_source_text(&c, hex, decl_buf, decl_len, body_buf, body_len,
                             !opts->no_default_model, &src_buf, &src_len)) ||
        (rc = cg_header_text(&c, hex, &hdr_buf, &hdr_len)))
        goto fail;
    rc = cg_write_files(&c, out_dir, hex, src_buf, src_len, hdr_buf, hdr_len, res);
fail:
    if (rc == NEURIO_ERR_NOMEM)
        neurio_fail(err, rc, "codegen: out of memory generating '%s'", name);
    if (c.decl)
        fclose(c.decl);
    if (c.body)
        fclose(c.body);
    free(decl_buf);
    free(body_buf);
    free(src_buf);
    free(hdr_buf);
    free(c.const_done);
    free(c.pw_rows);
    neurio_plan_free(plan);
    return rc;
}
