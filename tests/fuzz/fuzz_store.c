/* tests/fuzz/fuzz_store.c — libFuzzer target over the result store's
 * read-back (issue 19): the input is a SQLite database file (seeded with
 * real neurio stores); `neurio runs/show/compare` read it through
 * nr_store_open(READ), list, get_run ("last" and each id), get_metrics and
 * get_rows, get_layers and get_layer_debug.  Any content — a foreign schema, wrong types, huge or NULL
 * values — must be refused or shown, never crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz_ids {
    char id[8][64];
    int n;
} fz_ids;

static int fz_collect(void *user, const nr_store_run_info *r)
{
    fz_ids *ids = user;
    if (ids->n < 8)
        snprintf(ids->id[ids->n++], sizeof ids->id[0], "%s", r->run_id);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64], spec[80];
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/neurio-fuzz-store-%ld.db", (long)getpid());
        snprintf(spec, sizeof spec, "sqlite:%s", path);
    }
    unlink(path);
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    nr_store *s = NULL;
    neurio_errbuf err;
    if (nr_store_open(spec, NR_STORE_READ, &s, &err) != NEURIO_OK)
        return 0;
    fz_ids ids = { .n = 0 };
    (void)nr_store_list_runs(s, 8, fz_collect, &ids, &err);
    nr_store_run_info info;
    (void)nr_store_get_run(s, "last", &info, &err);
    for (int i = 0; i < ids.n; i++) {
        if (nr_store_get_run(s, ids.id[i], &info, &err) != NEURIO_OK)
            continue;
        nr_metrics m = { 0 };
        if (nr_store_get_metrics(s, info.run_id, &m, &err) == NEURIO_OK)
            nr_metrics_free(&m);
        nr_store_row rows[32];
        size_t n = 0;
        (void)nr_store_get_rows(s, info.run_id, rows, 32, &n, &err);
        /* `neurio show`: per-layer means and layouts (schema 5), debug rows (3, 4) */
        nr_store_layer *ly = NULL;
        if (nr_store_get_layers(s, info.run_id, &ly, &n, &err) == NEURIO_OK)
            free(ly);
        nr_store_layer_debug *dbg = NULL;
        if (nr_store_get_layer_debug(s, info.run_id, &dbg, &n, &err) == NEURIO_OK)
            free(dbg);
    }
    nr_store_close(s);
    return 0;
}
