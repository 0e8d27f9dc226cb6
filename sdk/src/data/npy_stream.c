/* sdk/src/data/npy_stream.c — .npy rows on demand (reader) and an appending
 * writer whose header always states the rows written: memory bounded by
 * the caller's batch, not the array.  See neurio/npy.h. */
#define _FILE_OFFSET_BITS 64
#define _POSIX_C_SOURCE 200809L
#include "neurio/npy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static char *ns_strdup(const char *s)
{
    size_t l = strlen(s) + 1;
    char *d = malloc(l);
    if (d)
        memcpy(d, s, l);
    return d;
}

int neurio_npy_open(const char *path, neurio_npy_reader *r, neurio_errbuf *err)
{
    memset(r, 0, sizeof *r);
    unsigned char pre[12];
    unsigned char *buf = NULL;
    int rc;
    FILE *f = fopen(path, "rb");
    if (!f)
        return neurio_fail(err, NEURIO_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        rc = neurio_fail(err, NEURIO_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
        goto fail;
    }
    uint64_t size = (uint64_t)st.st_size;
    size_t got = fread(pre, 1, sizeof pre, f);
    size_t hstart = got >= 7 && pre[6] >= 2 ? 12 : 10, hlen = 0;
    if (got >= 10)
        hlen = pre[6] >= 2 && got >= 12 ? (size_t)pre[8] | ((size_t)pre[9] << 8) |
                                              ((size_t)pre[10] << 16) | ((size_t)pre[11] << 24)
                                        : (size_t)pre[8] | ((size_t)pre[9] << 8);
    size_t want = hstart + hlen;
    if (want > size)
        want = (size_t)size; /* parse_header names the truncation */
    if (want < got)
        want = got;
    buf = malloc(want ? want : 1);
    if (!buf) {
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "%s: out of memory", path);
        goto fail;
    }
    memcpy(buf, pre, got < want ? got : want);
    if (want > got && fread(buf + got, 1, want - got, f) != want - got) {
        rc = neurio_fail(err, NEURIO_ERR_IO, "%s: read error: %s", path, strerror(errno));
        goto fail;
    }
    rc = neurio_npy_parse_header(buf, want, size, path, &r->hdr, &r->data_offset, err);
    if (rc)
        goto fail;
    r->n_rows = r->hdr.rank ? (size_t)r->hdr.dims[0] : 1;
    size_t per = 1;
    for (int32_t i = 1; i < r->hdr.rank; i++)
        per *= (size_t)r->hdr.dims[i];
    r->row_bytes = per * neurio_dtype_size(r->hdr.dtype);
    if (!(r->path = ns_strdup(path))) {
        rc = neurio_fail(err, NEURIO_ERR_NOMEM, "%s: out of memory", path);
        goto fail;
    }
    r->file = f;
    free(buf);
    return NEURIO_OK;
fail:
    free(buf);
    fclose(f);
    memset(r, 0, sizeof *r);
    return rc;
}

int neurio_npy_read_rows(neurio_npy_reader *r, size_t first, size_t count, void *buf,
                         neurio_errbuf *err)
{
    if (!r->file || first > r->n_rows || count > r->n_rows - first)
        return neurio_fail(err, NEURIO_ERR_INVALID, "%s: rows %zu..%zu asked, the array has %zu",
                           r->path ? r->path : "npy", first, first + count, r->n_rows);
    size_t bytes = count * r->row_bytes;
    if (!bytes)
        return NEURIO_OK;
    FILE *f = r->file;
    off_t at = (off_t)(r->data_offset + (uint64_t)first * r->row_bytes);
    if (fseeko(f, at, SEEK_SET) != 0 || fread(buf, 1, bytes, f) != bytes)
        return neurio_fail(err, NEURIO_ERR_IO, "%s: cannot read rows %zu..%zu (byte %lld): %s; "
                           "was the file changed during the run?", r->path, first,
                           first + count - 1, (long long)at,
                           ferror(f) ? strerror(errno) : "end of file");
    return NEURIO_OK;
}

void neurio_npy_close(neurio_npy_reader *r)
{
    if (!r)
        return;
    if (r->file)
        fclose(r->file);
    free(r->path);
    memset(r, 0, sizeof *r);
}

/* ---- writer ------------------------------------------------------------ */

/* The header dict for `rows` rows; returns its length (no padding). */
static int nw_text(const neurio_npy_writer *w, size_t rows, char *hdr, size_t cap)
{
    int len = snprintf(hdr, cap, "{'descr': '%s', 'fortran_order': False, 'shape': (%zu%s",
                       neurio_npy_descr(w->dtype), rows, w->rank == 1 ? "," : "");
    for (int32_t i = 1; i < w->rank && len > 0 && (size_t)len < cap; i++)
        len += snprintf(hdr + len, cap - (size_t)len, ", %lld", (long long)w->dims[i]);
    if (len > 0 && (size_t)len < cap)
        len += snprintf(hdr + len, cap - (size_t)len, "), }");
    return len;
}

/* Prefix + header for `rows`, padded to w->hlen; written at offset 0. */
static int nw_header(neurio_npy_writer *w, size_t rows, neurio_errbuf *err)
{
    char hdr[1024];
    unsigned char pre[12];
    int len = nw_text(w, rows, hdr, sizeof hdr);
    if (len < 0 || (size_t)len + 1 > w->hlen || w->hlen > sizeof hdr)
        return neurio_fail(err, NEURIO_ERR_INTERNAL, "%s: .npy header does not fit", w->path);
    memset(hdr + len, ' ', w->hlen - (size_t)len - 1);
    hdr[w->hlen - 1] = '\n';
    size_t np = w->version == 1 ? 10 : 12;
    memcpy(pre, "\x93NUMPY", 6);
    pre[6] = (unsigned char)w->version;
    pre[7] = 0;
    for (size_t i = 8; i < np; i++)
        pre[i] = (unsigned char)((w->hlen >> (8 * (i - 8))) & 0xff);
    FILE *f = w->file;
    if (fseeko(f, 0, SEEK_SET) != 0 || fwrite(pre, 1, np, f) != np ||
        fwrite(hdr, 1, w->hlen, f) != w->hlen || fflush(f) != 0)
        return neurio_fail(err, NEURIO_ERR_IO, "%s: write error: %s", w->path, strerror(errno));
    return NEURIO_OK;
}

int neurio_npy_create(const char *path, neurio_dtype dt, int32_t rank, const int64_t *dims,
                      neurio_npy_writer *w, neurio_errbuf *err)
{
    char hdr[1024];
    memset(w, 0, sizeof *w);
    if (!neurio_npy_descr(dt))
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "%s: cannot write dtype %s to .npy",
                           path, neurio_dtype_name(dt));
    if (rank < 1 || rank > NEURIO_NPY_MAX_RANK || !dims)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "%s: rank %d; a .npy of rows has rank 1..%d", path, (int)rank,
                           NEURIO_NPY_MAX_RANK);
    w->dtype = dt;
    w->rank = rank;
    size_t per = 1;
    for (int32_t i = 0; i < rank; i++) {
        if (dims[i] < 0)
            return neurio_fail(err, NEURIO_ERR_INVALID, "%s: negative dimension %d", path,
                               (int)i);
        w->dims[i] = dims[i];
        if (i)
            per *= (size_t)dims[i];
    }
    w->row_bytes = per * neurio_dtype_size(dt);
    int len = nw_text(w, (size_t)dims[0], hdr, sizeof hdr);
    if (len < 0 || (size_t)len >= sizeof hdr - 64)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED, "%s: .npy header too long", path);
    w->version = 1;
    size_t total = 10 + (size_t)len + 1;
    w->hlen = (size_t)len + 1 + (64 - total % 64) % 64;
    if (!(w->path = ns_strdup(path)))
        return neurio_fail(err, NEURIO_ERR_NOMEM, "%s: out of memory", path);
    FILE *f = fopen(path, "wb");
    if (!f) {
        int rc = neurio_fail(err, NEURIO_ERR_IO, "%s: cannot create: %s", path,
                             strerror(errno));
        free(w->path);
        memset(w, 0, sizeof *w);
        return rc;
    }
    w->file = f;
    int rc = nw_header(w, 0, err);
    if (rc) {
        fclose(f);
        free(w->path);
        memset(w, 0, sizeof *w);
    }
    return rc;
}

int neurio_npy_append(neurio_npy_writer *w, const void *rows, size_t count, neurio_errbuf *err)
{
    if (!w->file)
        return neurio_fail(err, NEURIO_ERR_INVALID, "npy writer: not open");
    if (count > (size_t)w->dims[0] - w->rows)
        return neurio_fail(err, NEURIO_ERR_INVALID, "%s: %zu rows past the %lld planned",
                           w->path, w->rows + count - (size_t)w->dims[0],
                           (long long)w->dims[0]);
    size_t bytes = count * w->row_bytes;
    FILE *f = w->file;
    off_t at = (off_t)((w->version == 1 ? 10 : 12) + w->hlen + w->rows * w->row_bytes);
    if (bytes && (fseeko(f, at, SEEK_SET) != 0 || fwrite(rows, 1, bytes, f) != bytes ||
                  fflush(f) != 0)) {
        int e = errno;
        clearerr(f);
        /* Cut what may have reached the file: it stays the valid array of
         * the rows before. */
        if (ftruncate(fileno(f), at) != 0)
            (void)0;
        return neurio_fail(err, NEURIO_ERR_IO, "%s: write error after %zu rows: %s", w->path,
                           w->rows, strerror(e));
    }
    int rc = nw_header(w, w->rows + count, err);
    if (!rc)
        w->rows += count;
    return rc;
}

int neurio_npy_close_writer(neurio_npy_writer *w, neurio_errbuf *err)
{
    int rc = NEURIO_OK;
    if (!w || !w->file)
        goto out;
    FILE *f = w->file;
    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        rc = neurio_fail(err, NEURIO_ERR_IO, "%s: write error: %s", w->path, strerror(errno));
    if (fclose(f) != 0 && !rc)
        rc = neurio_fail(err, NEURIO_ERR_IO, "%s: write error: %s", w->path, strerror(errno));
out:
    if (w) {
        free(w->path);
        memset(w, 0, sizeof *w);
    }
    return rc;
}
