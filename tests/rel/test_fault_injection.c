/* tests/rel/test_fault_injection.c — error injection in the spirit of
 * SQLite's own tests (issue 19): an operation is run again and again with a
 * fault armed at its 1st, 2nd, 3rd ... call of malloc, write or fsync,
 * until it runs through.  Each time the operation must fail cleanly (an
 * error, no crash, no leak under ASan) and nothing already written may be
 * lost: the result store keeps every committed run and whole batches only,
 * an artefact file (predictions .npy, profile.json, report.html,
 * inferences.csv) is either the old one or the new one, never a torn one,
 * and no temporary file is left behind.
 *
 * The faults are TEST DOUBLES of a failing allocator and a full or broken
 * disk: malloc/calloc/realloc, fwrite, fflush and fsync are interposed in
 * this executable (so libneurio, libsqlite3 and libc's callers reach them),
 * and SQLite's writes and syncs go through a VFS shim over the real unix
 * VFS that fails xWrite with SQLITE_FULL (ENOSPC) and xSync with
 * SQLITE_IOERR_FSYNC.  Everything else is real: real files, real SQLite. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "neurio/npy.h"
#include "report/profile_json.h"
#include "report/report_csv.h"
#include "report/report_html.h"
#include "store/store.h"
#include "test_util.h"

/* ---- the fault switchboard ------------------------------------------------ */

enum { F_NONE, F_MALLOC, F_WRITE, F_SYNC };
static int fault_kind = F_NONE;
static long fault_countdown; /* the call that fails: 1 = the next one */
static int fault_fired;

static int fault_hit(int kind)
{
    if (fault_kind != kind || fault_fired)
        return 0;
    if (--fault_countdown > 0)
        return 0;
    fault_fired = 1;
    return 1;
}

static void fault_arm(int kind, long n)
{
    fault_fired = 0;
    fault_countdown = n;
    fault_kind = kind;
}

static void fault_off(void)
{
    fault_kind = F_NONE;
}

/* Exported so that every library's calls land here (the build hides
 * symbols by default). */
#define INTERPOSE __attribute__((visibility("default")))

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

INTERPOSE void *malloc(size_t n)
{
    if (fault_hit(F_MALLOC)) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_malloc(n);
}

INTERPOSE void *calloc(size_t n, size_t m)
{
    if (fault_hit(F_MALLOC)) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_calloc(n, m);
}

INTERPOSE void *realloc(void *p, size_t n)
{
    if (fault_hit(F_MALLOC)) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_realloc(p, n);
}

typedef size_t (*fwrite_fn)(const void *, size_t, size_t, FILE *);
typedef int (*fflush_fn)(FILE *);
typedef int (*fsync_fn)(int);

INTERPOSE size_t fwrite(const void *p, size_t sz, size_t n, FILE *f)
{
    static fwrite_fn real;
    if (!real)
        real = (fwrite_fn)dlsym(RTLD_NEXT, "fwrite");
    if (fault_hit(F_WRITE)) {
        errno = ENOSPC;
        f->_flags |= _IO_ERR_SEEN; /* as a real failed write leaves the stream */
        return 0;
    }
    return real(p, sz, n, f);
}

INTERPOSE int fflush(FILE *f)
{
    static fflush_fn real;
    if (!real)
        real = (fflush_fn)dlsym(RTLD_NEXT, "fflush");
    if (f && fault_hit(F_WRITE)) {
        real(f);
        errno = ENOSPC;
        return EOF;
    }
    return real(f);
}

INTERPOSE int fsync(int fd)
{
    static fsync_fn real;
    if (!real)
        real = (fsync_fn)dlsym(RTLD_NEXT, "fsync");
    if (fault_hit(F_SYNC)) {
        errno = EIO;
        return -1;
    }
    return real(fd);
}

/* ---- SQLite VFS shim ---------------------------------------------------- */

typedef struct shim_file {
    sqlite3_file base;
    sqlite3_file *real; /* allocated right after */
} shim_file;

static sqlite3_vfs *real_vfs;
static sqlite3_io_methods shim_io;

static int shim_close(sqlite3_file *f)
{
    shim_file *s = (shim_file *)f;
    return s->real->pMethods ? s->real->pMethods->xClose(s->real) : SQLITE_OK;
}
static int shim_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{
    shim_file *s = (shim_file *)f;
    return s->real->pMethods->xRead(s->real, b, n, o);
}
static int shim_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
    shim_file *s = (shim_file *)f;
    if (fault_hit(F_WRITE))
        return SQLITE_FULL;
    return s->real->pMethods->xWrite(s->real, b, n, o);
}
static int shim_truncate(sqlite3_file *f, sqlite3_int64 n)
{
    shim_file *s = (shim_file *)f;
    return s->real->pMethods->xTruncate(s->real, n);
}
static int shim_sync(sqlite3_file *f, int flags)
{
    shim_file *s = (shim_file *)f;
    if (fault_hit(F_SYNC))
        return SQLITE_IOERR_FSYNC;
    return s->real->pMethods->xSync(s->real, flags);
}
#define SHIM_FWD(name, sig, call)                                                              \
    static int shim_##name sig                                                                  \
    {                                                                                           \
        shim_file *s = (shim_file *)f;                                                          \
        return s->real->pMethods->x##call;                                                      \
    }
SHIM_FWD(size, (sqlite3_file *f, sqlite3_int64 *p), FileSize(s->real, p))
SHIM_FWD(lock, (sqlite3_file *f, int l), Lock(s->real, l))
SHIM_FWD(unlock, (sqlite3_file *f, int l), Unlock(s->real, l))
SHIM_FWD(reserved, (sqlite3_file *f, int *r), CheckReservedLock(s->real, r))
SHIM_FWD(fcntl, (sqlite3_file *f, int op, void *a), FileControl(s->real, op, a))
SHIM_FWD(sector, (sqlite3_file *f), SectorSize(s->real))
SHIM_FWD(devchar, (sqlite3_file *f), DeviceCharacteristics(s->real))
SHIM_FWD(shmmap, (sqlite3_file *f, int i, int sz, int e, void volatile **p),
         ShmMap(s->real, i, sz, e, p))
SHIM_FWD(shmlock, (sqlite3_file *f, int o, int n, int fl), ShmLock(s->real, o, n, fl))
SHIM_FWD(shmunmap, (sqlite3_file *f, int d), ShmUnmap(s->real, d))
static void shim_shmbarrier(sqlite3_file *f)
{
    shim_file *s = (shim_file *)f;
    s->real->pMethods->xShmBarrier(s->real);
}

static int shim_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out)
{
    (void)v;
    shim_file *s = (shim_file *)f;
    s->real = (sqlite3_file *)(s + 1);
    memset(s->real, 0, (size_t)real_vfs->szOsFile);
    int rc = real_vfs->xOpen(real_vfs, name, s->real, flags, out);
    s->base.pMethods = rc == SQLITE_OK ? &shim_io : NULL;
    return rc;
}

static sqlite3_vfs shim_vfs;

static void shim_install(void)
{
    real_vfs = sqlite3_vfs_find(NULL);
    shim_io = (sqlite3_io_methods){
        .iVersion = 2, .xClose = shim_close, .xRead = shim_read, .xWrite = shim_write,
        .xTruncate = shim_truncate, .xSync = shim_sync, .xFileSize = shim_size,
        .xLock = shim_lock, .xUnlock = shim_unlock, .xCheckReservedLock = shim_reserved,
        .xFileControl = shim_fcntl, .xSectorSize = shim_sector,
        .xDeviceCharacteristics = shim_devchar, .xShmMap = shim_shmmap,
        .xShmLock = shim_shmlock, .xShmBarrier = shim_shmbarrier, .xShmUnmap = shim_shmunmap };
    shim_vfs = *real_vfs;
    shim_vfs.zName = "neurio-faulty";
    shim_vfs.szOsFile = (int)sizeof(shim_file) + real_vfs->szOsFile;
    shim_vfs.xOpen = shim_open;
    sqlite3_vfs_register(&shim_vfs, 1);
}

/* ---- the store ------------------------------------------------------------ */

static void rows_for(nr_store_row *rows, uint64_t first, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rows[i] = (nr_store_row){ .index = first + i, .host_ns = 1000 + i, .cycles = 7,
                                  .has_label = 1, .label = (int64_t)(i % 3), .score = NAN };
}

static long long count_rows(const char *spec, const char *run)
{
    nr_store *s = NULL;
    neurio_errbuf err;
    if (nr_store_open(spec, NR_STORE_READ, &s, &err) != NEURIO_OK)
        return -1;
    static nr_store_row rows[1000];
    size_t n = 0;
    long long r = nr_store_get_rows(s, run, rows, 1000, &n, &err) == NEURIO_OK ? (long long)n : -1;
    nr_store_close(s);
    return r;
}

static void store_under(int kind)
{
    char spec[1200];
    snprintf(spec, sizeof spec, "sqlite:%s/fault-%d.db", neurio_test_tmpdir(), kind);
    unlink(spec + 7);
    nr_store *s = NULL;
    neurio_errbuf err;
    nr_store_row rows[50];
    /* what is already written: one whole run of 100 rows */
    CU_ASSERT_EQUAL_FATAL(nr_store_open(spec, NR_STORE_WRITE, &s, &err), 0);
    nr_store_run base = { .run_id = "base", .started_at = "2026-12-07T00:00:00.000Z",
                          .plugin = "x", .n_planned = 100, .batch_size = 50 };
    CU_ASSERT_EQUAL_FATAL(nr_store_begin_run(s, &base, &err), 0);
    for (int b = 0; b < 2; b++) {
        rows_for(rows, (uint64_t)b * 50, 50);
        CU_ASSERT_EQUAL_FATAL(nr_store_add_rows(s, "base", rows, 50, &err), 0);
    }
    nr_metrics m = { 0 };
    nr_metrics_add(&m, "latency", "host_latency_mean", 1.0, "ms", "test");
    CU_ASSERT_EQUAL_FATAL(nr_store_finish_run(s, "base", "ok", 1, NULL, "2026-12-07T00:00:01Z",
                                              &m, NULL, NULL, &err), 0);
    nr_store_close(s);
    int went_through = 0, failed = 0;
    long n;
    for (n = 1; n < 100000 && !went_through; n++) {
        char id[32];
        snprintf(id, sizeof id, "run-%ld", n);
        int rc = 0, batches = 0;
        fault_arm(kind, n);
        s = NULL;
        rc = nr_store_open(spec, NR_STORE_WRITE, &s, &err);
        nr_store_run r = { .run_id = id, .started_at = "2026-12-07T00:00:02.000Z",
                           .plugin = "x", .n_planned = 150, .batch_size = 50 };
        if (!rc)
            rc = nr_store_begin_run(s, &r, &err);
        for (int b = 0; !rc && b < 3; b++) {
            rows_for(rows, (uint64_t)b * 50, 50);
            rc = nr_store_add_rows(s, id, rows, 50, &err);
            batches += !rc;
        }
        if (!rc)
            rc = nr_store_finish_run(s, id, "ok", 1, NULL, "2026-12-07T00:00:03Z", &m, NULL,
                                     NULL, &err);
        went_through = !fault_fired;
        fault_off();
        if (fault_fired && rc == 0 && kind != F_MALLOC) {
            /* a failure SQLite recovered from by itself is fine: the data
             * must still be all there (checked below) */
        }
        if (fault_fired && rc != 0) {
            failed++;
            CU_ASSERT(err.msg[0] != '\0'); /* a message, not silence */
        }
        nr_store_close(s);
        /* nothing already written is lost, nothing is half written */
        CU_ASSERT_EQUAL(count_rows(spec, "base"), 100);
        long long got = count_rows(spec, id);
        if (got >= 0) {
            CU_ASSERT_EQUAL(got % 50, 0);
            CU_ASSERT(got >= (long long)batches * 50 || rc == 0);
        }
    }
    nr_metrics_free(&m);
    fprintf(stderr, "[store, fault %d: %ld faults injected, %d failed cleanly] ", kind, n - 2,
            failed);
    CU_ASSERT(went_through); /* the loop reached a fault-free run */
}

static void test_store_malloc(void)
{
    store_under(F_MALLOC);
}

static void test_store_enospc(void)
{
    store_under(F_WRITE);
}

static void test_store_fsync(void)
{
    store_under(F_SYNC);
}

/* ---- artefact files --------------------------------------------------------- */

static int no_tmp_left(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int ok = 1;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".tmp."))
            ok = 0;
    if (d)
        closedir(d);
    return ok;
}

typedef int (*writer_fn)(const char *path, void *ctx, neurio_errbuf *err);

/* Write `path` once cleanly, then again under a fault at every call in
 * turn: each failed attempt leaves exactly the first file. */
static void artefact_under(int kind, const char *name, writer_fn w, void *ctx)
{
    char dir[1100], path[1200];
    snprintf(dir, sizeof dir, "%s/art-%d-%s", neurio_test_tmpdir(), kind, name);
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    neurio_errbuf err;
    CU_ASSERT_EQUAL_FATAL(w(path, ctx, &err), 0);
    size_t len0 = 0;
    char *first = neurio_test_read_file(path, &len0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(first);
    int went_through = 0, failures = 0;
    for (long n = 1; n < 100000 && !went_through; n++) {
        fault_arm(kind, n);
        int rc = w(path, ctx, &err);
        went_through = !fault_fired;
        fault_off();
        size_t len = 0;
        char *now = neurio_test_read_file(path, &len);
        CU_ASSERT_PTR_NOT_NULL(now);
        if (rc != 0) {
            failures++;
            CU_ASSERT(err.msg[0] != '\0');
            /* the old file, whole */
            int same = now && len == len0 && !memcmp(now, first, len0);
            if (!same)
                fprintf(stderr, "%s: fault %d at call %ld: %zu bytes now, %zu before (%s)\n",
                        name, kind, n, len, len0, err.msg);
            CU_ASSERT(same);
        }
        CU_ASSERT(no_tmp_left(dir));
        free(now);
    }
    fprintf(stderr, "[%s: %d failed cleanly] ", name, failures);
    CU_ASSERT(went_through);
    CU_ASSERT(failures > 0); /* the fault was really on the path */
    free(first);
}

static int w_npy(const char *path, void *ctx, neurio_errbuf *err)
{
    (void)ctx;
    static int8_t data[4096];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (int8_t)(i * 7);
    const int64_t dims[2] = { 4096, 1 };
    return neurio_npy_write(path, NEURIO_DT_INT8, 2, dims, data, err);
}

static int w_profile(const char *path, void *ctx, neurio_errbuf *err)
{
    return nr_profile_write(&((fixture *)ctx)->d, path, err);
}

static int w_html(const char *path, void *ctx, neurio_errbuf *err)
{
    return nr_report_html_write(&((fixture *)ctx)->d, path, err);
}

static int w_csv(const char *path, void *ctx, neurio_errbuf *err)
{
    return nr_report_csv_write(&((fixture *)ctx)->d, path, err);
}

static void artefacts_under(int kind)
{
    fixture fx;
    CU_ASSERT_EQUAL_FATAL(fixture_make(&fx), 0);
    artefact_under(kind, "pred.npy", w_npy, NULL);
    artefact_under(kind, "profile.json", w_profile, &fx);
    artefact_under(kind, "report.html", w_html, &fx);
    artefact_under(kind, "inferences.csv", w_csv, &fx);
    fixture_free(&fx);
}

static void test_artefacts_malloc(void)
{
    artefacts_under(F_MALLOC);
}

static void test_artefacts_enospc(void)
{
    artefacts_under(F_WRITE);
}

static void test_artefacts_fsync(void)
{
    artefacts_under(F_SYNC);
}

int neurio_register_tests(void)
{
    shim_install();
    CU_pSuite s = CU_add_suite("fault_injection", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "store: malloc fails at every call in turn", test_store_malloc);
    CU_add_test(s, "store: write fails (ENOSPC) at every call in turn", test_store_enospc);
    CU_add_test(s, "store: fsync fails at every call in turn", test_store_fsync);
    CU_add_test(s, "artefacts: malloc fails at every call in turn", test_artefacts_malloc);
    CU_add_test(s, "artefacts: write fails (ENOSPC) at every call in turn",
                test_artefacts_enospc);
    CU_add_test(s, "artefacts: fsync fails at every call in turn", test_artefacts_fsync);
    return 0;
}
