/* results/report/report_rows.h — the per-inference rows of a run (measures,
 * label, prediction, score, error against the reference), spilled to an
 * unlinked file in the run directory as batches arrive, so that a run of
 * any length holds none of them in memory; and one iterator over the rows
 * of an nr_report_data whichever form they have (the spill, or the arrays
 * tests fill by hand).  The profile, CSV and HTML writers read rows only
 * through the iterator. */
#ifndef NEURIO_CORE_REPORT_ROWS_H
#define NEURIO_CORE_REPORT_ROWS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report/report_data.h"

typedef struct nr_report_row {
    neurio_measure m;
    int64_t label, prediction;   /* valid when the fields say so            */
    double score, sample_error;  /* NAN when absent                         */
} nr_report_row;

/* Which optional fields the rows carry. */
#define NR_ROW_LABEL 1u
#define NR_ROW_PREDICTION 2u
#define NR_ROW_SCORE 4u
#define NR_ROW_ERROR 8u

typedef struct nr_report_rows nr_report_rows;

/* An empty spill in dir (an unlinked temporary file) carrying `fields`.
 * 0, NEURIO_ERR_IO (cannot create it, errno kept) or NEURIO_ERR_NOMEM. */
int nr_report_rows_new(const char *dir, unsigned fields, nr_report_rows **out);
/* Append one row: 0 or NEURIO_ERR_IO (disk full). */
int nr_report_rows_add(nr_report_rows *r, const nr_report_row *row);
size_t nr_report_rows_count(const nr_report_rows *r);
void nr_report_rows_free(nr_report_rows *r);

/* The optional fields d's rows carry (NR_ROW_*). */
unsigned nr_report_fields(const nr_report_data *d);

typedef struct nr_report_iter {
    const nr_report_data *d;
    size_t i;
    int error;                   /* a read failed: the output is short     */
} nr_report_iter;

/* Start at row 0 of d (one iteration at a time per spill). */
void nr_report_iter_begin(const nr_report_data *d, nr_report_iter *it);
/* The next row into *row: 1, or 0 at the end (it->error set when a read
 * failed before row n_done). */
int nr_report_iter_next(nr_report_iter *it, nr_report_row *row);

#endif /* NEURIO_CORE_REPORT_ROWS_H */
