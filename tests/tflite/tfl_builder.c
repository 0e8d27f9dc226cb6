/* tests/tflite/tfl_builder.c — see tfl_builder.h. */
#include "tfl_builder.h"

#include <stdlib.h>
#include <string.h>

enum { N_TABLE, N_VEC, N_VEC_TABLES, N_STRING };
#define FBT_MAX_FIELDS 16

struct fbn {
    int kind;
    size_t pos;                /* written position, 0 = not yet          */
    struct {
        int set;               /* 0 absent, 1 scalar, 2 ref              */
        size_t size;
        uint64_t val;
        fbn *ref;
    } f[FBT_MAX_FIELDS];
    int nf;
    uint8_t *data;             /* vectors / strings (owned)              */
    uint32_t n;
    size_t elem;
    fbn **items;               /* N_VEC_TABLES (owned array)             */
    fbn *next_alloc;
};

static fbn *all_nodes;

static fbn *node(int kind)
{
    fbn *x = calloc(1, sizeof *x);
    if (!x)
        abort();
    x->kind = kind;
    x->next_alloc = all_nodes;
    all_nodes = x;
    return x;
}

void fbt_reset(void)
{
    while (all_nodes) {
        fbn *n = all_nodes->next_alloc;
        free(all_nodes->data);
        free(all_nodes->items);
        free(all_nodes);
        all_nodes = n;
    }
}

fbn *fbt_table(void) { return node(N_TABLE); }

static void set_scalar(fbn *t, int field, size_t size, uint64_t v)
{
    if (field < 0 || field >= FBT_MAX_FIELDS)
        abort();
    t->f[field].set = 1;
    t->f[field].size = size;
    t->f[field].val = v;
    if (field + 1 > t->nf)
        t->nf = field + 1;
}

void fbt_u8(fbn *t, int field, uint8_t v) { set_scalar(t, field, 1, v); }
void fbt_i32(fbn *t, int field, int32_t v) { set_scalar(t, field, 4, (uint32_t)v); }
void fbt_u32(fbn *t, int field, uint32_t v) { set_scalar(t, field, 4, v); }
void fbt_u64(fbn *t, int field, uint64_t v) { set_scalar(t, field, 8, v); }
void fbt_f32(fbn *t, int field, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    set_scalar(t, field, 4, u);
}

void fbt_ref(fbn *t, int field, fbn *child)
{
    if (field < 0 || field >= FBT_MAX_FIELDS)
        abort();
    t->f[field].set = 2;
    t->f[field].size = 4;
    t->f[field].ref = child;
    if (field + 1 > t->nf)
        t->nf = field + 1;
}

fbn *fbt_vec(const void *data, uint32_t n, size_t elem)
{
    fbn *v = node(N_VEC);
    v->n = n;
    v->elem = elem;
    v->data = malloc(n * elem + 1);
    if (!v->data)
        abort();
    if (n)
        memcpy(v->data, data, n * elem);
    return v;
}

fbn *fbt_vec_tables(fbn *const *items, uint32_t n)
{
    fbn *v = node(N_VEC_TABLES);
    v->n = n;
    v->items = malloc((n + 1) * sizeof *v->items);
    if (!v->items)
        abort();
    for (uint32_t i = 0; i < n; i++)
        v->items[i] = items[i];
    return v;
}

fbn *fbt_string(const char *s)
{
    fbn *v = node(N_STRING);
    v->n = (uint32_t)strlen(s);
    v->data = malloc(v->n + 1);
    if (!v->data)
        abort();
    memcpy(v->data, s, v->n + 1);
    return v;
}

typedef struct out {
    uint8_t *p;
    size_t len, cap;
} out;

static void ensure(out *o, size_t n)
{
    if (o->len + n <= o->cap)
        return;
    size_t c = o->cap ? o->cap : 256;
    while (c < o->len + n)
        c *= 2;
    o->p = realloc(o->p, c);
    if (!o->p)
        abort();
    memset(o->p + o->cap, 0, c - o->cap);
    o->cap = c;
}

static void pad_to(out *o, size_t align)
{
    while (o->len % align) {
        ensure(o, 1);
        o->p[o->len++] = 0;
    }
}

static void put(out *o, const void *d, size_t n)
{
    ensure(o, n);
    memcpy(o->p + o->len, d, n);
    o->len += n;
}

static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static size_t emit(out *o, fbn *n);

static void patch(out *o, size_t slot, fbn *child)
{
    size_t pos = emit(o, child);
    wr32(o->p + slot, (uint32_t)(pos - slot));
}

static size_t emit(out *o, fbn *n)
{
    if (n->pos)
        return n->pos;
    if (n->kind == N_TABLE) {
        /* Field layout inside the table (offsets from the table start). */
        uint16_t offs[FBT_MAX_FIELDS] = { 0 };
        size_t at = 4;
        for (int i = 0; i < n->nf; i++) {
            if (!n->f[i].set)
                continue;
            size_t sz = n->f[i].size;
            while (at % sz)
                at++;
            offs[i] = (uint16_t)at;
            at += sz;
        }
        size_t tsize = (at + 3) & ~(size_t)3;
        pad_to(o, 2);
        size_t vt = o->len;
        uint16_t vsz = (uint16_t)(4 + 2 * n->nf);
        ensure(o, vsz);
        wr16(o->p + vt, vsz);
        wr16(o->p + vt + 2, (uint16_t)tsize);
        for (int i = 0; i < n->nf; i++)
            wr16(o->p + vt + 4 + 2 * i, offs[i]);
        o->len += vsz;
        pad_to(o, 8);
        size_t tp = o->len;
        ensure(o, tsize);
        memset(o->p + tp, 0, tsize);
        wr32(o->p + tp, (uint32_t)(int32_t)(tp - vt));
        for (int i = 0; i < n->nf; i++) {
            if (n->f[i].set == 1) {
                uint64_t v = n->f[i].val;
                for (size_t b = 0; b < n->f[i].size; b++)
                    o->p[tp + offs[i] + b] = (uint8_t)(v >> (8 * b));
            }
        }
        o->len += tsize;
        n->pos = tp;
        for (int i = 0; i < n->nf; i++)
            if (n->f[i].set == 2)
                patch(o, tp + offs[i], n->f[i].ref);
        return tp;
    }
    if (n->kind == N_VEC || n->kind == N_STRING) {
        size_t al = n->elem > 4 ? n->elem : 4;
        while ((o->len + 4) % al) {
            ensure(o, 1);
            o->p[o->len++] = 0;
        }
        size_t vp = o->len;
        uint8_t hdr[4];
        wr32(hdr, n->n);
        put(o, hdr, 4);
        if (n->kind == N_STRING)
            put(o, n->data, n->n + 1);
        else
            put(o, n->data, n->n * n->elem);
        n->pos = vp;
        return vp;
    }
    /* vector of tables */
    pad_to(o, 4);
    size_t vp = o->len;
    ensure(o, 4 + 4 * (size_t)n->n);
    wr32(o->p + vp, n->n);
    memset(o->p + vp + 4, 0, 4 * (size_t)n->n);
    o->len += 4 + 4 * (size_t)n->n;
    n->pos = vp;
    for (uint32_t i = 0; i < n->n; i++)
        patch(o, vp + 4 + 4 * (size_t)i, n->items[i]);
    return vp;
}

uint8_t *fbt_finish(fbn *root, const char *ident, size_t *len)
{
    out o = { 0 };
    ensure(&o, 8);
    memset(o.p, 0, 8);
    memcpy(o.p + 4, ident, 4);
    o.len = 8;
    patch(&o, 0, root);
    *len = o.len;
    fbt_reset();
    return o.p;
}

/* --- TFLite ---------------------------------------------------------------- */

static fbn *tensor_table(const tspec *s, uint32_t buffer)
{
    fbn *t = fbt_table();
    fbt_ref(t, 0, fbt_vec(s->dims, (uint32_t)s->rank, 4));
    fbt_u8(t, 1, (uint8_t)s->type);
    fbt_u32(t, 2, buffer);
    fbt_ref(t, 3, fbt_string(s->name ? s->name : ""));
    if (s->n_quant > 0) {
        fbn *q = fbt_table();
        fbt_ref(q, 2, fbt_vec(s->scale, (uint32_t)s->n_quant, 4));
        fbt_ref(q, 3, fbt_vec(s->zero_point, (uint32_t)s->n_quant, 8));
        fbt_i32(q, 6, s->quant_dim);
        fbt_ref(t, 4, q);
    }
    return t;
}

static uint8_t *build_once(const tspec *t, int nt, const ospec *o, int no, const int32_t *gin,
                           int ngin, const int32_t *gout, int ngout, const tfl_build_opts *op,
                           const uint64_t *ext_off, size_t *len)
{
    fbn *tensors[64], *ops[64], *codes[64], *bufs[66];
    int nb = 0;
    bufs[nb++] = fbt_table(); /* the empty sentinel buffer */
    for (int i = 0; i < nt; i++) {
        uint32_t bi = 0;
        if (t[i].data) {
            fbn *b = fbt_table();
            if (op->external_buffers) {
                fbt_u64(b, 1, ext_off ? ext_off[i] : 2);
                fbt_u64(b, 2, t[i].data_len);
            } else {
                fbt_ref(b, 0, fbt_vec(t[i].data, t[i].data_len, 1));
            }
            bi = (uint32_t)nb;
            bufs[nb++] = b;
        }
        tensors[i] = tensor_table(&t[i], bi);
    }
    for (int i = 0; i < no; i++) {
        fbn *c = fbt_table();
        int32_t code = o[i].code;
        if (!op->only_builtin_code)
            fbt_u8(c, 0, (uint8_t)(code < 127 ? code : 127));
        if (!op->only_deprecated_code)
            fbt_i32(c, 3, code);
        if (o[i].custom)
            fbt_ref(c, 1, fbt_string(o[i].custom));
        fbt_i32(c, 2, 1);
        codes[i] = c;
        fbn *x = fbt_table();
        fbt_u32(x, 0, (uint32_t)i);
        fbt_ref(x, 1, fbt_vec(o[i].in, (uint32_t)o[i].n_in, 4));
        fbt_ref(x, 2, fbt_vec(o[i].out, (uint32_t)o[i].n_out, 4));
        if (o[i].opt) {
            fbt_u8(x, 3, o[i].opt_type);
            fbt_ref(x, 4, o[i].opt);
        }
        ops[i] = x;
    }
    int nsg = op->n_subgraphs > 0 ? op->n_subgraphs : 1;
    fbn *sgs[4];
    for (int s = 0; s < nsg && s < 4; s++) {
        fbn *sg = fbt_table();
        fbt_ref(sg, 0, fbt_vec_tables(tensors, (uint32_t)nt));
        fbt_ref(sg, 1, fbt_vec(gin, (uint32_t)ngin, 4));
        fbt_ref(sg, 2, fbt_vec(gout, (uint32_t)ngout, 4));
        fbt_ref(sg, 3, fbt_vec_tables(ops, (uint32_t)no));
        fbt_ref(sg, 4, fbt_string("main"));
        sgs[s] = sg;
    }
    fbn *meta = NULL, *meta_idx = NULL;
    if (op->metadata) {
        static const char blob[] = "min_runtime_version 1.5.0, not tensor data";
        fbn *b = fbt_table();
        fbt_ref(b, 0, fbt_vec(blob, sizeof blob, 1));
        int32_t bi = nb;
        bufs[nb++] = b;
        fbn *md = fbt_table();
        fbt_ref(md, 0, fbt_string("min_runtime_version"));
        fbt_u32(md, 1, (uint32_t)bi);
        meta = fbt_vec_tables(&md, 1);
        meta_idx = fbt_vec(&bi, 1, 4);
    }
    fbn *m = fbt_table();
    fbt_u32(m, 0, op->version ? op->version : 3);
    if (meta) {
        fbt_ref(m, 5, meta_idx);
        fbt_ref(m, 6, meta);
    }
    fbt_ref(m, 1, fbt_vec_tables(codes, (uint32_t)no));
    fbt_ref(m, 2, fbt_vec_tables(sgs, (uint32_t)(nsg < 4 ? nsg : 4)));
    fbt_ref(m, 3, fbt_string("neurio test model"));
    fbt_ref(m, 4, fbt_vec_tables(bufs, (uint32_t)nb));
    return fbt_finish(m, "TFL3", len);
}

uint8_t *tfl_build(const tspec *t, int nt, const ospec *o, int no, const int32_t *gin,
                   int ngin, const int32_t *gout, int ngout, const tfl_build_opts *opts,
                   size_t *len)
{
    tfl_build_opts dflt = { 0 };
    const tfl_build_opts *op = opts ? opts : &dflt;
    if (nt > 64 || no > 64)
        abort();
    if (!op->external_buffers)
        return build_once(t, nt, o, no, gin, ngin, gout, ngout, op, NULL, len);
    /* Large-model form: build once to learn the flatbuffer's size (the
     * offsets are fixed-size fields, so the layout does not change), then
     * again with the real offsets, and append the data. */
    size_t l0;
    uint8_t *first = build_once(t, nt, o, no, gin, ngin, gout, ngout, op, NULL, &l0);
    free(first);
    uint64_t off[64] = { 0 };
    uint64_t at = (l0 + 15) & ~(uint64_t)15;
    for (int i = 0; i < nt; i++)
        if (t[i].data) {
            off[i] = at;
            at += (t[i].data_len + 15) & ~(uint64_t)15;
        }
    uint8_t *fb = build_once(t, nt, o, no, gin, ngin, gout, ngout, op, off, len);
    uint8_t *all = calloc(1, at ? at : 1);
    if (!all)
        abort();
    memcpy(all, fb, *len);
    free(fb);
    for (int i = 0; i < nt; i++)
        if (t[i].data)
            memcpy(all + off[i], t[i].data, t[i].data_len);
    *len = at;
    return all;
}

uint8_t *tfl_build_fc_model(size_t *len)
{
    static const float w[12] = { 0.1f, 0.2f, 0.3f, 0.4f, -0.1f, -0.2f, -0.3f, -0.4f,
                                 0.5f, 0.5f, 0.5f, 0.5f };
    static const float b[3] = { 0.0f, 0.1f, -0.1f };
    tspec t[5] = {
        { .name = "input", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 4 } },
        { .name = "fc/w", .type = TT_FLOAT32, .rank = 2, .dims = { 3, 4 }, .data = w,
          .data_len = sizeof w },
        { .name = "fc/b", .type = TT_FLOAT32, .rank = 1, .dims = { 3 }, .data = b,
          .data_len = sizeof b },
        { .name = "fc/out", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 3 } },
        { .name = "probs", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 3 } },
    };
    fbn *fco = fbt_table();
    fbt_u8(fco, 0, 1); /* RELU */
    fbn *smo = fbt_table();
    fbt_f32(smo, 0, 1.0f);
    ospec o[2] = {
        { .code = 9, .opt_type = 8, .opt = fco, .n_in = 3, .in = { 0, 1, 2 }, .n_out = 1,
          .out = { 3 } },
        { .code = 25, .opt_type = 9, .opt = smo, .n_in = 1, .in = { 3 }, .n_out = 1,
          .out = { 4 } },
    };
    int32_t gin[1] = { 0 }, gout[1] = { 4 };
    return tfl_build(t, 5, o, 2, gin, 1, gout, 1, NULL, len);
}

#define Q(s, z) .n_quant = 1, .scale = { s }, .zero_point = { z }

uint8_t *tfl_build_conv_model(size_t *len)
{
    static int8_t cw[4 * 3 * 3 * 2], dw[1 * 3 * 3 * 4], fw[3 * 8];
    static int32_t cb[4] = { 1, -2, 3, -4 }, db[4] = { 0, 0, 5, 5 }, fb[3] = { 7, 8, 9 };
    static const int32_t pads[8] = { 0, 0, 1, 1, 1, 1, 0, 0 }, axes[2] = { 1, 2 };
    static const int32_t perm[2] = { 1, 0 }, shape[2] = { 1, 8 };
    for (size_t i = 0; i < sizeof cw; i++)
        cw[i] = (int8_t)((int)(i * 7 % 19) - 9);
    for (size_t i = 0; i < sizeof dw; i++)
        dw[i] = (int8_t)((int)(i * 5 % 13) - 6);
    for (size_t i = 0; i < sizeof fw; i++)
        fw[i] = (int8_t)((int)(i * 3 % 11) - 5);
    tspec t[] = {
        /* 0 */ { .name = "x", .type = TT_FLOAT32, .rank = 4, .dims = { 1, 8, 8, 2 } },
        /* 1 */ { .name = "xq", .type = TT_INT8, .rank = 4, .dims = { 1, 8, 8, 2 }, Q(0.05f, 3) },
        /* 2 */ { .name = "conv/w", .type = TT_INT8, .rank = 4, .dims = { 4, 3, 3, 2 },
                  .data = cw, .data_len = sizeof cw, .n_quant = 4,
                  .scale = { 0.01f, 0.02f, 0.03f, 0.04f }, .quant_dim = 0 },
        /* 3 */ { .name = "conv/b", .type = TT_INT32, .rank = 1, .dims = { 4 }, .data = cb,
                  .data_len = sizeof cb },
        /* 4 */ { .name = "conv", .type = TT_INT8, .rank = 4, .dims = { 1, 4, 4, 4 }, Q(0.1f, -128) },
        /* 5 */ { .name = "dw/w", .type = TT_INT8, .rank = 4, .dims = { 1, 3, 3, 4 },
                  .data = dw, .data_len = sizeof dw, Q(0.02f, 0) },
        /* 6 */ { .name = "dw/b", .type = TT_INT32, .rank = 1, .dims = { 4 }, .data = db,
                  .data_len = sizeof db },
        /* 7 */ { .name = "dw", .type = TT_INT8, .rank = 4, .dims = { 1, 2, 2, 4 }, Q(0.1f, 0) },
        /* 8 */ { .name = "pads", .type = TT_INT32, .rank = 2, .dims = { 4, 2 }, .data = pads,
                  .data_len = sizeof pads },
        /* 9 */ { .name = "padded", .type = TT_INT8, .rank = 4, .dims = { 1, 4, 4, 4 }, Q(0.1f, 0) },
        /* 10 */ { .name = "pool", .type = TT_INT8, .rank = 4, .dims = { 1, 2, 2, 4 }, Q(0.1f, 0) },
        /* 11 */ { .name = "sum", .type = TT_INT8, .rank = 4, .dims = { 1, 2, 2, 4 }, Q(0.2f, 0) },
        /* 12 */ { .name = "cat", .type = TT_INT8, .rank = 4, .dims = { 1, 2, 2, 8 }, Q(0.2f, 0) },
        /* 13 */ { .name = "axes", .type = TT_INT32, .rank = 1, .dims = { 2 }, .data = axes,
                   .data_len = sizeof axes },
        /* 14 */ { .name = "mean", .type = TT_INT8, .rank = 2, .dims = { 1, 8 }, Q(0.2f, 0) },
        /* 15 */ { .name = "perm", .type = TT_INT32, .rank = 1, .dims = { 2 }, .data = perm,
                   .data_len = sizeof perm },
        /* 16 */ { .name = "tr", .type = TT_INT8, .rank = 2, .dims = { 8, 1 }, Q(0.2f, 0) },
        /* 17 */ { .name = "shape", .type = TT_INT32, .rank = 1, .dims = { 2 }, .data = shape,
                   .data_len = sizeof shape },
        /* 18 */ { .name = "flat", .type = TT_INT8, .rank = 2, .dims = { 1, 8 }, Q(0.2f, 0) },
        /* 19 */ { .name = "fc/w", .type = TT_INT8, .rank = 2, .dims = { 3, 8 }, .data = fw,
                   .data_len = sizeof fw, Q(0.05f, 0) },
        /* 20 */ { .name = "fc/b", .type = TT_INT32, .rank = 1, .dims = { 3 }, .data = fb,
                   .data_len = sizeof fb },
        /* 21 */ { .name = "fc", .type = TT_INT8, .rank = 2, .dims = { 1, 3 }, Q(0.3f, 1) },
        /* 22 */ { .name = "sig", .type = TT_INT8, .rank = 2, .dims = { 1, 3 }, Q(1.0f / 256, -128) },
        /* 23 */ { .name = "y", .type = TT_FLOAT32, .rank = 2, .dims = { 1, 3 } },
    };
    fbn *convo = fbt_table();
    fbt_u8(convo, 0, 0);   /* SAME */
    fbt_i32(convo, 1, 2);  /* stride_w */
    fbt_i32(convo, 2, 2);  /* stride_h */
    fbt_u8(convo, 3, 1);   /* RELU */
    fbn *dwo = fbt_table();
    fbt_u8(dwo, 0, 1);     /* VALID */
    fbt_i32(dwo, 1, 1);
    fbt_i32(dwo, 2, 1);
    fbt_i32(dwo, 3, 1);    /* depth_multiplier */
    fbt_u8(dwo, 4, 3);     /* RELU6 */
    fbn *poolo = fbt_table();
    fbt_u8(poolo, 0, 1);
    fbt_i32(poolo, 1, 2);
    fbt_i32(poolo, 2, 2);
    fbt_i32(poolo, 3, 2);
    fbt_i32(poolo, 4, 2);
    fbn *cato = fbt_table();
    fbt_i32(cato, 0, -1);
    fbn *meano = fbt_table();
    fbt_u8(meano, 0, 0);
    ospec o[] = {
        { .code = 114, .n_in = 1, .in = { 0 }, .n_out = 1, .out = { 1 } },
        { .code = 3, .opt_type = 1, .opt = convo, .n_in = 3, .in = { 1, 2, 3 }, .n_out = 1, .out = { 4 } },
        { .code = 4, .opt_type = 2, .opt = dwo, .n_in = 3, .in = { 4, 5, 6 }, .n_out = 1, .out = { 7 } },
        { .code = 34, .n_in = 2, .in = { 7, 8 }, .n_out = 1, .out = { 9 } },
        { .code = 17, .opt_type = 5, .opt = poolo, .n_in = 1, .in = { 9 }, .n_out = 1, .out = { 10 } },
        { .code = 0, .n_in = 2, .in = { 10, 7 }, .n_out = 1, .out = { 11 } },
        { .code = 2, .opt_type = 10, .opt = cato, .n_in = 2, .in = { 11, 10 }, .n_out = 1, .out = { 12 } },
        { .code = 40, .opt_type = 27, .opt = meano, .n_in = 2, .in = { 12, 13 }, .n_out = 1, .out = { 14 } },
        { .code = 39, .n_in = 2, .in = { 14, 15 }, .n_out = 1, .out = { 16 } },
        { .code = 22, .n_in = 2, .in = { 16, 17 }, .n_out = 1, .out = { 18 } },
        { .code = 9, .n_in = 3, .in = { 18, 19, 20 }, .n_out = 1, .out = { 21 } },
        { .code = 14, .n_in = 1, .in = { 21 }, .n_out = 1, .out = { 22 } },
        { .code = 6, .n_in = 1, .in = { 22 }, .n_out = 1, .out = { 23 } },
    };
    int32_t gin[1] = { 0 }, gout[1] = { 23 };
    return tfl_build(t, (int)(sizeof t / sizeof t[0]), o, (int)(sizeof o / sizeof o[0]), gin, 1,
                     gout, 1, NULL, len);
}
