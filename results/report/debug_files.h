/* results/report/debug_files.h — the per-layer readback (task.debug =
 * "layers", `neurio debug`) as files: JSON (one entry per output of every
 * layer: index, output, op,
 * tensor, dtype, elements, mismatches, max abs error, relative L2, SNR,
 * differs) and a self-contained HTML page (SNR bars, the table, the first
 * differing layer named), written atomically. */
#ifndef NEURIO_RESULTS_DEBUG_FILES_H
#define NEURIO_RESULTS_DEBUG_FILES_H

#include <stdint.h>

#include "neurio/status.h"
#include "reference/layer_debug.h"

typedef struct nr_debug_files {
    const char *run_id;
    const nr_layer_debug *rows;  /* [n], one per output of every layer       */
    uint32_t n;
    uint32_t samples;
    int32_t first_diff;          /* row index, -1 = every layer matches     */
} nr_debug_files;

/* Write either file (a NULL path is skipped).  NEURIO_OK or an I/O error
 * naming the file. */
int nr_debug_files_write(const nr_debug_files *d, const char *json_path, const char *html_path,
                         neurio_errbuf *err);

#endif /* NEURIO_RESULTS_DEBUG_FILES_H */
