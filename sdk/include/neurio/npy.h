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

/* Free the data of an array read by neurio_npy_read/parse and zero it.
 * NULL and zeroed structs are fine. */
NEURIO_API void neurio_npy_free(neurio_npy *a);

/* Number of elements (product of dims; 1 for rank 0). */
NEURIO_API size_t neurio_npy_elements(const neurio_npy *a);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_NPY_H */
