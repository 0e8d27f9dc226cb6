/* sdk/include/neurio/api.h — what libneurio exports.
 *
 * libneurio is compiled with hidden visibility: only declarations marked
 * NEURIO_API in the headers of sdk/include/neurio/ are exported from
 * libneurio.so, everything else (the lowering, the kernels, the importers'
 * internals) stays private to the library.  tests/structure/test_exports
 * checks `nm -D --defined-only libneurio.so` against these headers.
 */
#ifndef NEURIO_API_H
#define NEURIO_API_H

#if defined(__GNUC__)
#define NEURIO_API __attribute__((visibility("default")))
#else
#define NEURIO_API
#endif

#endif /* NEURIO_API_H */
