/* core/report_html.h — one self-contained HTML report per run (inline CSS
 * and SVG, no script, no network): provenance, the KPI table, a latency
 * histogram, per-layer cost bars when the device measured layers, the
 * confusion matrix heatmap for classification, and fidelity figures. */
#ifndef NEURIO_CORE_REPORT_HTML_H
#define NEURIO_CORE_REPORT_HTML_H

#include <stdio.h>

#include "neurio/status.h"
#include "report/report_data.h"

/* Write the page to f.  Returns 0 or NEURIO_ERR_IO / NOMEM. */
int nr_report_html_fwrite(const nr_report_data *d, FILE *f);

/* Write it to path atomically.  Returns 0 or an error with a message. */
int nr_report_html_write(const nr_report_data *d, const char *path, neurio_errbuf *err);

#endif /* NEURIO_CORE_REPORT_HTML_H */
