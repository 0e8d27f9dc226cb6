/* core/commands/store_cli.h — what the store-reading commands share
 * (runs, show, compare, sweep, submit, worker): choosing and opening the
 * store from --store / --rig / $NEURIO_STORE, and the words they print. */
#ifndef NEURIO_CORE_STORE_CLI_H
#define NEURIO_CORE_STORE_CLI_H

#include <stddef.h>

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

#endif /* NEURIO_CORE_STORE_CLI_H */
