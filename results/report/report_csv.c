/* core/report_csv.c — per-inference rows as CSV. */
#include "report/report_csv.h"

#include <inttypes.h>
#include <math.h>

#include "report/report_file.h"
#include "report/report_rows.h"

int nr_report_csv_fwrite(const nr_report_data *d, FILE *f)
{
    fputs("index,host_ns,cycles,stack_bytes,label,prediction,correct,score,"
          "ref_max_abs_error\n", f);
    unsigned fl = nr_report_fields(d);
    nr_report_iter it;
    nr_report_row r;
    nr_report_iter_begin(d, &it);
    for (size_t i = 0; nr_report_iter_next(&it, &r); i++) {
        const neurio_measure *m = &r.m;
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
        if (fl & NR_ROW_LABEL)
            fprintf(f, "%" PRId64, r.label);
        fputc(',', f);
        if (fl & NR_ROW_PREDICTION)
            fprintf(f, "%" PRId64, r.prediction);
        fputc(',', f);
        if ((fl & NR_ROW_LABEL) && (fl & NR_ROW_PREDICTION))
            fputc(r.label == r.prediction ? '1' : '0', f);
        fputc(',', f);
        if ((fl & NR_ROW_SCORE) && isfinite(r.score))
            fprintf(f, "%.9g", r.score);
        fputc(',', f);
        if ((fl & NR_ROW_ERROR) && isfinite(r.sample_error))
            fprintf(f, "%.9g", r.sample_error);
        fputc('\n', f);
    }
    return ferror(f) || it.error ? NEURIO_ERR_IO : 0;
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
