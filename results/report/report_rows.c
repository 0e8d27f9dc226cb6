/* results/report/report_rows.c — per-inference rows spilled to a file. */
#include "report/report_rows.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "neurio/status.h"

struct nr_report_rows {
    FILE *f;
    size_t n;
    unsigned fields;
    int reading;    /* the file position is not at the end */
};

int nr_report_rows_new(const char *dir, unsigned fields, nr_report_rows **out)
{
    char path[4200];
    *out = NULL;
    nr_report_rows *r = calloc(1, sizeof *r);
    if (!r)
        return NEURIO_ERR_NOMEM;
    r->fields = fields;
    if (snprintf(path, sizeof path, "%s/.neurio-rows-XXXXXX", dir && *dir ? dir : "/tmp") >=
        (int)sizeof path) {
        free(r);
        return NEURIO_ERR_IO;
    }
    int fd = mkstemp(path);
    if (fd < 0) {
        free(r);
        return NEURIO_ERR_IO;
    }
    unlink(path);
    if (!(r->f = fdopen(fd, "w+b"))) {
        close(fd);
        free(r);
        return NEURIO_ERR_IO;
    }
    *out = r;
    return 0;
}

int nr_report_rows_add(nr_report_rows *r, const nr_report_row *row)
{
    if (r->reading) {
        if (fseeko(r->f, 0, SEEK_END) != 0)
            return NEURIO_ERR_IO;
        r->reading = 0;
    }
    if (fwrite(row, sizeof *row, 1, r->f) != 1)
        return NEURIO_ERR_IO;
    r->n++;
    return 0;
}

size_t nr_report_rows_count(const nr_report_rows *r)
{
    return r ? r->n : 0;
}

void nr_report_rows_free(nr_report_rows *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    free(r);
}

unsigned nr_report_fields(const nr_report_data *d)
{
    if (d->rows)
        return d->rows->fields;
    return (d->labels ? NR_ROW_LABEL : 0u) | (d->predictions ? NR_ROW_PREDICTION : 0u) |
           (d->scores ? NR_ROW_SCORE : 0u) | (d->sample_error ? NR_ROW_ERROR : 0u);
}

void nr_report_iter_begin(const nr_report_data *d, nr_report_iter *it)
{
    memset(it, 0, sizeof *it);
    it->d = d;
    if (d->rows) {
        nr_report_rows *r = (nr_report_rows *)d->rows; /* the file position moves */
        if (fflush(r->f) != 0 || fseeko(r->f, 0, SEEK_SET) != 0)
            it->error = 1;
        r->reading = 1;
    }
}

int nr_report_iter_next(nr_report_iter *it, nr_report_row *row)
{
    const nr_report_data *d = it->d;
    if (it->error || it->i >= d->n_done)
        return 0;
    if (d->rows) {
        if (it->i >= d->rows->n || fread(row, sizeof *row, 1, d->rows->f) != 1) {
            it->error = 1;
            return 0;
        }
        it->i++;
        return 1;
    }
    if (!d->measures)
        return 0;
    size_t i = it->i++;
    row->m = d->measures[i];
    row->label = d->labels ? d->labels[i] : 0;
    row->prediction = d->predictions ? d->predictions[i] : 0;
    row->score = d->scores ? d->scores[i] : NAN;
    row->sample_error = d->sample_error ? d->sample_error[i] : NAN;
    return 1;
}
