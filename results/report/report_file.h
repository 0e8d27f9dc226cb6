/* results/report/report_file.h — write a report file atomically: into
 * "<path>.tmp.<pid>", then rename over <path>, so a reader (or a killed
 * run) never sees half a file. */
#ifndef NEURIO_CORE_REPORT_FILE_H
#define NEURIO_CORE_REPORT_FILE_H

#include <stdio.h>

#include "neurio/status.h"

typedef struct nr_report_file {
    FILE *f;
    char path[1024];
    char tmp[1100];
} nr_report_file;

/* Open the temporary file for `path`.  Returns 0 or NEURIO_ERR_IO with
 * "cannot write <path>: <reason>". */
int nr_report_file_open(nr_report_file *rf, const char *path, neurio_errbuf *err);

/* Flush, close and rename into place.  On any error (e.g. disk full) the
 * temporary file is removed and NEURIO_ERR_IO returned; <path> is
 * untouched.  Always closes. */
int nr_report_file_commit(nr_report_file *rf, neurio_errbuf *err);

/* Close and remove the temporary file without publishing it. */
void nr_report_file_abort(nr_report_file *rf);

/* mkdir -p (the run's output folders): 0, or -1 with errno set. */
int nr_mkdirs(const char *path);

#endif /* NEURIO_CORE_REPORT_FILE_H */
