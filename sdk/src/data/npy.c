/* sdk/src/data/npy.c — NumPy .npy reader and atomic writer.
 *
 * Format (numpy/lib/format.py, NEP 1): magic "\x93NUMPY", major, minor,
 * header length (uint16 LE for 1.0, uint32 LE for 2.0/3.0), then a Python
 * dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (N, ...), }
 * padded with spaces and ending in '\n', then the raw data. */
#include "neurio/npy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char npy_magic[6] = { '\x93', 'N', 'U', 'M', 'P', 'Y' };

typedef struct npy_dtype_map {
    const char *descr; /* without the byte-order character */
    neurio_dtype dt;
} npy_dtype_map;

static const npy_dtype_map npy_dtypes[] = {
    { "i1", NEURIO_DT_INT8 },    { "u1", NEURIO_DT_UINT8 },
    { "i2", NEURIO_DT_INT16 },   { "i4", NEURIO_DT_INT32 },
    { "i8", NEURIO_DT_INT64 },   { "f4", NEURIO_DT_FLOAT32 },
    { "f8", NEURIO_DT_FLOAT64 }, { "b1", NEURIO_DT_BOOL },
};

size_t neurio_npy_elements(const neurio_npy *a)
{
    size_t n = 1;
    for (int32_t i = 0; i < a->rank; i++)
        n *= (size_t)a->dims[i];
    return n;
}

void neurio_npy_free(neurio_npy *a)
{
    if (!a)
        return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* --- header dict parsing ----------------------------------------------- */

typedef struct npy_hdr {
    const char *s; /* header text */
    size_t len;
    size_t pos;
    size_t base;   /* file offset of s[0], for messages */
    const char *name;
    neurio_errbuf *err;
} npy_hdr;

static void hdr_skip_ws(npy_hdr *h)
{
    while (h->pos < h->len && (h->s[h->pos] == ' ' || h->s[h->pos] == '\t' ||
                               h->s[h->pos] == '\n' || h->s[h->pos] == '\r'))
        h->pos++;
}

/* Copy up to `len` bytes of src for quoting in a one-line message: control
 * and non-ASCII bytes become '?', trailing whitespace is dropped. */
static void npy_printable(char *dst, size_t cap, const char *src, size_t len)
{
    size_t n = 0;
    while (len && (src[len - 1] == '\n' || src[len - 1] == ' ' || src[len - 1] == '\r'))
        len--;
    for (size_t i = 0; i < len && n + 1 < cap; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[n++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    dst[n] = '\0';
}

static int hdr_fail(npy_hdr *h, const char *what)
{
    char shown[124];
    npy_printable(shown, sizeof shown, h->s, h->len);
    return neurio_fail(h->err, NEURIO_ERR_FORMAT,
                       "%s: bad .npy header at byte %zu: %s (header: %s); "
                       "re-save the array with numpy.save()",
                       h->name, h->base + h->pos, what, shown);
}

static int hdr_expect(npy_hdr *h, char c)
{
    hdr_skip_ws(h);
    if (h->pos >= h->len || h->s[h->pos] != c) {
        char what[48];
        snprintf(what, sizeof what, "expected '%c'", c);
        return hdr_fail(h, what);
    }
    h->pos++;
    return NEURIO_OK;
}

/* Quoted string (single or double quotes) into out. */
static int hdr_string(npy_hdr *h, char *out, size_t cap)
{
    hdr_skip_ws(h);
    if (h->pos >= h->len || (h->s[h->pos] != '\'' && h->s[h->pos] != '"'))
        return hdr_fail(h, "expected a quoted string");
    char q = h->s[h->pos++];
    size_t n = 0;
    while (h->pos < h->len && h->s[h->pos] != q) {
        if (n + 1 >= cap)
            return hdr_fail(h, "string too long");
        out[n++] = h->s[h->pos++];
    }
    if (h->pos >= h->len)
        return hdr_fail(h, "unterminated string");
    h->pos++;
    out[n] = '\0';
    return NEURIO_OK;
}

static int hdr_shape(npy_hdr *h, neurio_npy *a)
{
    int rc = hdr_expect(h, '(');
    if (rc)
        return rc;
    a->rank = 0;
    for (;;) {
        hdr_skip_ws(h);
        if (h->pos < h->len && h->s[h->pos] == ')') {
            h->pos++;
            return NEURIO_OK;
        }
        if (h->pos >= h->len || h->s[h->pos] < '0' || h->s[h->pos] > '9')
            return hdr_fail(h, "expected a non-negative integer in shape");
        int64_t v = 0;
        while (h->pos < h->len && h->s[h->pos] >= '0' && h->s[h->pos] <= '9') {
            if (v > (INT64_MAX - 9) / 10)
                return hdr_fail(h, "dimension too large");
            v = v * 10 + (h->s[h->pos++] - '0');
        }
        if (h->pos < h->len && h->s[h->pos] == 'L') /* Python 2 long */
            h->pos++;
        if (a->rank >= NEURIO_NPY_MAX_RANK)
            return hdr_fail(h, "more than 8 dimensions");
        a->dims[a->rank++] = v;
        hdr_skip_ws(h);
        if (h->pos < h->len && h->s[h->pos] == ',')
            h->pos++;
        else if (h->pos < h->len && h->s[h->pos] == ')')
            continue;
        else
            return hdr_fail(h, "expected ',' or ')' in shape");
    }
}

static int parse_header(npy_hdr *h, neurio_npy *a)
{
    char key[32], descr[32] = "";
    int have_descr = 0, have_fortran = 0, have_shape = 0, fortran = 0;
    int rc = hdr_expect(h, '{');
    if (rc)
        return rc;
    for (;;) {
        hdr_skip_ws(h);
        if (h->pos < h->len && h->s[h->pos] == '}') {
            h->pos++;
            break;
        }
        if ((rc = hdr_string(h, key, sizeof key)) != 0)
            return rc;
        if ((rc = hdr_expect(h, ':')) != 0)
            return rc;
        hdr_skip_ws(h);
        if (!strcmp(key, "descr")) {
            if (h->pos < h->len && h->s[h->pos] == '[')
                return neurio_fail(h->err, NEURIO_ERR_UNSUPPORTED,
                                   "%s: structured dtype at byte %zu is not supported; "
                                   "save a plain numeric array",
                                   h->name, h->base + h->pos);
            if ((rc = hdr_string(h, descr, sizeof descr)) != 0)
                return rc;
            have_descr = 1;
        } else if (!strcmp(key, "fortran_order")) {
            if (h->len - h->pos >= 4 && !memcmp(h->s + h->pos, "True", 4)) {
                fortran = 1;
                h->pos += 4;
            } else if (h->len - h->pos >= 5 && !memcmp(h->s + h->pos, "False", 5)) {
                h->pos += 5;
            } else {
                return hdr_fail(h, "fortran_order must be True or False");
            }
            have_fortran = 1;
        } else if (!strcmp(key, "shape")) {
            if ((rc = hdr_shape(h, a)) != 0)
                return rc;
            have_shape = 1;
        } else {
            return hdr_fail(h, "unknown key");
        }
        hdr_skip_ws(h);
        if (h->pos < h->len && h->s[h->pos] == ',')
            h->pos++;
        else if (!(h->pos < h->len && h->s[h->pos] == '}'))
            return hdr_fail(h, "expected ',' or '}'");
    }
    if (!have_descr || !have_fortran || !have_shape)
        return hdr_fail(h, !have_descr ? "missing 'descr'"
                           : !have_fortran ? "missing 'fortran_order'"
                                           : "missing 'shape'");
    if (fortran)
        return neurio_fail(h->err, NEURIO_ERR_FORMAT,
                           "%s: array is in Fortran order (fortran_order: True); "
                           "neurio reads C order only: save numpy.ascontiguousarray(a)",
                           h->name);
    /* byte order: '<' little, '|' not applicable, '=' native; '>' refused */
    const char *d = descr;
    char order = 0;
    if (*d == '<' || *d == '|' || *d == '=' || *d == '>')
        order = *d++;
    a->dtype = NEURIO_DT_UNKNOWN;
    for (size_t i = 0; i < sizeof npy_dtypes / sizeof npy_dtypes[0]; i++)
        if (!strcmp(d, npy_dtypes[i].descr))
            a->dtype = npy_dtypes[i].dt;
    if (a->dtype == NEURIO_DT_UNKNOWN || (order == '>' && neurio_dtype_size(a->dtype) > 1))
    {
        char shown[sizeof descr];
        npy_printable(shown, sizeof shown, descr, strlen(descr));
        return neurio_fail(h->err, NEURIO_ERR_UNSUPPORTED,
                           "%s: unsupported dtype '%s'; neurio reads little-endian "
                           "int8, uint8, int16, int32, int64, float32, float64 and bool: "
                           "convert with a.astype(numpy.float32)",
                           h->name, shown);
    }
    return NEURIO_OK;
}

int neurio_npy_parse_header(const void *buf, size_t len, uint64_t file_len, const char *name,
                            neurio_npy *out, uint64_t *data_offset, neurio_errbuf *err)
{
    const unsigned char *p = buf;
    neurio_npy a;
    memset(&a, 0, sizeof a);
    memset(out, 0, sizeof *out);
    if (!name)
        name = "<memory>";
    if (len < 10 || memcmp(p, npy_magic, sizeof npy_magic) != 0)
        return neurio_fail(err, NEURIO_ERR_FORMAT,
                           "%s: not a .npy file (magic \\x93NUMPY missing at byte 0); "
                           "save the array with numpy.save()", name);
    unsigned major = p[6], minor = p[7];
    size_t hlen, hstart;
    if (major == 1) {
        hlen = (size_t)p[8] | ((size_t)p[9] << 8);
        hstart = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12)
            return neurio_fail(err, NEURIO_ERR_FORMAT,
                               "%s: truncated .npy header at byte %zu", name, len);
        hlen = (size_t)p[8] | ((size_t)p[9] << 8) | ((size_t)p[10] << 16) |
               ((size_t)p[11] << 24);
        hstart = 12;
    } else {
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "%s: .npy format version %u.%u at byte 6 is not supported "
                           "(1.0, 2.0, 3.0 are); re-save with numpy.save()",
                           name, major, minor);
    }
    if (hlen > len - hstart)
        return neurio_fail(err, NEURIO_ERR_FORMAT,
                           "%s: truncated .npy header: %zu header bytes declared at "
                           "byte 8, only %zu present", name, hlen, len - hstart);
    npy_hdr h = { .s = (const char *)p + hstart, .len = hlen, .pos = 0,
                  .base = hstart, .name = name, .err = err };
    int rc = parse_header(&h, &a);
    if (rc)
        return rc;
    size_t es = neurio_dtype_size(a.dtype);
    size_t n = 1;
    for (int32_t i = 0; i < a.rank; i++) {
        if (a.dims[i] != 0 && n > SIZE_MAX / es / (size_t)a.dims[i])
            return neurio_fail(err, NEURIO_ERR_FORMAT,
                               "%s: shape too large for memory (dimension %d = %lld)",
                               name, (int)i, (long long)a.dims[i]);
        n *= (size_t)a.dims[i];
    }
    uint64_t need = (uint64_t)n * es, dstart = hstart + hlen, have = file_len - dstart;
    if (file_len < dstart || have < need)
        return neurio_fail(err, NEURIO_ERR_FORMAT,
                           "%s: truncated data: shape needs %llu bytes from byte %llu, "
                           "file has %llu; the file was cut short, re-create it",
                           name, (unsigned long long)need, (unsigned long long)dstart,
                           (unsigned long long)(file_len < dstart ? 0 : have));
    if (have > need)
        return neurio_fail(err, NEURIO_ERR_FORMAT,
                           "%s: %llu trailing bytes after the data (byte %llu); "
                           "the header's shape does not match the file size",
                           name, (unsigned long long)(have - need),
                           (unsigned long long)(dstart + need));
    a.bytes = (size_t)need;
    *out = a;
    *data_offset = dstart;
    return NEURIO_OK;
}

int neurio_npy_parse(const void *buf, size_t len, const char *name,
                     neurio_npy *out, neurio_errbuf *err)
{
    neurio_npy a;
    uint64_t dstart = 0;
    memset(out, 0, sizeof *out);
    int rc = neurio_npy_parse_header(buf, len, len, name, &a, &dstart, err);
    if (rc)
        return rc;
    a.data = malloc(a.bytes ? a.bytes : 1);
    if (!a.data)
        return neurio_fail(err, NEURIO_ERR_NOMEM, "%s: out of memory for %zu bytes",
                           name ? name : "<memory>", a.bytes);
    if (a.bytes)
        memcpy(a.data, (const unsigned char *)buf + dstart, a.bytes);
    *out = a;
    return NEURIO_OK;
}

int neurio_npy_read(const char *path, neurio_npy *out, neurio_errbuf *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    int rc;
    if (!f)
        return neurio_fail(err, NEURIO_ERR_IO, "%s: cannot open: %s", path,
                           strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0)
        goto io_fail;
    long sz = ftell(f);
    if (sz < 0 || fseek(f, 0, SEEK_SET) != 0)
        goto io_fail;
    buf = malloc((size_t)sz + 1);
    if (!buf) {
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "%s: out of memory", path);
        goto fail;
    }
    if (fread(buf, 1, (size_t)sz, f) != (size_t)sz)
        goto io_fail;
    rc = neurio_npy_parse(buf, (size_t)sz, path, out, err);
    goto fail;
io_fail:
    rc = neurio_fail(err, NEURIO_ERR_IO, "%s: read error: %s", path, strerror(errno));
fail:
    free(buf);
    fclose(f);
    return rc;
}

const char *neurio_npy_descr(neurio_dtype dt)
{
    switch (dt) {
    case NEURIO_DT_INT8: return "|i1";
    case NEURIO_DT_UINT8: return "|u1";
    case NEURIO_DT_INT16: return "<i2";
    case NEURIO_DT_INT32: return "<i4";
    case NEURIO_DT_INT64: return "<i8";
    case NEURIO_DT_FLOAT32: return "<f4";
    case NEURIO_DT_FLOAT64: return "<f8";
    case NEURIO_DT_BOOL: return "|b1";
    default: return NULL;
    }
}

int neurio_npy_write(const char *path, neurio_dtype dt, int32_t rank,
                     const int64_t *dims, const void *data, neurio_errbuf *err)
{
    const char *descr = neurio_npy_descr(dt);
    char hdr[512], tmp[4096];
    FILE *f = NULL;
    int rc = NEURIO_OK;
    if (!descr)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "%s: cannot write dtype %s to .npy", path,
                           neurio_dtype_name(dt));
    if (rank < 0 || rank > NEURIO_NPY_MAX_RANK || (rank > 0 && !dims))
        return neurio_fail(err, NEURIO_ERR_INVALID, "%s: invalid rank %d", path,
                           (int)rank);
    size_t n = 1;
    int len = snprintf(hdr, sizeof hdr, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                       descr);
    for (int32_t i = 0; i < rank; i++) {
        if (dims[i] < 0)
            return neurio_fail(err, NEURIO_ERR_INVALID, "%s: negative dimension %d",
                               path, (int)i);
        n *= (size_t)dims[i];
        len += snprintf(hdr + len, sizeof hdr - (size_t)len, "%lld%s",
                        (long long)dims[i], (rank == 1 || i + 1 < rank) ? ", " : "");
    }
    if (rank == 1)
        len -= 1; /* "(N, )" → "(N,)" */
    len += snprintf(hdr + len, sizeof hdr - (size_t)len, "), }");
    /* pad so that magic+len+header is a multiple of 64, ending in '\n' */
    size_t total = 10 + (size_t)len + 1;
    size_t pad = (64 - total % 64) % 64;
    size_t hlen = (size_t)len + pad + 1;
    memset(hdr + len, ' ', pad);
    hdr[hlen - 1] = '\n';
    size_t bytes = n * neurio_dtype_size(dt);
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return neurio_fail(err, NEURIO_ERR_INVALID, "%s: path too long", path);
    f = fopen(tmp, "wb");
    if (!f)
        return neurio_fail(err, NEURIO_ERR_IO, "%s: cannot create: %s", tmp,
                           strerror(errno));
    unsigned char pre[10];
    memcpy(pre, npy_magic, 6);
    pre[6] = 1;
    pre[7] = 0;
    pre[8] = (unsigned char)(hlen & 0xff);
    pre[9] = (unsigned char)(hlen >> 8);
    if (fwrite(pre, 1, 10, f) != 10 || fwrite(hdr, 1, hlen, f) != hlen ||
        (bytes && fwrite(data, 1, bytes, f) != bytes)) {
        rc = neurio_fail(err, NEURIO_ERR_IO, "%s: write error: %s", tmp, strerror(errno));
        goto fail;
    }
    /* On disk before the rename: a crash or a full disk never leaves a
     * truncated file where a good one was. */
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        rc = neurio_fail(err, NEURIO_ERR_IO, "%s: write error: %s", tmp, strerror(errno));
        goto fail;
    }
    FILE *ff = f;
    f = NULL;
    if (fclose(ff) != 0) {
        rc = neurio_fail(err, NEURIO_ERR_IO, "%s: write error: %s", tmp, strerror(errno));
        goto fail;
    }
    if (rename(tmp, path) != 0) {
        rc = neurio_fail(err, NEURIO_ERR_IO, "%s: cannot rename to %s: %s", tmp, path,
                         strerror(errno));
        goto fail;
    }
    return NEURIO_OK;
fail:
    if (f)
        fclose(f);
    unlink(tmp);
    return rc;
}
