/* sdk/src/import/tflite/flexbuf.c — FlexBuffers option maps (flexbuf.h). */
#include "flexbuf.h"

#include <string.h>

enum { FX_INT = 1, FX_UINT = 2, FX_FLOAT = 3, FX_INDIRECT_INT = 6, FX_INDIRECT_UINT = 7,
       FX_INDIRECT_FLOAT = 8, FX_MAP = 9, FX_BOOL = 26 };

static int fx_in(size_t len, size_t pos, size_t n)
{
    return pos <= len && n <= len - pos;
}

static uint64_t fx_uint(const uint8_t *p, size_t w)
{
    uint64_t v = 0;
    for (size_t i = w; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}

static int64_t fx_int(const uint8_t *p, size_t w)
{
    uint64_t v = fx_uint(p, w);
    if (w < 8 && (v >> (8 * w - 1)) & 1)
        v |= ~(uint64_t)0 << (8 * w);
    return (int64_t)v;
}

static int fx_width_ok(uint64_t w)
{
    return w == 1 || w == 2 || w == 4 || w == 8;
}

/* Backward offset stored at pos (width w): the target position. */
static int fx_back(const nflx_map *m, size_t pos, size_t w, size_t *out)
{
    if (!fx_in(m->len, pos, w))
        return -1;
    uint64_t off = fx_uint(m->p + pos, w);
    if (off > pos)
        return -1;
    *out = pos - (size_t)off;
    return 0;
}

int nflx_root_map(const uint8_t *buf, size_t len, nflx_map *m, const char **why)
{
    memset(m, 0, sizeof *m);
    m->p = buf;
    m->len = len;
    *why = "custom options are not a FlexBuffers map";
    if (!buf || len < 3)
        return -1;
    const uint64_t rw = buf[len - 1];
    const uint8_t packed = buf[len - 2];
    if (!fx_width_ok(rw) || rw + 2 > len || (packed >> 2) != FX_MAP)
        return -1;
    const size_t w = (size_t)1 << (packed & 3);
    size_t data;
    if (fx_back(m, len - 2 - (size_t)rw, (size_t)rw, &data) || data < 3 * w)
        return -1;
    const uint64_t n = fx_uint(buf + data - w, w);
    const uint64_t kw = fx_uint(buf + data - 2 * w, w);
    size_t keys;
    if (!fx_width_ok(kw) || n > len || fx_back(m, data - 3 * w, w, &keys) ||
        !fx_in(len, data, (size_t)n * (w + 1)) || !fx_in(len, keys, (size_t)n * (size_t)kw)) {
        *why = "custom options map has an entry outside the buffer";
        return -1;
    }
    m->values = data;
    m->keys = keys;
    m->n = (uint32_t)n;
    m->width = (uint8_t)w;
    m->key_width = (uint8_t)kw;
    return 0;
}

int nflx_map_int(const nflx_map *m, const char *key, int64_t *v, const char **why)
{
    for (uint32_t i = 0; i < m->n; i++) {
        size_t ks;
        *why = "custom options map has a key outside the buffer";
        if (fx_back(m, m->keys + (size_t)i * m->key_width, m->key_width, &ks))
            return -1;
        const uint8_t *nul = memchr(m->p + ks, 0, m->len - ks);
        if (!nul)
            return -1;
        if (strcmp((const char *)(m->p + ks), key) != 0)
            continue;
        const size_t slot = m->values + (size_t)i * m->width;
        const uint8_t packed = m->p[m->values + (size_t)m->n * m->width + i];
        const int type = packed >> 2;
        size_t pos = slot, w = m->width;
        if (type == FX_INDIRECT_INT || type == FX_INDIRECT_UINT || type == FX_INDIRECT_FLOAT) {
            w = (size_t)1 << (packed & 3);
            if (fx_back(m, slot, m->width, &pos) || !fx_in(m->len, pos, w))
                return -1;
        }
        *why = "custom option is not a number";
        switch (type) {
        case FX_INT: case FX_INDIRECT_INT: *v = fx_int(m->p + pos, w); return 1;
        case FX_UINT: case FX_INDIRECT_UINT: case FX_BOOL:
            *v = (int64_t)fx_uint(m->p + pos, w);
            return 1;
        case FX_FLOAT: case FX_INDIRECT_FLOAT:
            if (w == 4) {
                float f;
                uint32_t u = (uint32_t)fx_uint(m->p + pos, 4);
                memcpy(&f, &u, 4);
                *v = f > -9.2e18f && f < 9.2e18f ? (int64_t)f : 0;
                return 1;
            }
            if (w == 8) {
                double d;
                uint64_t u = fx_uint(m->p + pos, 8);
                memcpy(&d, &u, 8);
                *v = d > -9.2e18 && d < 9.2e18 ? (int64_t)d : 0;
                return 1;
            }
            return -1;
        default:
            return -1;
        }
    }
    return 0;
}
