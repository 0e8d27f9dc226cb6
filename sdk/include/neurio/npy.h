/* neurio/npy.h — NumPy .npy arrays (format versions 1.0, 2.0 and 3.0).
 *
 * Supported: C-order (fortran_order False) arrays of little-endian or
 * byte-order-free dtypes int8 (|i1), uint8 (|u1), int16 (<i2), int32 (<i4),
 * int64 (<i8), float32 (<f4), float64 (<f8) and bool (|b1), rank 0..8.
 * Everything else is refused with a message naming the file, the byte
 * offset and the offending header text.
 */
#ifndef NEURIO_NPY_H
#define NEURIO_NPY_H

#include "neurio/api.h"

#include <stddef.h>
#include <stdint.h>

#include "neurio/model.h"
#include "neurio/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NEURIO_NPY_MAX_RANK 8

typedef struct neurio_npy {
    neurio_dtype dtype;
    int32_t rank;
    int64_t dims[NEURIO_NPY_MAX_RANK];
    void *data;       /* C order, native byte order; owned (neurio_npy_free) */
    size_t bytes;     /* = product(dims) * neurio_dtype_size(dtype)          */
} neurio_npy;

/* Read a whole .npy file into *out (zeroed first).  Returns NEURIO_OK, or
 * NEURIO_ERR_IO (cannot open/read), NEURIO_ERR_FORMAT (bad magic, header,
 * truncated data, Fortran order), NEURIO_ERR_UNSUPPORTED (dtype), with a
 * one-line message in err.  On failure *out holds nothing to free. */
NEURIO_API int neurio_npy_read(const char *path, neurio_npy *out, neurio_errbuf *err);

/* Parse a .npy image already in memory (same rules as neurio_npy_read; the
 * data is copied, `name` is used in messages). */
NEURIO_API int neurio_npy_parse(const void *buf, size_t len, const char *name,
                     neurio_npy *out, neurio_errbuf *err);

/* Write an array as a version 1.0 .npy (2.0 if the header needs it).
 * Atomic: written to "<path>.tmp.<pid>" then renamed; on failure no file is
 * left behind.  data holds product(dims) elements of dt in C order. */
NEURIO_API int neurio_npy_write(const char *path, neurio_dtype dt, int32_t rank,
                     const int64_t *dims, const void *data,
                     neurio_errbuf *err);

/* Parse the header of a .npy image whose first `len` bytes are in buf and
 * whose whole file has file_len bytes: *out gets dtype, rank, dims and
 * bytes (data NULL, nothing to free), *data_offset where the data starts.
 * Same checks and messages as neurio_npy_parse (the data size against
 * file_len included). */
NEURIO_API int neurio_npy_parse_header(const void *buf, size_t len, uint64_t file_len,
                                       const char *name, neurio_npy *out,
                                       uint64_t *data_offset, neurio_errbuf *err);

/* The .npy descr of a dtype ("<f4"), NULL when .npy cannot hold it. */
NEURIO_API const char *neurio_npy_descr(neurio_dtype dt);

/* ---- streaming: rows of a large array without holding it --------------
 *
 * A reader gives rows (entries of the leading dimension) of a file on
 * demand: memory is the caller's buffer, not the array. */
typedef struct neurio_npy_reader {
    neurio_npy hdr;        /* dtype, rank, dims, bytes; data NULL           */
    size_t n_rows;         /* dims[0] (1 for rank 0)                        */
    size_t row_bytes;      /* bytes of one row                              */
    uint64_t data_offset;  /* where row 0 starts in the file                */
    void *file;            /* FILE *, owned                                 */
    char *path;            /* owned copy, for messages                      */
} neurio_npy_reader;

/* Open `path` and check its header against its size (the messages of
 * neurio_npy_read).  Returns NEURIO_OK, or IO/FORMAT/UNSUPPORTED/NOMEM
 * with the reader left closed. */
NEURIO_API int neurio_npy_open(const char *path, neurio_npy_reader *r, neurio_errbuf *err);

/* Copy rows [first, first + count) into buf (count * row_bytes bytes).
 * NEURIO_ERR_INVALID when the range is outside the array, NEURIO_ERR_IO on
 * a read error (the file changed under the run), naming the file. */
NEURIO_API int neurio_npy_read_rows(neurio_npy_reader *r, size_t first, size_t count, void *buf,
                                    neurio_errbuf *err);

/* Close and zero; a zeroed reader is fine. */
NEURIO_API void neurio_npy_close(neurio_npy_reader *r);

/* A writer appends rows to a .npy whose header always states the rows
 * written so far: after each neurio_npy_append returns, the file is a
 * complete, valid array (an interrupted run keeps every row it wrote).
 * The header is sized for max_rows (dims[0] of `dims`), so it is patched
 * in place, never moved.  Writes to `path` directly (replacing a file
 * there). */
typedef struct neurio_npy_writer {
    neurio_dtype dtype;
    int32_t rank;
    int64_t dims[NEURIO_NPY_MAX_RANK];
    size_t row_bytes, rows;
    size_t hlen;           /* header bytes after the 10/12-byte prefix      */
    int version;           /* 1 or 2                                        */
    void *file;            /* FILE *, owned                                 */
    char *path;
} neurio_npy_writer;

/* Create `path` with 0 rows of shape dims[1..rank) and dtype dt; rank >= 1,
 * dims[0] = the most rows that will be appended.  NEURIO_ERR_UNSUPPORTED
 * (dtype, rank), NEURIO_ERR_IO (cannot create, naming the path). */
NEURIO_API int neurio_npy_create(const char *path, neurio_dtype dt, int32_t rank,
                                 const int64_t *dims, neurio_npy_writer *w, neurio_errbuf *err);

/* Append count rows (count * row_bytes bytes), then update the header.
 * NEURIO_ERR_INVALID past dims[0] rows; NEURIO_ERR_IO (ENOSPC...) naming
 * the file: the rows before stay valid. */
NEURIO_API int neurio_npy_append(neurio_npy_writer *w, const void *rows, size_t count,
                                 neurio_errbuf *err);

/* Flush to disk (fsync) and close; returns the write error if any.  The
 * writer is zeroed; a zeroed writer is fine. */
NEURIO_API int neurio_npy_close_writer(neurio_npy_writer *w, neurio_errbuf *err);

/* Free the data of an array read by neurio_npy_read/parse and zero it.
 * NULL and zeroed structs are fine. */
NEURIO_API void neurio_npy_free(neurio_npy *a);

/* Number of elements (product of dims; 1 for rank 0). */
NEURIO_API size_t neurio_npy_elements(const neurio_npy *a);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_NPY_H */
