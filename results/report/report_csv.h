/* core/report_csv.h — one CSV row per inference:
 *   index,host_ns,cycles,stack_bytes,label,prediction,correct,score,ref_max_abs_error
 * Unknown values are empty fields.  RFC 4180 style (comma, LF, no quoting
 * needed: every field is numeric). */
#ifndef NEURIO_CORE_REPORT_CSV_H
#define NEURIO_CORE_REPORT_CSV_H

#include <stdio.h>

#include "neurio/status.h"
#include "report/report_data.h"

/* Write the rows of d to f (header first). Returns 0 or NEURIO_ERR_IO. */
int nr_report_csv_fwrite(const nr_report_data *d, FILE *f);

/* Write them to path atomically.  Returns 0 or NEURIO_ERR_IO (message). */
int nr_report_csv_write(const nr_report_data *d, const char *path, neurio_errbuf *err);

#endif /* NEURIO_CORE_REPORT_CSV_H */
