/* sdk/src/import/tflite/flatbuf.h — libneurio-internal, bounds-checked FlatBuffers reader.
 *
 * Written from the FlatBuffers binary format (little-endian): a root uoffset
 * at byte 0; a table starts with an soffset to its vtable; a vtable is
 * [u16 vtable bytes][u16 table bytes][u16 field offsets...]; vectors and
 * strings are [u32 count][elements] (strings NUL-terminated); references are
 * unsigned 32-bit offsets relative to where they are stored, so they only
 * point forward (no reference cycles can be expressed; positions are computed
 * in 64 bits so they cannot wrap).  Every access is checked against the
 * buffer before the bytes are read; failures fill the errbuf with the
 * caller's context (fb_buf.ctx), the field and the byte offset, and return
 * NEURIO_ERR_FORMAT.  A work budget bounds the total number of vector
 * elements and tables visited, so a file whose tables all share one huge
 * vector cannot make the reader loop for hours.
 *
 * Nothing is allocated; pointers returned (strings) point into the buffer.
 */
#ifndef NEURIO_SDK_FLATBUF_H
#define NEURIO_SDK_FLATBUF_H

#include <stddef.h>
#include <stdint.h>

#include "neurio/status.h"

typedef struct nfb_buf {
    const uint8_t *p;
    size_t len;
    neurio_errbuf *err;
    uint64_t work;       /* elements + tables visited so far             */
    uint64_t budget;     /* maximum work before the file is refused      */
    char ctx[96];        /* what is being read ("tensor 3"), for messages */
} nfb_buf;

typedef struct nfb_table {
    size_t pos;          /* byte offset of the table                      */
    size_t vt;           /* byte offset of its vtable                     */
    uint16_t vt_size;
    uint16_t tbl_size;
} nfb_table;

typedef struct nfb_vec {
    size_t pos;          /* byte offset of element 0                      */
    uint32_t n;          /* element count (0 when the field is absent)    */
    size_t elem;         /* element size in bytes                         */
} nfb_vec;

/* Set up a reader over buf[0..len) (not copied; must outlive the reader). */
void nfb_init(nfb_buf *b, const void *buf, size_t len, neurio_errbuf *err);

/* Set the context named in error messages (printf-style). */
void nfb_ctx(nfb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The root table (uoffset at byte 0). */
int nfb_root(nfb_buf *b, nfb_table *root);

/* Whether field `f` (0-based) is present in table t. */
int nfb_has(const nfb_buf *b, const nfb_table *t, int f);

/* Scalars: value of field f, or dflt when absent.  `name` names the field. */
int nfb_u8(nfb_buf *b, const nfb_table *t, int f, const char *name, uint8_t dflt, uint8_t *out);
int nfb_i32(nfb_buf *b, const nfb_table *t, int f, const char *name, int32_t dflt, int32_t *out);
int nfb_u32(nfb_buf *b, const nfb_table *t, int f, const char *name, uint32_t dflt, uint32_t *out);
int nfb_u64(nfb_buf *b, const nfb_table *t, int f, const char *name, uint64_t dflt, uint64_t *out);
int nfb_f32(nfb_buf *b, const nfb_table *t, int f, const char *name, float dflt, float *out);

/* Sub-table of field f; *present = 0 (and out untouched) when absent. */
int nfb_table_field(nfb_buf *b, const nfb_table *t, int f, const char *name,
                    nfb_table *out, int *present);

/* Vector of field f with elements of elem bytes (scalars or uoffsets);
 * n = 0 when absent.  The whole vector is checked to lie in the buffer. */
int nfb_vector(nfb_buf *b, const nfb_table *t, int f, const char *name, size_t elem,
               nfb_vec *out);

/* String of field f: *s points into the buffer (NUL-terminated, *n bytes
 * before the NUL); "" when absent. */
int nfb_string(nfb_buf *b, const nfb_table *t, int f, const char *name, const char **s,
               uint32_t *n);

/* Element i (< v->n) of a vector of tables. */
int nfb_vec_table(nfb_buf *b, const nfb_vec *v, uint32_t i, const char *name, nfb_table *out);

/* Element i (< v->n) of scalar vectors (bounds already checked by nfb_vector). */
int32_t nfb_vec_i32(const nfb_buf *b, const nfb_vec *v, uint32_t i);
int64_t nfb_vec_i64(const nfb_buf *b, const nfb_vec *v, uint32_t i);
float nfb_vec_f32(const nfb_buf *b, const nfb_vec *v, uint32_t i);

#endif /* NEURIO_SDK_FLATBUF_H */
