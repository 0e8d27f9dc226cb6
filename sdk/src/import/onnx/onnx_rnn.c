/* sdk/src/import/onnx/onnx_rnn.c — ONNX LSTM, GRU and RNN unrolled over
 * their (fixed) sequence length into existing IR ops: per step the input
 * row X[t] (SLICE + RESHAPE), one FULLY_CONNECTED per gate on it (weights
 * W_g, bias Wb_g + Rb_g) and one on the previous hidden state (R_g, no
 * bias), ADD, the gate activations (LOGISTIC, TANH or RELU) and the state
 * updates with MUL/ADD/SUB, exactly ONNX's equations; Y, Y_h and Y_c are
 * CONCATENATIONs of the per-step hidden states.  Forward, reverse and
 * bidirectional, layout 0 and 1, optional bias, initial states and LSTM
 * peepholes.  A zero state (no initial_h / initial_c) drops the terms it
 * would multiply.  clip bounds every activation's input to [-clip, clip]
 * (CLIP; the LSTM cell state itself stays unclipped, as onnxruntime);
 * input_forget makes the LSTM forget gate 1 - i (its peephole unused);
 * the optional activations Affine, LeakyRelu, ThresholdedRelu,
 * ScaledTanh, HardSigmoid, Elu, Softsign and Softplus are built from
 * MUL/ADD/CLIP/LEAKY_RELU/GREATER+SELECT/TANH/EXP/LOG/ABS/DIV with
 * activation_alpha/activation_beta consumed in order by the activations
 * that take them (the ONNX operators' defaults for the rest); a constant
 * sequence_lens shorter than the sequence masks each batch entry per step
 * (state kept, Y zero past its length; reverse runs from its last valid
 * step).  Not taken (refused with a message): non-constant or zero
 * sequence_lens, non-constant weights, non-float data.  Every op of the
 * default decomposition has float and int8 kernels, so the quantizer takes
 * the unrolled graph like any other. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "onnx_internal.h"

enum { RB_RNN, RB_GRU, RB_LSTM };
#define RB_ZERO (-2)     /* a state that is all zeros (no tensor)        */
#define RB_MAX_STEPS 256 /* unrolled steps per direction                 */

/* An activation function of the node: its kind and alpha/beta. */
enum { RF_SIGMOID, RF_TANH, RF_RELU, RF_AFFINE, RF_LEAKY, RF_THRESH, RF_STANH, RF_HSIG, RF_ELU,
       RF_SOFTSIGN, RF_SOFTPLUS };
typedef struct rb_fn {
    int kind;
    float alpha, beta;
} rb_fn;

typedef struct rnn_b {
    ox_ctx *c;
    int kind, ng, nd, layout, lbr, input_forget;
    int32_t S, B, I, H;
    const float *W, *R, *Bs, *P; /* ONNX constants (Bs, P may be NULL) */
    rb_fn act[2][3];             /* per direction: f, g, h           */
    float clip;                  /* > 0: activation inputs clipped   */
    int32_t lens[64];            /* sequence_lens when n_lens > 0    */
    int32_t n_lens;
    int serial;                  /* names of the helper tensors      */
} rnn_b;

static int32_t rb_tensor(rnn_b *b, neurio_dtype dt, int32_t rank, const int32_t *dims,
                         const void *data)
{
    char tag[32], name[600];
    snprintf(tag, sizeof tag, "rnn%d_", b->serial++);
    ox_tmp_name(b->c, tag, name, sizeof name);
    if (data)
        return ox_new_const(b->c, name, dt, rank, dims, data);
    int32_t t = neurio_model_add_tensor(b->c->m, name, dt, rank, dims);
    if (t < 0)
        ox_fail(b->c, NEURIO_ERR_NOMEM, "cannot add tensor '%s'", name);
    return t;
}

/* Op k on in[0..n) with a new output of dtype dt and dims; the output or
 * -1. */
static int32_t rb_op_dt(rnn_b *b, neurio_op_kind k, int32_t n, const int32_t *in,
                        neurio_dtype dt, int32_t rank, const int32_t *dims)
{
    for (int32_t i = 0; i < n; i++)
        if (in[i] < 0)
            return -1;
    int32_t y = rb_tensor(b, dt, rank, dims, NULL);
    if (y < 0 || ox_add_op(b->c, k, n, in, 1, &y) < 0)
        return -1;
    return y;
}

static int32_t rb_op(rnn_b *b, neurio_op_kind k, int32_t n, const int32_t *in, int32_t rank,
                     const int32_t *dims)
{
    return rb_op_dt(b, k, n, in, NEURIO_DT_FLOAT32, rank, dims);
}

static int32_t rb_bin(rnn_b *b, neurio_op_kind k, int32_t x, int32_t y)
{
    int32_t d[2] = { b->B, b->H }, in[2] = { x, y };
    return rb_op(b, k, 2, in, 2, d);
}

static int32_t rb_un(rnn_b *b, neurio_op_kind k, int32_t x)
{
    int32_t d[2] = { b->B, b->H };
    return rb_op(b, k, 1, &x, 2, d);
}

/* A float constant [1] holding v. */
static int32_t rb_k(rnn_b *b, float v)
{
    int32_t one = 1;
    return rb_tensor(b, NEURIO_DT_FLOAT32, 1, &one, &v);
}

/* A float constant [B, H]: entry (r, k) = row[r] (a per-batch-entry mask),
 * zeros when row is NULL. */
static int32_t rb_rows(rnn_b *b, const float *row)
{
    size_t n = (size_t)b->B * (size_t)b->H;
    float *v = calloc(n, sizeof *v);
    if (!v) {
        ox_fail(b->c, NEURIO_ERR_NOMEM, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n && row; i++)
        v[i] = row[i / (size_t)b->H];
    int32_t d[2] = { b->B, b->H }, t = rb_tensor(b, NEURIO_DT_FLOAT32, 2, d, v);
    free(v);
    return t;
}

/* x [B, H] clipped to [lo, hi] (one CLIP op). */
static int32_t rb_clip(rnn_b *b, int32_t x, float lo, float hi)
{
    int32_t y = rb_un(b, NEURIO_OP_CLIP, x);
    if (y >= 0) {
        b->c->m->ops[b->c->m->n_ops - 1].attr.clip.min = lo;
        b->c->m->ops[b->c->m->n_ops - 1].attr.clip.max = hi;
    }
    return y;
}

/* Activation f of x [B, H] (after the clip, when the node has one). */
static int32_t rb_fn_apply(rnn_b *b, const rb_fn *f, int32_t x)
{
    if (x >= 0 && b->clip > 0)
        x = rb_clip(b, x, -b->clip, b->clip);
    int32_t y, d[2] = { b->B, b->H };
    switch (f->kind) {
    case RF_SIGMOID: return rb_un(b, NEURIO_OP_LOGISTIC, x);
    case RF_TANH: return rb_un(b, NEURIO_OP_TANH, x);
    case RF_RELU: return rb_un(b, NEURIO_OP_RELU, x);
    case RF_AFFINE: /* alpha x + beta */
        return rb_bin(b, NEURIO_OP_ADD, rb_bin(b, NEURIO_OP_MUL, x, rb_k(b, f->alpha)),
                      rb_k(b, f->beta));
    case RF_LEAKY:
        if ((y = rb_un(b, NEURIO_OP_LEAKY_RELU, x)) >= 0)
            b->c->m->ops[b->c->m->n_ops - 1].attr.leaky_relu.alpha = f->alpha;
        return y;
    case RF_THRESH: { /* x > alpha ? x : 0 */
        int32_t in[3] = { rb_op_dt(b, NEURIO_OP_GREATER, 2, (int32_t[]){ x, rb_k(b, f->alpha) },
                                   NEURIO_DT_BOOL, 2, d),
                          x, rb_rows(b, NULL) };
        return rb_op(b, NEURIO_OP_SELECT, 3, in, 2, d);
    }
    case RF_STANH: /* alpha tanh(beta x) */
        return rb_bin(b, NEURIO_OP_MUL,
                      rb_un(b, NEURIO_OP_TANH, rb_bin(b, NEURIO_OP_MUL, x, rb_k(b, f->beta))),
                      rb_k(b, f->alpha));
    case RF_HSIG: /* min(max(alpha x + beta, 0), 1) */
        return rb_clip(b, rb_bin(b, NEURIO_OP_ADD, rb_bin(b, NEURIO_OP_MUL, x, rb_k(b, f->alpha)),
                                 rb_k(b, f->beta)), 0.0f, 1.0f);
    case RF_ELU: /* max(x, 0) + min(alpha (exp(x) - 1), 0) */
        y = rb_bin(b, NEURIO_OP_SUB, rb_un(b, NEURIO_OP_EXP, x), rb_k(b, 1.0f));
        y = rb_bin(b, NEURIO_OP_MINIMUM, rb_bin(b, NEURIO_OP_MUL, y, rb_k(b, f->alpha)),
                   rb_k(b, 0.0f));
        return rb_bin(b, NEURIO_OP_ADD, rb_un(b, NEURIO_OP_RELU, x), y);
    case RF_SOFTSIGN: /* x / (1 + |x|) */
        return rb_bin(b, NEURIO_OP_DIV, x,
                      rb_bin(b, NEURIO_OP_ADD, rb_un(b, NEURIO_OP_ABS, x), rb_k(b, 1.0f)));
    default: /* RF_SOFTPLUS: log(1 + exp(x)) */
        return rb_un(b, NEURIO_OP_LOG,
                     rb_bin(b, NEURIO_OP_ADD, rb_un(b, NEURIO_OP_EXP, x), rb_k(b, 1.0f)));
    }
}

static int32_t rb_reshape(rnn_b *b, int32_t x, int32_t rank, const int32_t *dims)
{
    return rb_op(b, NEURIO_OP_RESHAPE, 1, &x, rank, dims);
}

/* x [B, K] times the H rows of w ([H, K]) plus bias (NULL: none): [B, H]. */
static int32_t rb_fc(rnn_b *b, int32_t x, const float *w, int32_t K, const float *bias)
{
    int32_t wd[2] = { b->H, K };
    int32_t in[3] = { x, rb_tensor(b, NEURIO_DT_FLOAT32, 2, wd, w), 0 };
    if (bias)
        in[2] = rb_tensor(b, NEURIO_DT_FLOAT32, 1, &b->H, bias);
    int32_t d[2] = { b->B, b->H };
    return rb_op(b, NEURIO_OP_FULLY_CONNECTED, bias ? 3 : 2, in, 2, d);
}

/* Entry `at` of axis `axis` of a rank-3 value x, as [rows, last]. */
static int32_t rb_take(rnn_b *b, int32_t x, int axis, int32_t at)
{
    int32_t dims[3], begin[3] = { 0, 0, 0 };
    memcpy(dims, b->c->m->tensors[x].dims, sizeof dims);
    int32_t d2[2] = { dims[axis == 0 ? 1 : 0], dims[2] }; /* axis 0 or 1 */
    if (dims[axis] != 1) {
        int32_t three = 3;
        begin[axis] = at;
        dims[axis] = 1;
        int32_t in[3] = { x, rb_tensor(b, NEURIO_DT_INT32, 1, &three, begin),
                          rb_tensor(b, NEURIO_DT_INT32, 1, &three, dims) };
        x = rb_op(b, NEURIO_OP_SLICE, 3, in, 3, dims);
    }
    return x < 0 ? -1 : rb_reshape(b, x, 2, d2);
}

/* Gate g of direction d before its activation: x W_g + (Wb_g + Rb_g, or
 * Wb_g alone when !with_rb) [+ h R_g]. */
static int32_t rb_pre(rnn_b *b, int d, int g, int32_t xt, int32_t h, int with_rb)
{
    size_t gi = (size_t)d * (size_t)b->ng + (size_t)g, H = (size_t)b->H;
    float *bias = calloc(H, sizeof *bias);
    if (!bias) {
        ox_fail(b->c, NEURIO_ERR_NOMEM, "out of memory");
        return -1;
    }
    if (b->Bs) {
        const float *wb = b->Bs + (size_t)d * 2 * b->ng * H + (size_t)g * H;
        for (size_t k = 0; k < H; k++)
            bias[k] = with_rb ? wb[k] + wb[k + b->ng * H] : wb[k];
    }
    int32_t a = rb_fc(b, xt, b->W + gi * H * (size_t)b->I, b->I, bias);
    free(bias);
    if (h >= 0 && a >= 0)
        a = rb_bin(b, NEURIO_OP_ADD, a, rb_fc(b, h, b->R + gi * H * H, b->H, NULL));
    return h == -1 ? -1 : a;
}

/* acc + P_k * cell (peephole k of direction d), or acc when there is none. */
static int32_t rb_peep(rnn_b *b, int d, int k, int32_t acc, int32_t cell)
{
    if (!b->P || cell == RB_ZERO)
        return acc;
    int32_t p = rb_tensor(b, NEURIO_DT_FLOAT32, 1, &b->H, b->P + ((size_t)d * 3 + k) * b->H);
    return rb_bin(b, NEURIO_OP_ADD, acc, rb_bin(b, NEURIO_OP_MUL, p, cell));
}

/* One LSTM step (gates i, o, f, c; peepholes i, o, f): new h, *cell.
 * input_forget: f = 1 - i. */
static int32_t rb_lstm_step(rnn_b *b, int d, int32_t xt, int32_t h, int32_t *cell)
{
    const rb_fn *a = b->act[d];
    int32_t i = rb_fn_apply(b, &a[0], rb_peep(b, d, 0, rb_pre(b, d, 0, xt, h, 1), *cell));
    int32_t f = b->input_forget
                    ? rb_bin(b, NEURIO_OP_SUB, rb_k(b, 1.0f), i)
                    : rb_fn_apply(b, &a[0], rb_peep(b, d, 2, rb_pre(b, d, 2, xt, h, 1), *cell));
    int32_t g = rb_fn_apply(b, &a[1], rb_pre(b, d, 3, xt, h, 1));
    int32_t cn = rb_bin(b, NEURIO_OP_MUL, i, g);
    if (*cell != RB_ZERO)
        cn = rb_bin(b, NEURIO_OP_ADD, rb_bin(b, NEURIO_OP_MUL, f, *cell), cn);
    int32_t o = rb_fn_apply(b, &a[0], rb_peep(b, d, 1, rb_pre(b, d, 1, xt, h, 1), cn));
    *cell = cn;
    return rb_bin(b, NEURIO_OP_MUL, o, rb_fn_apply(b, &a[2], cn));
}

/* One GRU step (gates z, r, h). */
static int32_t rb_gru_step(rnn_b *b, int d, int32_t xt, int32_t h)
{
    const rb_fn *a = b->act[d];
    int32_t z = rb_fn_apply(b, &a[0], rb_pre(b, d, 0, xt, h, 1));
    int32_t r = rb_fn_apply(b, &a[0], rb_pre(b, d, 1, xt, h, 1));
    size_t gi = (size_t)d * 3 + 2, H = (size_t)b->H;
    int32_t n;
    if (!b->lbr) { /* g(x Wh + (r * h) Rh + Wbh + Rbh) */
        n = rb_pre(b, d, 2, xt, RB_ZERO, 1);
        if (h != RB_ZERO)
            n = rb_bin(b, NEURIO_OP_ADD, n,
                       rb_fc(b, rb_bin(b, NEURIO_OP_MUL, r, h), b->R + gi * H * H, b->H, NULL));
    } else {       /* g(x Wh + r * (h Rh + Rbh) + Wbh) */
        float *rb = calloc(H, sizeof *rb);
        if (!rb) {
            ox_fail(b->c, NEURIO_ERR_NOMEM, "out of memory");
            return -1;
        }
        if (b->Bs)
            memcpy(rb, b->Bs + (size_t)d * 6 * H + 5 * H, H * sizeof *rb);
        int32_t hr = h == RB_ZERO ? rb_tensor(b, NEURIO_DT_FLOAT32, 1, &b->H, rb)
                                  : rb_fc(b, h, b->R + gi * H * H, b->H, rb);
        free(rb);
        n = rb_bin(b, NEURIO_OP_ADD, rb_pre(b, d, 2, xt, RB_ZERO, 0),
                   rb_bin(b, NEURIO_OP_MUL, r, hr));
    }
    n = rb_fn_apply(b, &a[1], n);
    /* (1 - z) * n + z * h */
    float one = 1.0f;
    int32_t k1 = 1, t1 = rb_tensor(b, NEURIO_DT_FLOAT32, 1, &k1, &one);
    int32_t y = rb_bin(b, NEURIO_OP_MUL, rb_bin(b, NEURIO_OP_SUB, t1, z), n);
    if (h != RB_ZERO)
        y = rb_bin(b, NEURIO_OP_ADD, y, rb_bin(b, NEURIO_OP_MUL, z, h));
    return y;
}

/* Output `oi` of the node: the [B, H] pieces stacked on the direction (or
 * step) axis of `rank` dims (layout 0: axis 0 of [n, B, H], layout 1: axis
 * 1 of [B, n, H]), then reshaped to dims. */
static int rb_emit(rnn_b *b, int oi, const int32_t *pieces, int32_t n, int32_t rank,
                   const int32_t *dims)
{
    ox_ctx *c = b->c;
    if ((size_t)oi >= c->node->n_output || !c->node->output[oi] || !*c->node->output[oi])
        return NEURIO_OK;
    int axis = b->layout ? 1 : 0;
    int32_t pd[3] = { 1, b->B, b->H }, cd[3] = { n, b->B, b->H };
    if (b->layout) {
        pd[0] = cd[0] = b->B;
        pd[1] = 1;
        cd[1] = n;
    }
    int32_t *ins = malloc((size_t)n * sizeof *ins), src = -1, ok = 1;
    if (!ins)
        return ox_fail(c, NEURIO_ERR_NOMEM, "out of memory");
    for (int32_t k = 0; k < n && ok; k++)
        ok = (ins[k] = n == 1 ? pieces[k] : rb_reshape(b, pieces[k], 3, pd)) >= 0;
    if (n == 1) {
        src = ins[0];
    } else if (ok && (src = rb_op(b, NEURIO_OP_CONCATENATION, n, ins, 3, cd)) >= 0) {
        c->m->ops[c->m->n_ops - 1].attr.concat.axis = axis;
    }
    free(ins);
    if (src < 0)
        return NEURIO_ERR_NOMEM; /* message set where it failed */
    int32_t y = ox_new_output(c, oi, NEURIO_DT_FLOAT32, rank, dims);
    if (y < 0 || ox_add_op(c, NEURIO_OP_RESHAPE, 1, &src, 1, &y) < 0)
        return NEURIO_ERR_NOMEM;
    return ox_bind(c, c->node->output[oi], y, 0);
}

/* sequence_lens: step t of entries whose length is <= t keeps their old
 * state (ho, co; RB_ZERO = zeros) and gives a zero Y row.  *h, *cell hold
 * the step's new values on entry, the masked ones on return; *y = Y row. */
static int rb_mask(rnn_b *b, int32_t t, int32_t *h, int32_t ho, int32_t *cell, int32_t co,
                   int32_t *y)
{
    int any = 0;
    float row[64], inv[64];
    for (int32_t r = 0; r < b->n_lens; r++) {
        row[r] = t < b->lens[r] ? 1.0f : 0.0f;
        inv[r] = 1.0f - row[r];
        any |= row[r] == 0.0f;
    }
    if (!any)
        return NEURIO_OK;
    int32_t mk = rb_rows(b, row), iv = rb_rows(b, inv);
    *y = rb_bin(b, NEURIO_OP_MUL, mk, *h);
    *h = ho == RB_ZERO ? *y : rb_bin(b, NEURIO_OP_ADD, *y, rb_bin(b, NEURIO_OP_MUL, iv, ho));
    if (b->kind == RB_LSTM) {
        int32_t cn = rb_bin(b, NEURIO_OP_MUL, mk, *cell);
        *cell = co == RB_ZERO ? cn : rb_bin(b, NEURIO_OP_ADD, cn, rb_bin(b, NEURIO_OP_MUL, iv, co));
    }
    return *h < 0 || *cell == -1 || *y < 0 ? NEURIO_ERR_NOMEM : NEURIO_OK;
}

/* Runs every direction and step, then emits Y, Y_h and (LSTM) Y_c. */
static int rb_unroll(rnn_b *b, int32_t x, const int32_t *h0, const int32_t *c0, int reverse_only)
{
    ox_ctx *c = b->c;
    int32_t S = b->S, nd = b->nd;
    int32_t *xt = malloc((size_t)S * sizeof *xt), *ys = malloc((size_t)S * nd * sizeof *ys);
    int32_t hl[2], cl[2];
    int rc = NEURIO_ERR_NOMEM;
    if (!xt || !ys) {
        rc = ox_fail(c, NEURIO_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (int32_t t = 0; t < S; t++)
        if ((xt[t] = rb_take(b, x, b->layout ? 1 : 0, t)) < 0)
            goto fail;
    for (int d = 0; d < nd; d++) {
        int rev = reverse_only || d == 1;
        int32_t h = h0[d], cell = c0[d];
        for (int32_t s = 0; s < S; s++) {
            int32_t t = rev ? S - 1 - s : s, ho = h, co = cell;
            h = b->kind == RB_LSTM ? rb_lstm_step(b, d, xt[t], h, &cell)
                : b->kind == RB_GRU ? rb_gru_step(b, d, xt[t], h)
                                    : rb_fn_apply(b, &b->act[d][0], rb_pre(b, d, 0, xt[t], h, 1));
            if (h < 0 || cell == -1)
                goto fail;
            ys[t * nd + d] = h;
            if (b->n_lens && rb_mask(b, t, &h, ho, &cell, co, &ys[t * nd + d]))
                goto fail;
        }
        hl[d] = h;
        cl[d] = cell;
    }
    int32_t yd[4] = { S, nd, b->B, b->H }, sd[3] = { nd, b->B, b->H };
    if (b->layout) {
        yd[0] = b->B, yd[1] = S, yd[2] = nd;
        sd[0] = b->B, sd[1] = nd;
    }
    if ((rc = rb_emit(b, 0, ys, S * nd, 4, yd)) || (rc = rb_emit(b, 1, hl, nd, 3, sd)))
        goto done;
    if (b->kind == RB_LSTM) {
        for (int d = 0; d < nd; d++)
            if (cl[d] == RB_ZERO) /* S >= 1: never */
                goto fail;
        rc = rb_emit(b, 2, cl, nd, 3, sd);
    }
    goto done;
fail:
    rc = NEURIO_ERR_NOMEM; /* message set where it failed */
done:
    free(xt);
    free(ys);
    return rc;
}

/* The activation functions ONNX's RNN operators name (case-insensitive,
 * as onnxruntime), how many of alpha/beta each takes and their defaults
 * (those of the ONNX operators of the same name; Affine and ScaledTanh
 * have none: onnxruntime's). */
static const struct {
    const char *name;
    int kind, uses;
    float alpha, beta;
} rb_fns[] = {
    { "Sigmoid", RF_SIGMOID, 0, 0, 0 },       { "Tanh", RF_TANH, 0, 0, 0 },
    { "Relu", RF_RELU, 0, 0, 0 },             { "Affine", RF_AFFINE, 2, 1.0f, 0.0f },
    { "LeakyRelu", RF_LEAKY, 1, 0.01f, 0 },   { "ThresholdedRelu", RF_THRESH, 1, 1.0f, 0 },
    { "ScaledTanh", RF_STANH, 2, 1.0f, 1.0f }, { "HardSigmoid", RF_HSIG, 2, 0.2f, 0.5f },
    { "Elu", RF_ELU, 1, 1.0f, 0 },            { "Softsign", RF_SOFTSIGN, 0, 0, 0 },
    { "Softplus", RF_SOFTPLUS, 0, 0, 0 },
};

/* b->act from activations, activation_alpha and activation_beta: alpha and
 * beta values are consumed in order by the activations that take them. */
static int rb_acts(rnn_b *b)
{
    ox_ctx *c = b->c;
    const Onnx__AttributeProto *a = ox_attr(c, "activations");
    const Onnx__AttributeProto *al = ox_attr(c, "activation_alpha");
    const Onnx__AttributeProto *be = ox_attr(c, "activation_beta");
    int na = b->kind == RB_LSTM ? 3 : b->kind == RB_GRU ? 2 : 1, n = na * b->nd;
    size_t ia = 0, ib = 0, nal = al ? al->n_floats : 0, nbe = be ? be->n_floats : 0;
    if (a && a->n_strings && a->n_strings < (size_t)n)
        return ox_fail(c, NEURIO_ERR_INVALID, "activations has %zu entries, needs %d",
                       a->n_strings, n);
    for (int i = 0; i < n; i++) {
        size_t fi = b->kind == RB_RNN || i % na ? 1 : 0; /* Tanh, or Sigmoid for f */
        if (a && a->n_strings) {
            const ProtobufCBinaryData *nm = &a->strings[i];
            for (fi = 0; fi < sizeof rb_fns / sizeof rb_fns[0]; fi++)
                if (nm->len == strlen(rb_fns[fi].name) &&
                    !strncasecmp((const char *)nm->data, rb_fns[fi].name, nm->len))
                    break;
            if (fi == sizeof rb_fns / sizeof rb_fns[0])
                return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "activation %d '%.*s' (Sigmoid, Tanh, "
                               "Relu, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, "
                               "HardSigmoid, Elu, Softsign or Softplus)", i,
                               (int)(nm->len < 40 ? nm->len : 40), (const char *)nm->data);
        }
        rb_fn *f = &b->act[i / na][i % na];
        f->kind = rb_fns[fi].kind;
        f->alpha = rb_fns[fi].uses >= 1 && ia < nal ? al->floats[ia++] : rb_fns[fi].alpha;
        f->beta = rb_fns[fi].uses >= 2 && ib < nbe ? be->floats[ib++] : rb_fns[fi].beta;
        if (!isfinite(f->alpha) || !isfinite(f->beta) || (f->kind == RF_ELU && f->alpha < 0))
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "activation %d %s: alpha %g, beta %g "
                           "(finite; Elu takes alpha >= 0)", i, rb_fns[fi].name,
                           (double)f->alpha, (double)f->beta);
    }
    if (ia < nal || ib < nbe)
        return ox_fail(c, NEURIO_ERR_INVALID, "activation_alpha has %zu values and "
                       "activation_beta %zu, but the activations take %zu and %zu", nal, nbe,
                       ia, ib);
    return NEURIO_OK;
}

/* clip, input_forget and a constant sequence_lens (b->lens, n_lens = 0
 * when every entry runs the whole sequence). */
static int rb_attrs(rnn_b *b)
{
    ox_ctx *c = b->c;
    if (ox_attr(c, "clip")) {
        b->clip = ox_attr_float(c, "clip", 0.0f);
        if (!(b->clip > 0) || !isfinite(b->clip))
            return ox_fail(c, NEURIO_ERR_INVALID, "clip %g (a positive threshold)",
                           (double)b->clip);
    }
    int64_t inf = ox_attr_int(c, "input_forget", 0);
    if (inf && b->kind != RB_LSTM)
        return ox_fail(c, NEURIO_ERR_INVALID, "input_forget is an LSTM attribute");
    b->input_forget = inf != 0;
    const ox_value *sl = ox_input(c, 4);
    if (!sl)
        return NEURIO_OK;
    int64_t lens[64];
    int32_t n = ox_const_ints(c, sl, lens, 64), full = 1;
    if (n < 0)
        return NEURIO_ERR_UNSUPPORTED;
    if (n != b->B)
        return ox_fail(c, NEURIO_ERR_INVALID, "sequence_lens has %d entries, batch is %d", n,
                       b->B);
    for (int32_t k = 0; k < n; k++) {
        if (lens[k] < 1 || lens[k] > b->S)
            return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "sequence_lens[%d] = %lld (1..%d: the "
                           "sequence length)", k, (long long)lens[k], b->S);
        b->lens[k] = (int32_t)lens[k];
        full &= lens[k] == b->S;
    }
    b->n_lens = full ? 0 : n;
    return NEURIO_OK;
}

/* Float constant input i of exactly n elements into *out (what: for
 * messages); *out = NULL when the input is absent and optional. */
static int rb_const(rnn_b *b, int i, const char *what, size_t n, int required,
                    const float **out)
{
    const ox_value *v = ox_input(b->c, i);
    size_t got = 0;
    *out = NULL;
    if (!v)
        return required ? ox_fail(b->c, NEURIO_ERR_FORMAT, "input %d (%s) is missing", i, what)
                        : NEURIO_OK;
    const float *f = ox_const_floats(b->c, v, &got);
    if (!f)
        return ox_fail(b->c, NEURIO_ERR_UNSUPPORTED, "%s '%s' must be a float32 constant", what,
                       v->name);
    if (got != n)
        return ox_fail(b->c, NEURIO_ERR_INVALID, "%s '%s' has %zu elements, expected %zu", what,
                       v->name, got, n);
    *out = f;
    return NEURIO_OK;
}

/* Initial state input i ([nd, B, H] or [B, nd, H]) split per direction
 * into st[d] ([B, H]); RB_ZERO when absent. */
static int rb_state(rnn_b *b, int i, const char *what, int32_t *st)
{
    const ox_value *v = ox_input(b->c, i);
    st[0] = st[1] = RB_ZERO;
    if (!v)
        return NEURIO_OK;
    int32_t r, dims[NEURIO_MAX_RANK] = { 0 };
    ox_onnx_dims(b->c, v, &r, dims);
    int32_t want[3] = { b->nd, b->B, b->H };
    if (b->layout)
        want[0] = b->B, want[1] = b->nd;
    if (r != 3 || memcmp(dims, want, sizeof want))
        return ox_fail(b->c, NEURIO_ERR_INVALID, "%s '%s' must have shape [%d, %d, %d]", what,
                       v->name, want[0], want[1], want[2]);
    if (b->c->m->tensors[v->t].dtype != NEURIO_DT_FLOAT32)
        return ox_fail(b->c, NEURIO_ERR_UNSUPPORTED, "%s '%s' is not float32", what, v->name);
    int32_t t = ox_plain(b->c, v);
    if (t < 0)
        return NEURIO_ERR_UNSUPPORTED;
    for (int d = 0; d < b->nd; d++)
        if ((st[d] = rb_take(b, t, b->layout ? 1 : 0, d)) < 0)
            return NEURIO_ERR_NOMEM; /* message set where it failed */
    return NEURIO_OK;
}

/* Attributes and shapes: everything the unrolling needs, or the message
 * naming what it does not take. */
static int rb_setup(rnn_b *b, int32_t *x, int *reverse_only)
{
    ox_ctx *c = b->c;
    char dir[32];
    ox_attr_str(c, "direction", dir, sizeof dir);
    *reverse_only = !strcmp(dir, "reverse");
    b->nd = !strcmp(dir, "bidirectional") ? 2 : 1;
    if (dir[0] && strcmp(dir, "forward") && b->nd == 1 && !*reverse_only)
        return ox_fail(c, NEURIO_ERR_INVALID, "direction '%s'", dir);
    b->layout = (int)ox_attr_int(c, "layout", 0);
    b->lbr = b->kind == RB_GRU && ox_attr_int(c, "linear_before_reset", 0) != 0;
    if (b->layout != 0 && b->layout != 1)
        return ox_fail(c, NEURIO_ERR_INVALID, "layout %d (0 or 1)", b->layout);
    const ox_value *xv = ox_need(c, 0, "X"), *rv = ox_need(c, 2, "R");
    if (!xv || !rv || !ox_need(c, 1, "W"))
        return NEURIO_ERR_FORMAT;
    if (c->m->tensors[xv->t].dtype != NEURIO_DT_FLOAT32)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "X '%s' is %s (float32 only)", xv->name,
                       neurio_dtype_name(c->m->tensors[xv->t].dtype));
    int32_t r, xd[NEURIO_MAX_RANK] = { 0 }, rd[NEURIO_MAX_RANK] = { 0 };
    ox_onnx_dims(c, xv, &r, xd);
    if (r != 3)
        return ox_fail(c, NEURIO_ERR_INVALID, "X '%s' has rank %d, expected 3", xv->name, r);
    ox_onnx_dims(c, rv, &r, rd);
    b->S = xd[b->layout ? 1 : 0];
    b->B = xd[b->layout ? 0 : 1];
    b->I = xd[2];
    b->H = rd[2];
    if (r != 3 || rd[0] != b->nd || rd[1] != (int64_t)b->ng * rd[2] || b->H < 1)
        return ox_fail(c, NEURIO_ERR_INVALID, "R '%s' must have shape [%d, %d * hidden, hidden]",
                       rv->name, b->nd, b->ng);
    int64_t hs = ox_attr_int(c, "hidden_size", b->H);
    if (hs != b->H)
        return ox_fail(c, NEURIO_ERR_INVALID, "hidden_size %lld but R has %d", (long long)hs,
                       b->H);
    if (b->S < 1 || b->S > RB_MAX_STEPS || b->H > 65536 || b->I < 1 || b->I > 65536 ||
        b->B < 1 || b->B > 65536)
        return ox_fail(c, NEURIO_ERR_UNSUPPORTED, "sequence length %d, hidden size %d, input "
                       "size %d, batch %d (unrolled: 1..%d steps, sizes up to 65536)", b->S,
                       b->H, b->I, b->B, RB_MAX_STEPS);
    size_t gh = (size_t)b->nd * (size_t)b->ng * (size_t)b->H;
    int rc;
    if ((rc = rb_const(b, 1, "W", gh * (size_t)b->I, 1, &b->W)) ||
        (rc = rb_const(b, 2, "R", gh * (size_t)b->H, 1, &b->R)) ||
        (rc = rb_const(b, 3, "B", 2 * gh, 0, &b->Bs)) ||
        (b->kind == RB_LSTM &&
         (rc = rb_const(b, 7, "P", (size_t)b->nd * 3 * (size_t)b->H, 0, &b->P))))
        return rc;
    if ((rc = rb_attrs(b)) || (rc = rb_acts(b)))
        return rc;
    *x = ox_plain(c, xv);
    return *x < 0 ? NEURIO_ERR_UNSUPPORTED : NEURIO_OK;
}

/* ONNX RNN (a = 0), GRU (1), LSTM (2). */
int ox_rnn(ox_ctx *c, int a)
{
    rnn_b b = { .c = c, .kind = a, .ng = a == RB_LSTM ? 4 : a == RB_GRU ? 3 : 1 };
    int32_t x = -1, h0[2], c0[2] = { RB_ZERO, RB_ZERO };
    int rev, rc = rb_setup(&b, &x, &rev);
    if (rc || (rc = rb_state(&b, 5, "initial_h", h0)) ||
        (b.kind == RB_LSTM && (rc = rb_state(&b, 6, "initial_c", c0))))
        return rc;
    return rb_unroll(&b, x, h0, c0, rev);
}
