/* sdk/src/import/tflite/flatbuf.c — bounds-checked FlatBuffers reader (see flatbuf.h). */
#include "flatbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void nfb_init(nfb_buf *b, const void *buf, size_t len, neurio_errbuf *err)
{
    memset(b, 0, sizeof *b);
    b->p = buf;
    b->len = buf ? len : 0;
    b->err = err;
    /* Generous for real files (each byte is read a handful of times at most),
     * small enough to stop a file that points thousands of tables at the
     * same large vector. */
    b->budget = 16 * (uint64_t)b->len + (1u << 20);
    snprintf(b->ctx, sizeof b->ctx, "model");
}

void nfb_ctx(nfb_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->ctx, sizeof b->ctx, fmt, ap);
    va_end(ap);
}

static int fb_fail(nfb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fb_fail(nfb_buf *b, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return neurio_fail(b->err, NEURIO_ERR_FORMAT, "malformed TFLite file: %s: %s", b->ctx, msg);
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}
static uint64_t rd64(const uint8_t *p) { return rd32(p) | ((uint64_t)rd32(p + 4) << 32); }

/* Is [pos, pos + n) inside the buffer?  (64-bit arithmetic, no wrap.) */
static int in_buf(const nfb_buf *b, uint64_t pos, uint64_t n)
{
    return pos <= b->len && n <= b->len - pos;
}

static int spend(nfb_buf *b, uint64_t units)
{
    b->work += units;
    if (b->work > b->budget)
        return fb_fail(b, "the file's tables reference the same data far more often than "
                       "a real model does (more than %llu element reads for %zu bytes); "
                       "refusing it", (unsigned long long)b->budget, b->len);
    return NEURIO_OK;
}

static int table_at(nfb_buf *b, uint64_t pos, const char *name, nfb_table *t)
{
    int rc = spend(b, 8);
    if (rc)
        return rc;
    if (!in_buf(b, pos, 4))
        return fb_fail(b, "table %s at byte %llu lies past the end of the %zu-byte file",
                       name, (unsigned long long)pos, b->len);
    int32_t so = (int32_t)rd32(b->p + pos);
    int64_t vt = (int64_t)pos - (int64_t)so;
    if (vt < 0 || !in_buf(b, (uint64_t)vt, 4))
        return fb_fail(b, "table %s at byte %llu has its vtable at byte %lld, outside the "
                       "%zu-byte file", name, (unsigned long long)pos, (long long)vt, b->len);
    uint16_t vsz = rd16(b->p + vt), tsz = rd16(b->p + vt + 2);
    if (vsz < 4 || (vsz & 1) || !in_buf(b, (uint64_t)vt, vsz))
        return fb_fail(b, "table %s at byte %llu: vtable at byte %lld has a bad size %u",
                       name, (unsigned long long)pos, (long long)vt, vsz);
    if (tsz < 4)
        return fb_fail(b, "table %s at byte %llu: its vtable (byte %lld) gives a table size "
                       "of %u bytes, less than the 4-byte vtable offset", name,
                       (unsigned long long)pos, (long long)vt, tsz);
    if (!in_buf(b, pos, tsz))
        return fb_fail(b, "table %s at byte %llu claims %u bytes, past the end of the "
                       "%zu-byte file", name, (unsigned long long)pos, tsz, b->len);
    t->pos = (size_t)pos;
    t->vt = (size_t)vt;
    t->vt_size = vsz;
    t->tbl_size = tsz;
    return NEURIO_OK;
}

int nfb_root(nfb_buf *b, nfb_table *root)
{
    if (b->len < 8)
        return fb_fail(b, "the file is %zu bytes, too short for a FlatBuffer header", b->len);
    return table_at(b, rd32(b->p), "root", root);
}

/* Position of field f's bytes (size n) or 0 if absent; errors when the
 * field's slot does not fit in the table. */
static int field_pos(nfb_buf *b, const nfb_table *t, int f, const char *name, size_t n,
                     size_t *pos)
{
    *pos = 0;
    if (f < 0 || 4 + 2 * (size_t)f + 2 > t->vt_size)
        return NEURIO_OK;
    uint16_t fo = rd16(b->p + t->vt + 4 + 2 * (size_t)f);
    if (fo == 0)
        return NEURIO_OK;
    if (fo < 4 || (size_t)fo + n > t->tbl_size)
        return fb_fail(b, "field '%s' of the table at byte %zu sits at offset %u, outside "
                       "the table's %u bytes", name, t->pos, fo, t->tbl_size);
    *pos = t->pos + fo;
    return NEURIO_OK;
}

int nfb_has(const nfb_buf *b, const nfb_table *t, int f)
{
    if (f < 0 || 4 + 2 * (size_t)f + 2 > t->vt_size)
        return 0;
    return rd16(b->p + t->vt + 4 + 2 * (size_t)f) != 0;
}

#define NFB_SCALAR(fn, type, size, conv)                                              \
    int fn(nfb_buf *b, const nfb_table *t, int f, const char *name, type dflt,      \
           type *out)                                                               \
    {                                                                               \
        size_t pos;                                                                 \
        int rc = field_pos(b, t, f, name, size, &pos);                              \
        if (rc)                                                                     \
            return rc;                                                              \
        *out = pos ? conv : dflt;                                                   \
        return NEURIO_OK;                                                           \
    }

NFB_SCALAR(nfb_u8, uint8_t, 1, b->p[pos])
NFB_SCALAR(nfb_i32, int32_t, 4, (int32_t)rd32(b->p + pos))
NFB_SCALAR(nfb_u32, uint32_t, 4, rd32(b->p + pos))
NFB_SCALAR(nfb_u64, uint64_t, 8, rd64(b->p + pos))

int nfb_f32(nfb_buf *b, const nfb_table *t, int f, const char *name, float dflt, float *out)
{
    uint32_t u;
    memcpy(&u, &dflt, 4);
    int rc = nfb_u32(b, t, f, name, u, &u);
    if (rc)
        return rc;
    memcpy(out, &u, 4);
    return NEURIO_OK;
}

/* Follow the uoffset stored in field f; *target = 0 when absent. */
static int deref(nfb_buf *b, const nfb_table *t, int f, const char *name, uint64_t *target)
{
    size_t pos;
    int rc = field_pos(b, t, f, name, 4, &pos);
    *target = 0;
    if (rc || !pos)
        return rc;
    uint64_t tg = (uint64_t)pos + rd32(b->p + pos);
    if (tg >= b->len)
        return fb_fail(b, "field '%s' at byte %zu points to byte %llu, past the end of "
                       "the %zu-byte file", name, pos, (unsigned long long)tg, b->len);
    *target = tg;
    return NEURIO_OK;
}

int nfb_table_field(nfb_buf *b, const nfb_table *t, int f, const char *name,
                    nfb_table *out, int *present)
{
    uint64_t tg;
    int rc = deref(b, t, f, name, &tg);
    *present = 0;
    if (rc || !tg)
        return rc;
    rc = table_at(b, tg, name, out);
    if (rc == NEURIO_OK)
        *present = 1;
    return rc;
}

static int vec_at(nfb_buf *b, uint64_t tg, const char *name, size_t elem, nfb_vec *out)
{
    if (!in_buf(b, tg, 4))
        return fb_fail(b, "vector '%s' at byte %llu has no room for its length",
                       name, (unsigned long long)tg);
    uint32_t n = rd32(b->p + tg);
    if ((uint64_t)n * elem > b->len - tg - 4)
        return fb_fail(b, "vector '%s' at byte %llu claims %u elements of %zu bytes, "
                       "past the end of the %zu-byte file", name, (unsigned long long)tg,
                       n, elem, b->len);
    int rc = spend(b, n);
    if (rc)
        return rc;
    out->pos = (size_t)tg + 4;
    out->n = n;
    out->elem = elem;
    return NEURIO_OK;
}

int nfb_vector(nfb_buf *b, const nfb_table *t, int f, const char *name, size_t elem,
               nfb_vec *out)
{
    uint64_t tg;
    int rc = deref(b, t, f, name, &tg);
    memset(out, 0, sizeof *out);
    out->elem = elem;
    if (rc || !tg)
        return rc;
    return vec_at(b, tg, name, elem, out);
}

int nfb_string(nfb_buf *b, const nfb_table *t, int f, const char *name, const char **s,
               uint32_t *n)
{
    nfb_vec v;
    *s = "";
    *n = 0;
    int rc = nfb_vector(b, t, f, name, 1, &v);
    if (rc || v.pos == 0)
        return rc;
    if (v.pos + v.n >= b->len || b->p[v.pos + v.n] != 0)
        return fb_fail(b, "string '%s' at byte %zu (%u bytes) is not NUL-terminated",
                       name, v.pos - 4, v.n);
    *s = (const char *)b->p + v.pos;
    *n = v.n;
    return NEURIO_OK;
}

int nfb_vec_table(nfb_buf *b, const nfb_vec *v, uint32_t i, const char *name, nfb_table *out)
{
    if (i >= v->n || v->elem != 4)
        return fb_fail(b, "internal: table %u of vector '%s' out of range", i, name);
    size_t pos = v->pos + 4 * (size_t)i;
    uint64_t tg = (uint64_t)pos + rd32(b->p + pos);
    return table_at(b, tg, name, out);
}

int32_t nfb_vec_i32(const nfb_buf *b, const nfb_vec *v, uint32_t i)
{
    return (int32_t)rd32(b->p + v->pos + 4 * (size_t)i);
}

int64_t nfb_vec_i64(const nfb_buf *b, const nfb_vec *v, uint32_t i)
{
    return (int64_t)rd64(b->p + v->pos + 8 * (size_t)i);
}

float nfb_vec_f32(const nfb_buf *b, const nfb_vec *v, uint32_t i)
{
    uint32_t u = rd32(b->p + v->pos + 4 * (size_t)i);
    float f;
    memcpy(&f, &u, 4);
    return f;
}
