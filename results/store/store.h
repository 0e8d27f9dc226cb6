/* core/store.h — the result store: every run, its model, its device, its
 * KPIs and its per-inference rows, in SQLite (default, embedded) or
 * PostgreSQL (a team's shared server), with one schema for both.
 *
 * Store specs (rig `output.store`, `neurio runs --store`):
 *   "sqlite:<path>"            a file, created when opening for writing;
 *                              its directory must exist (none is created)
 *   "postgresql://..." / "postgres://..."   a libpq URI
 *   "postgresql:<conninfo>"    a libpq keyword/value string
 *
 * Durability contract: rows are written as results arrive
 * (nr_store_add_rows commits each call as one transaction), so a run killed
 * midway keeps every row already committed; its run record stays
 * status "running" / complete 0, which readers show as "incomplete".  Every
 * write is a transaction: a failure (disk full, server gone) rolls back and
 * never leaves a half-written row.
 *
 * Schema versions: the store records its version in table neurio_schema.
 * Opening for writing applies the missing migrations (each in a
 * transaction); a store with a NEWER version than this neurio knows is
 * refused (read or write) with a message naming both versions.
 */
#ifndef NEURIO_CORE_STORE_H
#define NEURIO_CORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "kpi/kpi_metrics.h"
#include "neurio/status.h"

/* Concurrency (SQLite): another process holding the database makes a
 * write wait with backoff, 10 s by default (nr_store_set_busy_wait), then
 * fail with NEURIO_ERR_TIMEOUT, rolled back, so the caller can keep its rows
 * and retry.  A database file deleted or replaced while open is noticed at
 * the next transaction (NEURIO_ERR_IO saying so); nothing more is written.
 */

/* The schema version this neurio writes. */
#define NR_STORE_SCHEMA_VERSION 5

typedef struct nr_store nr_store;

typedef enum nr_store_mode {
    NR_STORE_WRITE = 0, /* create/migrate as needed                        */
    NR_STORE_READ = 1   /* must exist; never created or migrated            */
} nr_store_mode;

/* What a run is, recorded when it starts.  Strings are borrowed for the
 * call; NULL is stored as SQL NULL. */
typedef struct nr_store_run {
    const char *run_id;
    const char *started_at;      /* ISO 8601 UTC "2026-11-26T05:50:00Z"     */
    const char *task;            /* "classification", ...                   */
    const char *rig_path;
    const char *plugin, *plugin_version, *plugin_path;
    const char *model_sha256, *model_name, *model_path, *model_format;
    const char *board, *cpu, *firmware, *toolchain;
    const char *cycle_source, *cycle_unit;
    double clock_hz;
    const char *neurio_version, *git_revision, *host;
    uint64_t n_planned;
    uint32_t batch_size;
    /* Membership (NULL = none): the sweep and point this run measures
     * (`neurio sweep`), the farm job and attempt it executes (`neurio
     * worker`). */
    const char *sweep_id;
    int sweep_point;
    const char *job_id;
    int attempt;
} nr_store_run;

/* One layer of a run: its mean count (per-layer cycles or instructions,
 * NAN = not measured) and its weight layout in the image (schema 5; ""
 * = none reported, as every layer of an older store reads). */
typedef struct nr_store_layer {
    uint32_t index;
    char op[32];
    char name[96];
    double mean;
    char unit[24];
    char layout[32];       /* "packed int8", "packed int16", "straight-line"...  */
    uint64_t layout_bytes; /* flash its weights and constants take that way   */
    uint64_t added_bytes;  /* flash that layout adds over the int8 one        */
} nr_store_layer;

/* One inference. */
typedef struct nr_store_row {
    uint64_t index;              /* sample index in the run                 */
    uint64_t host_ns, cycles;    /* 0 = unknown (stored as NULL)            */
    uint32_t stack_bytes;        /* 0 = not reported (NULL)                 */
    int has_label;
    int64_t label;
    int has_prediction;
    int64_t prediction;          /* argmax class, for classifiers           */
    double score;                /* anomaly score, regression error...; NAN = none */
} nr_store_row;

/* A run read back. */
typedef struct nr_store_run_info {
    char run_id[64];
    char started_at[32], finished_at[32];
    char status[16];             /* "running", "ok", "failed", "cancelled"  */
    int complete;                /* 1 only when every planned sample came back
                                    and the run finished normally            */
    char task[24];
    char model_name[128], model_sha256[65], model_path[512];
    char plugin[64], plugin_version[64], board[128], cpu[64];
    char firmware[512], toolchain[128], cycle_source[96];
    char neurio_version[32], git_revision[64], host[128], rig_path[512];
    char error[512];
    uint64_t n_planned, n_done;
    char sweep_id[64];           /* "" = not part of a sweep                */
    int sweep_point;             /* -1 = none                               */
    char job_id[64];             /* "" = not a farm job                     */
    int attempt;                 /* farm attempt (1, 2, ...), 0 = none      */
} nr_store_run_info;

/* Open (and for NR_STORE_WRITE create/migrate) the store named by spec.
 * Returns NEURIO_OK and *out, or: NEURIO_ERR_CONFIG for a malformed spec,
 * NEURIO_ERR_IO when it cannot be opened or reached, NEURIO_ERR_UNSUPPORTED
 * for a newer schema — each with one line naming the store and what to do.
 * Close with nr_store_close. */
int nr_store_open(const char *spec, nr_store_mode mode, nr_store **out,
                  neurio_errbuf *err);

/* "sqlite" or "postgresql". */
const char *nr_store_kind(const nr_store *s);

/* How long a write waits for another process's lock, in ms; < 0 = as long
 * as it takes (a note goes to stderr every 10 s).  Default 10000. */
void nr_store_set_busy_wait(nr_store *s, int ms);

/* The schema version found in the store (after migration for WRITE). */
int nr_store_schema_version(const nr_store *s);

/* Record a new run (status "running", complete 0) with its model and device
 * (inserted if new).  One transaction. */
int nr_store_begin_run(nr_store *s, const nr_store_run *run, neurio_errbuf *err);

/* Append rows[0..n) of a run and advance its n_done, in one transaction. */
int nr_store_add_rows(nr_store *s, const char *run_id, const nr_store_row *rows,
                      size_t n, neurio_errbuf *err);

/* Close a run: its KPIs (replacing any), status ("ok", "failed",
 * "cancelled"), completeness, error text (or NULL), finish time and the
 * paths of the profile/report it produced (or NULL).  One transaction. */
int nr_store_finish_run(nr_store *s, const char *run_id, const char *status,
                        int complete, const char *error, const char *finished_at,
                        const nr_metrics *metrics, const char *profile_path,
                        const char *report_path, neurio_errbuf *err);

/* Call fn for each run, newest first (at most `limit`, 0 = all).  A non-zero
 * return from fn stops the listing and is returned. */
typedef int (*nr_store_run_fn)(void *user, const nr_store_run_info *run);
int nr_store_list_runs(nr_store *s, size_t limit, nr_store_run_fn fn, void *user,
                       neurio_errbuf *err);

/* Find one run by exact id, unique id prefix, or "last" (newest).  Returns
 * NEURIO_ERR_INVALID with a message when none or several match. */
int nr_store_get_run(nr_store *s, const char *id, nr_store_run_info *out,
                     neurio_errbuf *err);

/* The run's KPIs into *out (appended; caller frees with nr_metrics_free). */
int nr_store_get_metrics(nr_store *s, const char *run_id, nr_metrics *out,
                         neurio_errbuf *err);

/* Rows [0, max) of a run ordered by index into rows; *n_out = how many.
 * max 0 only counts them. */
int nr_store_get_rows(nr_store *s, const char *run_id, nr_store_row *rows,
                      size_t max, size_t *n_out, neurio_errbuf *err);

/* Store a run's layers (replacing any), one transaction: mean NAN and
 * layout "" are stored as NULL. */
int nr_store_set_layers(nr_store *s, const char *run_id, const nr_store_layer *layers,
                        size_t n, neurio_errbuf *err);

/* A run's layers ordered by index: *out malloc'ed (free()), *n how many (0
 * and NULL when the device measured none and the plugin reported no
 * layout).  The layers with a count come first, from index 0. */
int nr_store_get_layers(nr_store *s, const char *run_id, nr_store_layer **out, size_t *n,
                        neurio_errbuf *err);

/* ---- sweeps (store_sweep.c) ----------------------------------------------- */

/* A sweep: one id for all its points' runs. */
typedef struct nr_store_sweep {
    char id[64];
    char created_at[32];
    char cfg_path[512];          /* the sweep file, absolute                */
    char base_rig[512];          /* its base rig, absolute                  */
    int n_points;
} nr_store_sweep;

/* Record a sweep and its points: labels[i] ("model.quantize=int8, ...")
 * and sets[i] (its --set arguments, one per line).  One transaction. */
int nr_store_sweep_create(nr_store *s, const nr_store_sweep *sw, const char *const *labels,
                          const char *const *sets, neurio_errbuf *err);

/* Find a sweep by exact id, unique prefix or "last"; with cfg_path
 * non-NULL and id NULL, the newest sweep of that file.  NEURIO_ERR_INVALID
 * with a message when none (or several) match. */
int nr_store_sweep_get(nr_store *s, const char *id, const char *cfg_path, nr_store_sweep *out,
                       neurio_errbuf *err);

/* Each point of a sweep in order: fn(user, point, label, sets). */
typedef int (*nr_store_point_fn)(void *user, int point, const char *label, const char *sets);
int nr_store_sweep_points(nr_store *s, const char *sweep_id, nr_store_point_fn fn, void *user,
                          neurio_errbuf *err);

/* Every run of a sweep, by point then start time. */
int nr_store_sweep_runs(nr_store *s, const char *sweep_id, nr_store_run_fn fn, void *user,
                        neurio_errbuf *err);

/* ---- per-layer debug results (store_debug.c, schema 3) ------------------ */

/* One layer of `neurio debug` / task.debug = "layers": `ref` "device" =
 * the device's layer output against the host reference on the prepared
 * model; "float" = the prepared model against the float model (both on the
 * host).  snr_db INFINITY = identical (stored as NULL). */
typedef struct nr_store_layer_debug {
    char ref[16];
    uint32_t index;
    uint32_t output;             /* which output of the layer (schema 4)    */
    char op[32];
    char tensor[96];
    char dtype[16];
    uint32_t samples;
    uint64_t elements, mismatches;
    double max_abs, rel_l2, snr_db;
} nr_store_layer_debug;

/* Replace the run's rows of rows[0].ref (all rows share it) in one
 * transaction.  NEURIO_ERR_INVALID on a store older than schema 4 (open it
 * for writing once to upgrade it). */
int nr_store_set_layer_debug(nr_store *s, const char *run_id, const nr_store_layer_debug *rows,
                             size_t n, neurio_errbuf *err);

/* Every debug row of the run, by ref, layer, output; *out malloc'ed
 * (free()), *n = 0 when none (or a store older than schema 3; a schema-3
 * store's rows are each layer's first output). */
int nr_store_get_layer_debug(nr_store *s, const char *run_id, nr_store_layer_debug **out,
                             size_t *n, neurio_errbuf *err);

/* ---- the farm's job queue (store_farm.c; claiming needs PostgreSQL) ------ */

/* A job as submitted: a rig (absolute path, read where the worker runs:
 * a shared file system) with its --set overrides, one per line, run from
 * work_dir; plugin/board say which workers can serve it. */
typedef struct nr_store_job_new {
    const char *id, *submitted_at, *rig_path, *sets, *work_dir, *plugin, *board;
    const char *sweep_id;  /* NULL = not a sweep point */
    int sweep_point;
    int max_attempts;      /* claims before a job whose workers keep dying is
                              failed; <= 0 = NR_STORE_JOB_MAX_ATTEMPTS   */
} nr_store_job_new;

#define NR_STORE_JOB_MAX_ATTEMPTS 3

/* A claimed job. */
typedef struct nr_store_job {
    char id[64];
    char rig_path[1024], work_dir[1024];
    char *sets;            /* malloc'ed, one per line; free()              */
    char sweep_id[64];     /* "" = none                                    */
    int sweep_point;
    int attempt;           /* 1 for the first claim                        */
    char previous_worker[128]; /* "" unless reclaimed from a dead worker   */
} nr_store_job;

int nr_store_job_submit(nr_store *s, const nr_store_job_new *j, neurio_errbuf *err);

/* Claim the oldest job this worker can serve (plugin/board NULL = any):
 * queued, or running with an expired lease (a dead worker's: the runs of
 * its earlier attempts that did not complete are marked "abandoned", their
 * rows kept).  First, every job whose lease expired on its max_attempts-th
 * attempt is marked "failed" (error: the attempts made and the last
 * worker), its incomplete runs "abandoned"; *gave_up (may be NULL) counts
 * them.  SELECT ... FOR UPDATE SKIP LOCKED, so workers never claim
 * the same job.  *got = 0 when none.  NEURIO_ERR_UNSUPPORTED on SQLite. */
int nr_store_job_claim(nr_store *s, const char *worker, const char *plugin, const char *board,
                       int lease_ms, nr_store_job *out, int *got, int *gave_up,
                       neurio_errbuf *err);

/* Extend the lease; *ours = 0 when the job is no longer this worker's
 * attempt (the lease expired and it was claimed again). */
int nr_store_job_renew(nr_store *s, const char *job_id, const char *worker, int attempt,
                       int lease_ms, int *ours, neurio_errbuf *err);

/* Close this worker's attempt: status "done", "failed" or "queued" (given
 * back, e.g. the worker was stopped), with an error text or NULL.  *ours =
 * 0 when the attempt had lost its lease (its run is then marked
 * "superseded"). */
int nr_store_job_finish(nr_store *s, const char *job_id, const char *worker, int attempt,
                        const char *status, const char *error, const char *finished_at,
                        int *ours, neurio_errbuf *err);

/* Jobs not finished (queued or running) that plugin/board could serve. */
int nr_store_job_open_count(nr_store *s, const char *plugin, const char *board, long *n,
                            neurio_errbuf *err);

/* The store's spec with any password hidden (for messages). */
const char *nr_store_where(const nr_store *s);

void nr_store_close(nr_store *s);

#endif /* NEURIO_CORE_STORE_H */
