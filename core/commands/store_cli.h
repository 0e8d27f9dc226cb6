/* core/commands/store_cli.h — what the store-reading commands share
 * (runs, show, compare, sweep, submit, worker): choosing and opening the
 * store from --store / --rig / $NEURIO_STORE, and the words they print. */
#ifndef NEURIO_CORE_STORE_CLI_H
#define NEURIO_CORE_STORE_CLI_H

#include <stddef.h>

#include "report/sweep_report.h"
#include "store/store.h"

/* The --store / --rig help lines. */
extern const char nr_store_help[];

/* Open the store: `store` when given, else rig_path's output.store, else
 * $NEURIO_STORE, else sqlite:runs/results.db.  The spec chosen goes to
 * spec[cap].  Returns 0 or an NR_EXIT_* code after printing
 * "neurio <cmd>: <why>". */
int nr_store_open_cli(const char *cmd, const char *store, const char *rig_path,
                      nr_store_mode mode, nr_store **s, char *spec, size_t cap);

/* "ok", "incomplete" (running and never finished), or the stored status. */
const char *nr_run_status_word(const nr_store_run_info *r);

/* The rows of sweep `sw` (one per point, the point's best run: the newest
 * complete one, else the newest), fronts marked.  *rows malloc'ed
 * (sweep_rows.c). */
int nr_sweep_rows_load(nr_store *s, const nr_store_sweep *sw, nr_sweep_row **rows, size_t *n,
                       neurio_errbuf *err);
/* The page/table header of a stored sweep (borrows sw's strings). */
nr_sweep_info nr_sweep_info_of(const nr_store_sweep *sw);

/* A new sweep id ("sw-20261207-120000-3f2a") and its creation time. */
void nr_sweep_new_id(char id[64], char created[32]);

/* `neurio show SWEEP [--html FILE]`: print a stored sweep's table and,
 * with html, write its page (cmd_sweep.c).  *found = 0 when id names no
 * sweep (nothing printed).  Returns NR_EXIT_*. */
int nr_sweep_show(nr_store *s, const char *id, const char *html, int *found);

#endif /* NEURIO_CORE_STORE_CLI_H */
