/* results/report/predictions.h — output.predictions, written batch by batch:
 * one .npy per model output (pred.npy, pred_1.npy, ...) whose header always
 * gives the rows written so far, so a run stopped half way leaves valid
 * files; memory holds no more than the batch being appended.  And where
 * output.predictions and output.report go inside a run directory. */
#ifndef NEURIO_RESULTS_PREDICTIONS_H
#define NEURIO_RESULTS_PREDICTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "neurio/model.h"
#include "neurio/npy.h"
#include "neurio/status.h"

/* Where output k's predictions go: output.predictions `name` inside
 * run_dir (or as is when absolute), "_k" inserted before ".npy" for k > 0
 * (pred.npy, pred_1.npy, ...). */
void nr_pred_path(const char *run_dir, const char *name, uint32_t k, char *buf, size_t cap);
/* Where output.report `name` goes: inside run_dir, or as is when absolute. */
void nr_report_path(const char *run_dir, const char *name, char *buf, size_t cap);

typedef struct nr_predictions {
    const neurio_model *model; /* borrowed: its outputs give dtype and shape */
    char run_dir[4096];
    const char *name;          /* output.predictions (borrowed)             */
    neurio_npy_writer *w;      /* [n_w]                                     */
    uint32_t n_w;              /* model->n_outputs, kept so that freeing
                                  never reads the (maybe freed) model      */
} nr_predictions;

/* Create the files for n_samples rows of every output of m (borrowed, as
 * run_dir's copy is not): NEURIO_OK, or the status with "writing
 * predictions: ..." in err. */
int nr_predictions_open(nr_predictions *pr, const neurio_model *m, const char *run_dir,
                        const char *name, size_t n_samples, neurio_errbuf *err);
/* Append `rows` rows of each output (outputs[k]: rows x one sample). */
int nr_predictions_append(nr_predictions *pr, void *const *outputs, uint32_t rows,
                          neurio_errbuf *err);
/* Close every file (on disk, fsync'ed) and print "predictions: PATH [rows,
 * dims] dtype" for each; a file that got no row is removed.  The first
 * failure is returned, every file is closed.  Safe on a zeroed struct. */
int nr_predictions_close(nr_predictions *pr, neurio_errbuf *err);
/* Release without printing (after a failure); safe twice. */
void nr_predictions_free(nr_predictions *pr);

#endif /* NEURIO_RESULTS_PREDICTIONS_H */
