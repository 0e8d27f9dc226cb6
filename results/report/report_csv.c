/* core/report_csv.c — per-inference rows as CSV. */
#include "report/report_csv.h"

#include <inttypes.h>
#include <math.h>

#include "report/report_file.h"

int nr_report_csv_fwrite(const nr_report_data *d, FILE *f)
{
    fputs("index,host_ns,cycles,stack_bytes,label,prediction,correct,score,"
          "ref_max_abs_error\n", f);
    for (size_t i = 0; d->measures && i < d->n_done; i++) {
        const neurio_measure *m = &d->measures[i];
        fprintf(f, "%zu,", i);
        if (m->host_ns)
            fprintf(f, "%" PRIu64, m->host_ns);
        fputc(',', f);
        if (m->cycles)
            fprintf(f, "%" PRIu64, m->cycles);
        fputc(',', f);
        if (m->stack_bytes)
            fprintf(f, "%" PRIu32, m->stack_bytes);
        fputc(',', f);
        if (d->labels)
            fprintf(f, "%" PRId64, d->labels[i]);
        fputc(',', f);
        if (d->predictions)
            fprintf(f, "%" PRId64, d->predictions[i]);
        fputc(',', f);
        if (d->labels && d->predictions)
            fputc(d->labels[i] == d->predictions[i] ? '1' : '0', f);
        fputc(',', f);
        if (d->scores && isfinite(d->scores[i]))
            fprintf(f, "%.9g", d->scores[i]);
        fputc(',', f);
        if (d->sample_error && isfinite(d->sample_error[i]))
            fprintf(f, "%.9g", d->sample_error[i]);
        fputc('\n', f);
    }
    return ferror(f) ? NEURIO_ERR_IO : 0;
}

int nr_report_csv_write(const nr_report_data *d, const char *path, neurio_errbuf *err)
{
    nr_report_file rf;
    int rc = nr_report_file_open(&rf, path, err);
    if (rc)
        return rc;
    nr_report_csv_fwrite(d, rf.f);
    return nr_report_file_commit(&rf, err);
}
