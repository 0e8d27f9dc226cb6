/* results/kpi/kpi_stats_stream.h — nr_stats of a series too long to hold in
 * memory (one value per inference of a long run): values are appended to
 * an unlinked temporary file, then read back in passes.  The result is
 * bit for bit what nr_stats_compute gives on the whole array: the sums run
 * in the order the values came, the percentiles pick the same sorted
 * elements (an external merge sort of the file) and interpolate with the
 * same formula.
 *
 * Memory: an 8 kB append buffer; computing takes a 512 kB sort chunk plus
 * 4 kB per sorted run of 65,536 values (16 runs, 64 kB, for 10^6 values;
 * 153 runs, 612 kB, for 10^7).
 */
#ifndef NEURIO_CORE_KPI_STATS_STREAM_H
#define NEURIO_CORE_KPI_STATS_STREAM_H

#include <stddef.h>

#include "kpi/kpi_stats.h"

typedef struct nr_stats_stream nr_stats_stream;

/* A new empty series whose spill file lives in `dir` (NULL: $TMPDIR or
 * /tmp).  Returns 0, NEURIO_ERR_IO (cannot create the file there) or
 * NEURIO_ERR_NOMEM. */
int nr_stats_stream_new(const char *dir, nr_stats_stream **out);

/* Append one value.  0 or NEURIO_ERR_IO (disk full: the series is broken,
 * compute says so). */
int nr_stats_stream_add(nr_stats_stream *s, double v);

size_t nr_stats_stream_count(const nr_stats_stream *s);

/* Statistics of v / div * mul over every value (div = mul = 1: the values
 * themselves; div, mul > 0 keep the order).  Returns what nr_stats_compute
 * returns for that array (NEURIO_ERR_INVALID when empty or a value is not
 * finite), or NEURIO_ERR_IO.  The series can be computed again. */
int nr_stats_stream_compute(nr_stats_stream *s, double div, double mul, nr_stats *out);

/* The values in ascending order (the same external merge sort), read one
 * by one: nr_stats_stream_sorted returns 0, NEURIO_ERR_IO or
 * NEURIO_ERR_NOMEM; nr_stats_sorted_next returns 1 with *v set, 0 at the
 * end, or NEURIO_ERR_IO.  Memory: the sort chunk while sorting; then the
 * chunk (one chunk of values) or 4 kB per run.  Appending to the series
 * while a walk is open is not allowed. */
typedef struct nr_stats_sorted nr_stats_sorted;
int nr_stats_stream_sorted(nr_stats_stream *s, nr_stats_sorted **out);
int nr_stats_sorted_next(nr_stats_sorted *it, double *v);
void nr_stats_sorted_free(nr_stats_sorted *it);

/* Values sorted per chunk (tests force the external merge with a small
 * chunk; 0 restores the default 65536). */
void nr_stats_stream_set_chunk(nr_stats_stream *s, size_t values);

void nr_stats_stream_free(nr_stats_stream *s);

#endif /* NEURIO_CORE_KPI_STATS_STREAM_H */
