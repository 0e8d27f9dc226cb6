/* plugins/cortex-m/src/cm_layout.c — see cm_layout.h. */
#include "cm_layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_elf.h"
#include "cm_proc.h"

int cm_layout_generate(cm_layout *L, const neurio_model *m, const char *out_dir,
                       neurio_codegen_options *opts, neurio_errbuf *err)
{
    uint32_t n = m->n_ops > 0 ? (uint32_t)m->n_ops : 0;
    if (n != L->n || !L->cg) {
        free(L->cg);
        free(L->out);
        L->cg = calloc(n ? n : 1, sizeof *L->cg);
        L->out = calloc(n ? n : 1, sizeof *L->out);
        L->n = n;
        if (!L->cg || !L->out)
            return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    }
    L->opts = *opts;
    L->opts.layers = L->cg;
    L->budget = opts->flash_budget;
    return neurio_codegen(m, out_dir, &L->opts, &L->res, err);
}

/* "12 345 678": bytes for a sentence. */
static const char *grp(char *buf, size_t cap, uint64_t v)
{
    char d[32];
    int n = snprintf(d, sizeof d, "%llu", (unsigned long long)v), j = 0;
    for (int i = 0; i < n && (size_t)j + 2 < cap; i++) {
        if (i && (n - i) % 3 == 0)
            buf[j++] = ',';
        buf[j++] = d[i];
    }
    buf[j] = '\0';
    return buf;
}

/* The one-line decision of the report. */
static void decide_text(cm_layout *L, const cm_profile *p, int packed)
{
    const neurio_codegen_result *r = &L->res;
    char a[32], b[32], c[32];
    uint32_t total = r->fc_int8_layers + r->fc_int16_layers;
    if (!packed) {
        cm_fmt(L->decision, sizeof L->decision,
               "device.fc_weights = %s: no packed layout on %s (no DSP extension, or Helium "
               "kernels): every FULLY_CONNECTED layer runs on the model's plain arrays",
               L->setting_name, p->cpu);
    } else if (!total) {
        cm_fmt(L->decision, sizeof L->decision,
               "device.fc_weights = %s: no FULLY_CONNECTED layer is packed (none, too small, "
               "or straight-line code)", L->setting_name);
    } else if (L->setting != NEURIO_FC_WEIGHTS_AUTO) {
        cm_fmt(L->decision, sizeof L->decision,
               "device.fc_weights = %s: %u packed layer(s) int8, %u int16 (+%s bytes), %s",
               L->setting_name, r->fc_int8_layers, r->fc_int16_layers,
               grp(a, sizeof a, r->fc_int16_bytes),
               L->compact && !strcmp(L->setting_name, "auto")
                   ? "int8 as device.weights = compact makes auto" : "as set");
    } else if (!r->fc_budget_int8) {
        cm_fmt(L->decision, sizeof L->decision,
               "auto: int16 for all %u packed layer(s): the model's constants as int8 (%s "
               "bytes) plus the %s bytes int16 adds fit the budget of %s bytes",
               total, grp(b, sizeof b, r->const_bytes), grp(a, sizeof a, r->fc_int16_bytes),
               grp(c, sizeof c, L->budget));
    } else {
        cm_fmt(L->decision, sizeof L->decision,
               "auto: int16 for %u packed layer(s) (+%s bytes), int8 for %u: int16 there "
               "would take the model's constants (%s bytes as int8, plus the int16 layouts) "
               "past the budget of %s bytes",
               r->fc_int16_layers, grp(a, sizeof a, r->fc_int16_bytes), r->fc_budget_int8,
               grp(b, sizeof b, r->const_bytes), grp(c, sizeof c, L->budget));
    }
}

int cm_layout_measure(cm_layout *L, const cm_profile *p, const cm_fw_args *fa, const char *elf,
                      const cm_fw_sizes *sz, neurio_errbuf *err)
{
    int packed = 0, conv = 0, rows = 0;
    int rc = cm_fw_packed(fa, &packed, &conv, &rows, err);
    L->packed = packed;
    if (!rc)
        rc = cm_elf_objects_bytes(elf, "ng_", &L->const_image, err);
    if (rc)
        return rc;
    /* sz->flash counts the bulk memory's constants too (as rodata) */
    L->code_bytes = sz->flash > L->const_image ? sz->flash - L->const_image : 0;
    char a[32], b[32];
    if (p->board->bulk_name)
        cm_fmt(L->code_source, sizeof L->code_source,
               "the budget is %s's %s (%s bytes), which takes the model's constants when code "
               "and constants overflow the code memory; code measured: this image less the "
               "model's constants (ng_* objects)", p->board->name, p->board->bulk_name,
               grp(a, sizeof a, p->board->bulk_bytes));
    else if (L->budget_measured)
        cm_fmt(L->code_source, sizeof L->code_source,
               "measured: this image less the model's constants (ng_* objects); the budget is "
               "the flash less the code of a first build with the %s-byte reserve estimate "
               "and %u bytes for the int16 kernel", grp(a, sizeof a, CM_CODE_RESERVE),
               CM_FC16_CODE_SLACK);
    else if (L->fell_back)
        cm_fmt(L->code_source, sizeof L->code_source,
               "measured: this image less the model's constants (ng_* objects); the budget "
               "from a first build's measured code gave an image that did not fit, so the "
               "flash less a %s-byte code reserve (CM_CODE_RESERVE) stands",
               grp(a, sizeof a, CM_CODE_RESERVE));
    else
        cm_fmt(L->code_source, sizeof L->code_source,
               "measured: this image less the model's constants (ng_* objects); the budget "
               "was the flash less a %s-byte code reserve (CM_CODE_RESERVE), not this "
               "measure (%s bytes)", grp(a, sizeof a, CM_CODE_RESERVE),
               grp(b, sizeof b, L->code_bytes));
    for (uint32_t i = 0; i < L->n; i++) {
        const neurio_codegen_layer *g = &L->cg[i];
        int layout = g->layout;
        if (layout == NEURIO_LAYOUT_CONV_INT16  ? !conv
            : layout == NEURIO_LAYOUT_PW_INT16 ? !rows
                                               : (!packed && layout > NEURIO_LAYOUT_PLAIN))
            layout = NEURIO_LAYOUT_PLAIN; /* the #else branch of NK_*_PACKED */
        L->out[i] = (neurio_layer_layout){
            .layout = neurio_codegen_layout_name(layout),
            .bytes = layout == g->layout ? g->bytes : 0,
            .added_bytes = layout == g->layout ? g->added_bytes : 0};
    }
    decide_text(L, p, packed);
    L->choice = (neurio_weights_choice){
        .setting = L->setting_name,
        .decision = L->decision,
        .flash_bytes = p->flash_bytes,
        .code_bytes = L->code_bytes,
        .code_source = L->code_source,
        .budget_bytes = L->budget,
        .const_bytes = L->const_image,
        .int8_layers = packed ? L->res.fc_int8_layers : 0,
        .int16_layers = packed ? L->res.fc_int16_layers : 0,
        .added_bytes = packed ? L->res.fc_int16_bytes : 0,
        .builds = L->builds,
    };
    return NEURIO_OK;
}

int cm_layout_rebuild(cm_layout *L, const cm_profile *p, const neurio_model *m,
                      const char *gen_dir, const cm_fw_args *fa,
                      cm_fw_sizes *sz, char *elf, size_t cap, int *rebuilt, neurio_errbuf *err)
{
    *rebuilt = 0;
    const uint64_t need = L->code_bytes + CM_FC16_CODE_SLACK;
    if (L->setting != NEURIO_FC_WEIGHTS_AUTO || !L->packed || p->board->bulk_name ||
        !L->res.fc_budget_int8 || L->budget_measured || p->flash_bytes <= need ||
        p->flash_bytes - need <= L->budget)
        return NEURIO_OK;
    const uint64_t estimate = L->budget;
    const size_t n = (size_t)L->n * sizeof *L->cg;
    neurio_codegen_layer *before = malloc(n ? n : 1);
    if (!before)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "out of memory");
    memcpy(before, L->cg, n);
    neurio_codegen_options o = L->opts;
    o.flash_budget = p->flash_bytes - need;
    int rc = cm_layout_generate(L, m, gen_dir, &o, err);
    int same = !rc && n == (size_t)L->n * sizeof *L->cg && memcmp(before, L->cg, n) == 0;
    free(before);
    if (rc)
        return rc;
    L->budget_measured = 1;
    if (same) /* the same layouts, the same code: the image stands */
        return cm_layout_measure(L, p, fa, elf, sz, err);
    rc = cm_fw_build(fa, sz, elf, cap, err);
    L->builds++;
    (*rebuilt)++;
    if (rc) { /* slack too small after all: the first choice again */
        err->msg[0] = '\0';
        o.flash_budget = estimate;
        L->budget_measured = 0;
        L->fell_back = 1;
        if ((rc = cm_layout_generate(L, m, gen_dir, &o, err)))
            return rc;
        rc = cm_fw_build(fa, sz, elf, cap, err);
        L->builds++;
        (*rebuilt)++;
    }
    return rc ? rc : cm_layout_measure(L, p, fa, elf, sz, err);
}

void cm_layout_info(const cm_layout *L, neurio_device_info *info)
{
    if (info->size < offsetof(neurio_device_info, weights_choice) + sizeof info->weights_choice)
        return;
    info->layouts = L->out;
    info->n_layouts = L->out ? L->n : 0;
    info->weights_choice = L->choice.decision ? &L->choice : NULL;
}

void cm_layout_free(cm_layout *L)
{
    free(L->cg);
    free(L->out);
    L->cg = NULL;
    L->out = NULL;
    L->n = 0;
}
