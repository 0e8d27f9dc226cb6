/* sdk/src/codegen/codegen_state.c — SVDF, UNIDIRECTIONAL_SEQUENCE_LSTM and
 * the Signal ops: parameters from lower/lower_state.c (the ones the
 * interpreter uses), emitted as static const structs and tables, and the
 * kernel calls.  State tensors are ordinary arena pointers (the planner's
 * state prefix); op scratch comes from the planner's per-op scratch. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "codegen_internal.h"
#include "lower/lower_state.h"

#define CS_PTR 160

/* "codegen: op I (KIND) 'name': msg". */
static int cg_fail(cg_ctx *c, int32_t oi, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int cg_fail(cg_ctx *c, int32_t oi, int status, const char *fmt, ...)
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

/* The call line, returning NEURIO_RUN_ERR_LAYER + oi on failure. */
static void cg_call(cg_ctx *c, int32_t oi, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cg_call(cg_ctx *c, int32_t oi, const char *fmt, ...)
{
    va_list ap;
    fputs("    if (", c->body);
    va_start(ap, fmt);
    vfprintf(c->body, fmt, ap);
    va_end(ap);
    fprintf(c->body, " != NK_OK) return NEURIO_RUN_ERR_LAYER + %d;\n", oi);
}

static int cs_ptr(cg_ctx *c, const neurio_op *op, int k, char *buf)
{
    if (k >= op->n_inputs || op->inputs[k] < 0) {
        snprintf(buf, CS_PTR, "NULL");
        return NEURIO_OK;
    }
    return cg_ptr(c, op->inputs[k], buf, CS_PTR);
}

static void cs_scratch(cg_ctx *c, int32_t oi, const char *type, char *buf)
{
    snprintf(buf, CS_PTR, "((%s *)(void *)(ng_arena.b + %zu))", type,
             c->plan->scratch_offset[oi]);
}

static void cs_i16_array(cg_ctx *c, const char *name, const int16_t *v, int32_t n)
{
    fprintf(c->decl, "static const int16_t %s[%d] = {", name, n);
    for (int32_t i = 0; i < n; i++)
        fprintf(c->decl, "%s%d", !i ? "\n    " : i % 16 ? ", " : ",\n    ", v[i]);
    fputs("\n};\n", c->decl);
    c->weights_bytes += (uint64_t)n * 2u;
}

static int cs_svdf(cg_ctx *c, int32_t oi, const neurio_op *op)
{
    nk_svdf_params p;
    neurio_errbuf e = {{0}};
    char x[CS_PTR], wf[CS_PTR], wt[CS_PTR], b[CS_PTR], st[CS_PTR], y[CS_PTR];
    int rc = nlw_svdf(c->m, oi, &p, &e);
    if (rc)
        return cg_fail(c, oi, rc, "%s", e.msg);
    if ((rc = cs_ptr(c, op, 0, x)) || (rc = cs_ptr(c, op, 1, wf)) || (rc = cs_ptr(c, op, 2, wt)) ||
        (rc = cs_ptr(c, op, 3, b)) || (rc = cs_ptr(c, op, 4, st)) ||
        (rc = cg_ptr(c, op->outputs[0], y, sizeof y)))
        return rc;
    fprintf(c->decl, "static const nk_svdf_params ng_p%d = {\n", oi);
    cg_i(c, "batches", p.batches);
    cg_i(c, "input_size", p.input_size);
    cg_i(c, "num_filters", p.num_filters);
    cg_i(c, "memory_size", p.memory_size);
    cg_i(c, "rank", p.rank);
    cg_i(c, "state_bits", p.state_bits);
    cg_i(c, "in_zp", p.in_zp);
    cg_i(c, "state_zp", p.state_zp);
    cg_i(c, "out_zp", p.out_zp);
    cg_i(c, "mult1", p.mult1);
    cg_i(c, "shift1", p.shift1);
    cg_i(c, "mult2", p.mult2);
    cg_i(c, "shift2", p.shift2);
    cg_f(c, "act_min_f", p.act_min_f);
    cg_f(c, "act_max_f", p.act_max_f);
    fputs("};\n", c->decl);
    if (c->m->tensors[op->inputs[0]].dtype == NEURIO_DT_FLOAT32)
        cg_call(c, oi, "nk_svdf_f32(&ng_p%d, %s, %s, %s, %s, %s, %s)", oi, x, wf, wt, b, st, y);
    else
        cg_call(c, oi, "nk_svdf_s8(&ng_p%d, %s, %s, %s, %s, %s, %s)", oi, x, wf, wt, b, st, y);
    return NEURIO_OK;
}

static int cs_lstm(cg_ctx *c, int32_t oi, const neurio_op *op)
{
    nk_lstm_params p;
    int32_t wi[4], wr[4], bi[4];
    neurio_errbuf e = {{0}};
    char x[CS_PTR], h[CS_PTR], cell[CS_PTR], y[CS_PTR], s[CS_PTR], t[CS_PTR];
    int rc = nlw_lstm(c->m, oi, &p, wi, wr, bi, &e);
    if (rc)
        return cg_fail(c, oi, rc, "%s", e.msg);
    if ((rc = cs_ptr(c, op, 0, x)) || (rc = cs_ptr(c, op, 18, h)) ||
        (rc = cs_ptr(c, op, 19, cell)) || (rc = cg_ptr(c, op->outputs[0], y, sizeof y)))
        return rc;
    const char *names[3] = {"wi", "wr", "b"};
    const int32_t *idx[3] = {wi, wr, bi};
    for (int a = 0; a < 3; a++) {
        char ptrs[4][CS_PTR];
        for (int g = 0; g < 4; g++) {
            if (idx[a][g] < 0)
                snprintf(ptrs[g], CS_PTR, "NULL");
            else if ((rc = cg_ptr(c, idx[a][g], ptrs[g], CS_PTR)))
                return rc;
        }
        fprintf(c->decl, "static const float *const ng_%s%d[4] = {%s, %s, %s, %s};\n", names[a],
                oi, ptrs[0], ptrs[1], ptrs[2], ptrs[3]);
    }
    fprintf(c->decl, "static const nk_lstm_params ng_p%d = {\n", oi);
    cg_i(c, "time_steps", p.time_steps);
    cg_i(c, "batches", p.batches);
    cg_i(c, "input_size", p.input_size);
    cg_i(c, "units", p.units);
    cg_i(c, "time_major", p.time_major);
    cg_f(c, "cell_clip", p.cell_clip);
    fputs("};\n", c->decl);
    cs_scratch(c, oi, "float", s);
    (void)t;
    cg_call(c, oi, "nk_lstm_f32(&ng_p%d, %s, ng_wi%d, ng_wr%d, ng_b%d, %s, %s, %s, %s)", oi, x,
            oi, oi, oi, h, cell, s, y);
    return NEURIO_OK;
}

static int cs_rfft(cg_ctx *c, int32_t oi, const neurio_op *op, const char *x, const char *y)
{
    nlw_rfft r;
    neurio_errbuf e = {{0}};
    char nm[32], s[CS_PTR];
    int rc = nlw_signal_rfft(c->m, oi, &r, &e);
    if (rc)
        return cg_fail(c, oi, rc, "%s", e.msg);
    (void)op;
    snprintf(nm, sizeof nm, "ng_f%d", oi);
    cg_emit_i32_array(c, nm, r.factors, 2 * r.p.n_factors);
    snprintf(nm, sizeof nm, "ng_tw%d", oi);
    cs_i16_array(c, nm, r.twiddles, r.p.fft_length);
    snprintf(nm, sizeof nm, "ng_stw%d", oi);
    cs_i16_array(c, nm, r.super_twiddles, r.p.fft_length / 2);
    fprintf(c->decl, "static const nk_rfft_params ng_p%d = {\n", oi);
    cg_i(c, "rows", r.p.rows);
    cg_i(c, "input_length", r.p.input_length);
    cg_i(c, "fft_length", r.p.fft_length);
    cg_i(c, "output_length", r.p.output_length);
    cg_i(c, "n_factors", r.p.n_factors);
    fprintf(c->decl, "    .factors = ng_f%d,\n    .twiddles = ng_tw%d,\n"
                     "    .super_twiddles = ng_stw%d,\n};\n", oi, oi, oi);
    nlw_rfft_free(&r);
    cs_scratch(c, oi, "int16_t", s);
    cg_call(c, oi, "nk_signal_rfft_s16(&ng_p%d, %s, %s, %s)", oi, x, s, y);
    return NEURIO_OK;
}

static int cs_signal(cg_ctx *c, int32_t oi, const neurio_op *op)
{
    const neurio_model *m = c->m;
    char x[CS_PTR], a1[CS_PTR], a2[CS_PTR], y[CS_PTR], y1[CS_PTR], s[CS_PTR];
    neurio_errbuf e = {{0}};
    int rc;
    const long n = (long)neurio_tensor_elements(&m->tensors[op->inputs[0]]);
    if ((rc = cs_ptr(c, op, 0, x)) || (rc = cs_ptr(c, op, 1, a1)) || (rc = cs_ptr(c, op, 2, a2)) ||
        (rc = cg_ptr(c, op->outputs[0], y, sizeof y)))
        return rc;
    snprintf(y1, sizeof y1, "NULL");
    if (op->n_outputs > 1 && (rc = cg_ptr(c, op->outputs[1], y1, sizeof y1)))
        return rc;
    const __typeof__(op->attr.signal) *a = &op->attr.signal;
    switch (op->kind) {
    case NEURIO_OP_SIGNAL_WINDOW:
        cg_call(c, oi, "nk_signal_window_s16(%ld, %ld, %d, %s, %s, %s)", n,
                (long)neurio_tensor_elements(&m->tensors[op->inputs[1]]), a->shift, x, a1, y);
        return NEURIO_OK;
    case NEURIO_OP_SIGNAL_RFFT: return cs_rfft(c, oi, op, x, y);
    case NEURIO_OP_SIGNAL_FFT_AUTO_SCALE:
        cg_call(c, oi, "nk_signal_fft_auto_scale_s16(%ld, %s, %s, %s)", n, x, y, y1);
        return NEURIO_OK;
    case NEURIO_OP_SIGNAL_ENERGY:
        cg_call(c, oi, "nk_signal_energy(%ld, %d, %d, %s, %s)", n / 2, a->start_index,
                a->end_index, x, y);
        return NEURIO_OK;
    case NEURIO_OP_SIGNAL_FILTER_BANK: {
        nk_filter_bank_params p;
        char t[5][CS_PTR];
        if ((rc = nlw_signal_filter_bank(m, oi, &p, &e)))
            return cg_fail(c, oi, rc, "%s", e.msg);
        for (int k = 1; k <= 5; k++)
            if ((rc = cs_ptr(c, op, k, t[k - 1])))
                return rc;
        fprintf(c->decl, "static const nk_filter_bank_params ng_p%d = {\n", oi);
        cg_i(c, "num_channels", p.num_channels);
        cg_i(c, "input_size", p.input_size);
        cg_i(c, "n_weights", p.n_weights);
        fprintf(c->decl, "    .weights = %s,\n    .unweights = %s,\n    .freq_starts = %s,\n"
                         "    .weight_starts = %s,\n    .widths = %s,\n};\n",
                t[0], t[1], t[2], t[3], t[4]);
        cs_scratch(c, oi, "uint64_t", s);
        cg_call(c, oi, "nk_signal_filter_bank(&ng_p%d, %s, %s, %s)", oi, x, s, y);
        return NEURIO_OK;
    }
    case NEURIO_OP_SIGNAL_FILTER_BANK_SQRT:
        cg_call(c, oi, "nk_signal_filter_bank_sqrt(%ld, %s, %s, %s)", n, x, a1, y);
        return NEURIO_OK;
    case NEURIO_OP_SIGNAL_SPECTRAL_SUBTRACTION: {
        nk_spectral_sub_params p;
        if ((rc = nlw_signal_spectral_sub(m, oi, &p, &e)))
            return cg_fail(c, oi, rc, "%s", e.msg);
        fprintf(c->decl, "static const nk_spectral_sub_params ng_p%d = {\n", oi);
        cg_i(c, "num_channels", p.num_channels);
        fprintf(c->decl, "    .smoothing = %luu,\n    .one_minus_smoothing = %luu,\n"
                         "    .alternate_smoothing = %luu,\n"
                         "    .alternate_one_minus_smoothing = %luu,\n"
                         "    .min_signal_remaining = %luu,\n    .smoothing_bits = %luu,\n"
                         "    .spectral_subtraction_bits = %luu,\n",
                (unsigned long)p.smoothing, (unsigned long)p.one_minus_smoothing,
                (unsigned long)p.alternate_smoothing,
                (unsigned long)p.alternate_one_minus_smoothing,
                (unsigned long)p.min_signal_remaining, (unsigned long)p.smoothing_bits,
                (unsigned long)p.spectral_subtraction_bits);
        cg_i(c, "clamping", p.clamping);
        fputs("};\n", c->decl);
        cg_call(c, oi, "nk_signal_spectral_subtraction(&ng_p%d, %s, %s, %s, %s)", oi, x, a1, y,
                y1);
        return NEURIO_OK;
    }
    case NEURIO_OP_SIGNAL_FILTER_BANK_LOG:
        cg_call(c, oi, "nk_signal_filter_bank_log(%ld, %d, %d, %s, %s)", n, a->output_scale,
                a->input_correction_bits, x, y);
        return NEURIO_OK;
    case NEURIO_OP_SIGNAL_PCAN:
        cg_call(c, oi, "nk_signal_pcan(%ld, %d, %s, %s, %s, %ld, %s)", n, a->snr_shift, x, a1,
                a2, (long)neurio_tensor_elements(&m->tensors[op->inputs[2]]), y);
        return NEURIO_OK;
    default:
        return cg_fail(c, oi, NEURIO_ERR_INTERNAL, "not a Signal op");
    }
}

int cg_state_op(cg_ctx *c, int32_t oi, const neurio_op *op)
{
    if (op->kind == NEURIO_OP_SVDF)
        return cs_svdf(c, oi, op);
    if (op->kind == NEURIO_OP_LSTM)
        return cs_lstm(c, oi, op);
    return cs_signal(c, oi, op);
}

void cg_state_reset_fn(const cg_ctx *c, FILE *f)
{
    fprintf(f, "/* The model's state (variable tensors) in the arena's first %zu bytes:\n"
               " * reset before every inference unless the model was generated\n"
               " * stateful. */\nvoid %s_reset_state(void)\n{\n",
            c->plan->state_bytes, c->name);
    for (int32_t t = 0; t < c->m->n_tensors; t++) {
        const neurio_tensor *tt = &c->m->tensors[t];
        const neurio_tensor_place *pl = &c->plan->tensors[t];
        if (!tt->is_variable || pl->kind != NEURIO_MEM_ARENA)
            continue;
        fprintf(f, "    for (uint32_t i = 0; i < %zuu; i++) /* '", neurio_tensor_bytes(tt));
        cg_comment(f, tt->name);
        fprintf(f, "' */\n        ng_arena.b[%zuu + i] = %du;\n", pl->offset,
                nlw_state_reset_byte(tt));
    }
    fputs("}\n\n", f);
}
