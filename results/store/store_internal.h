/* results/store/store_internal.h — the store handle and the statement helpers
 * shared by the store's query files (store.c: runs, rows, metrics, layers;
 * store_sweep.c: sweeps; store_farm.c: the job queue).  Internal to store/. */
#ifndef NEURIO_STORE_INTERNAL_H
#define NEURIO_STORE_INTERNAL_H

#include <stdint.h>

#include "store/store.h"
#include "store/store_backend.h"

struct nr_store {
    const nr_store_backend *be;
    void *db;
    int version;
    char where[512];   /* the spec, password hidden, for messages */
};

/* One statement without / with parameters (fn-less exec). */
int nr_sx0(nr_store *s, const char *sql, neurio_errbuf *err);
int nr_sxp(nr_store *s, const char *sql, int n, const char *const *p, neurio_errbuf *err);
/* ROLLBACK, keeping the first error: returns rc. */
int nr_srollback(nr_store *s, int rc);
/* Numbers as SQL text parameters, in buf (>= 32 bytes); return buf. */
const char *nr_su64(char *buf, uint64_t v);
const char *nr_si64(char *buf, int64_t v);
const char *nr_sdbl(char *buf, double v);

/* Runs matching `rest` (a WHERE / ORDER BY tail over runs r) with
 * parameters p[0..np), in order, to fn (as nr_store_list_runs). */
int nr_store_query_runs(nr_store *s, const char *rest, int np, const char *const *p,
                        nr_store_run_fn fn, void *user, neurio_errbuf *err);

#endif /* NEURIO_STORE_INTERNAL_H */
