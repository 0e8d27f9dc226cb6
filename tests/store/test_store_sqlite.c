/* tests/store/test_store_sqlite.c — the store contract on SQLite files in a
 * private temp dir, plus SQLite-specific failures (unreadable file, missing
 * store, a file that is not a database). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_backend.h"
#include "store_cases.h"
#include "test_util.h"

static const char *sq_fresh(const char *tag)
{
    /* A nested path; the store creates no directory, so the test does. */
    static char buf[8][1024];
    static int next;
    char *b = buf[next++ % 8];
    snprintf(b, 1024, "%s/%s", neurio_test_tmpdir(), tag);
    mkdir(b, 0777);
    snprintf(b, 1024, "%s/%s/sub", neurio_test_tmpdir(), tag);
    mkdir(b, 0777);
    snprintf(b, 1024, "sqlite:%s/%s/sub/results.db", neurio_test_tmpdir(), tag);
    return b;
}

static int sq_raw(const char *spec, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(spec + 7, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

static void test_sqlite_failures(void)
{
    nr_store *s = NULL;
    neurio_errbuf err = { { 0 } };
    char spec[1200], path[1100];
    /* Reading a store that does not exist does not create it. */
    snprintf(path, sizeof path, "%s/absent.db", neurio_test_tmpdir());
    snprintf(spec, sizeof spec, "sqlite:%s", path);
    CU_ASSERT_EQUAL(nr_store_open(spec, NR_STORE_READ, &s, &err), NEURIO_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no store at sqlite:"));
    struct stat sb;
    CU_ASSERT_NOT_EQUAL(stat(path, &sb), 0);
    /* A file that is not a database is refused at open, not mid-run. */
    snprintf(path, sizeof path, "%s/garbage.db", neurio_test_tmpdir());
    char junk[4096];
    memset(junk, 'z', sizeof junk);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, junk, sizeof junk), 0);
    snprintf(spec, sizeof spec, "sqlite:%s", path);
    CU_ASSERT_EQUAL(nr_store_open(spec, NR_STORE_WRITE, &s, &err), NEURIO_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "garbage.db"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a database"));
    /* A directory that does not exist is never created (issue 19 case 3:
     * a typo in the path used to scatter directories and databases). */
    snprintf(spec, sizeof spec, "sqlite:%s/garbage.db/x/results.db", neurio_test_tmpdir());
    CU_ASSERT_EQUAL(nr_store_open(spec, NR_STORE_WRITE, &s, &err), NEURIO_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "does not exist"));
    CU_ASSERT_PTR_NULL(s);
    snprintf(spec, sizeof spec, "sqlite:%s/nonexistent/dir/x.db", neurio_test_tmpdir());
    CU_ASSERT_EQUAL(nr_store_open(spec, NR_STORE_WRITE, &s, &err), NEURIO_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent/dir does not exist"));
    snprintf(path, sizeof path, "%s/nonexistent", neurio_test_tmpdir());
    CU_ASSERT_NOT_EQUAL(stat(path, &sb), 0);
}

/* Store specs in messages never show a password: the one redaction both
 * engines use. */
static void test_redact(void)
{
    char buf[128];
    nr_store_redact(buf, sizeof buf, "postgresql://ann:s3cret@db.example:5432/runs");
    CU_ASSERT_STRING_EQUAL(buf, "postgresql://ann:***@db.example:5432/runs");
    nr_store_redact(buf, sizeof buf, "postgresql://ann@db.example/runs");
    CU_ASSERT_STRING_EQUAL(buf, "postgresql://ann@db.example/runs");
    nr_store_redact(buf, sizeof buf, "postgresql://db.example:5432/runs");
    CU_ASSERT_STRING_EQUAL(buf, "postgresql://db.example:5432/runs");
    nr_store_redact(buf, sizeof buf, "sqlite:runs/a:b@c.db");
    CU_ASSERT_STRING_EQUAL(buf, "sqlite:runs/a:b@c.db");
    nr_store_redact(buf, 12, "postgresql://ann:s3cret@h/d");
    CU_ASSERT_EQUAL(strlen(buf), 11u);
    nr_store_redact(buf, 20, "postgresql://ann:s3cret@h/d"); /* cut inside the password */
    CU_ASSERT_STRING_EQUAL(buf, "postgresql://ann:**");
}

/* A full disk, simulated with RLIMIT_FSIZE in a child: batches of rows go
 * in until a write fails; the failure is a clear error naming the store,
 * and what stays is exactly the batches that committed, never part of one. */
static void test_disk_full_never_half_a_batch(void)
{
    enum { BATCH = 200 };
    char path[1100], spec[1200];
    snprintf(path, sizeof path, "%s/full", neurio_test_tmpdir());
    mkdir(path, 0777); /* the store creates no directory */
    snprintf(path, sizeof path, "%s/full/results.db", neurio_test_tmpdir());
    snprintf(spec, sizeof spec, "sqlite:%s", path);
    nr_store *s = NULL;
    neurio_errbuf err = { { 0 } };
    CU_ASSERT_EQUAL_FATAL(nr_store_open(spec, NR_STORE_WRITE, &s, &err), 0);
    nr_store_run r = { .run_id = "full", .started_at = "2026-11-26T06:00:00Z", .plugin = "x",
                       .n_planned = 1000000 };
    CU_ASSERT_EQUAL_FATAL(nr_store_begin_run(s, &r, &err), 0);
    nr_store_close(s);
    int fds[2];
    CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        signal(SIGXFSZ, SIG_IGN); /* a write past the limit fails with EFBIG */
        struct stat st;
        if (stat(path, &st) != 0)
            _exit(2);
        struct rlimit lim = { .rlim_cur = (rlim_t)st.st_size + 64 * 1024,
                              .rlim_max = (rlim_t)st.st_size + 64 * 1024 };
        if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
            _exit(3);
        nr_store *cs = NULL;
        neurio_errbuf cerr;
        if (nr_store_open(spec, NR_STORE_WRITE, &cs, &cerr))
            _exit(4);
        static nr_store_row rows[BATCH];
        for (uint64_t b = 0; b < 10000; b++) {
            for (int i = 0; i < BATCH; i++)
                rows[i] = (nr_store_row){ .index = b * BATCH + (uint64_t)i, .host_ns = 123456789,
                                          .cycles = 987654321, .has_label = 1, .label = 3,
                                          .score = 0.5 };
            if (nr_store_add_rows(cs, "full", rows, BATCH, &cerr)) {
                /* report the message to the parent */
                if (write(fds[1], cerr.msg, strlen(cerr.msg)) < 0)
                    _exit(5);
                nr_store_close(cs);
                _exit(0);
            }
        }
        _exit(6); /* the limit never hit */
    }
    close(fds[1]);
    char msg[600] = "";
    ssize_t k = read(fds[0], msg, sizeof msg - 1);
    msg[k > 0 ? k : 0] = '\0';
    close(fds[0]);
    int st = -1;
    waitpid(pid, &st, 0);
    CU_ASSERT_FATAL(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    printf("\n    disk-full error: %s\n", msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "store sqlite:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "results.db"));
    CU_ASSERT_PTR_NULL(strchr(msg, '\n'));
    CU_ASSERT_EQUAL_FATAL(nr_store_open(spec, NR_STORE_READ, &s, &err), 0);
    size_t n = 0;
    CU_ASSERT_EQUAL(nr_store_get_rows(s, "full", NULL, 0, &n, &err), 0);
    CU_ASSERT(n > 0);
    CU_ASSERT_EQUAL(n % BATCH, 0); /* whole batches only */
    nr_store_run_info info;
    CU_ASSERT_EQUAL(nr_store_get_run(s, "full", &info, &err), 0);
    CU_ASSERT_EQUAL(info.n_done, n);
    nr_store_close(s);
}

static const store_engine engine = { .name = "sqlite", .fresh = sq_fresh, .raw_exec = sq_raw };

int neurio_register_tests(void)
{
    if (store_cases_register(&engine))
        return -1;
    CU_pSuite s = CU_add_suite("sqlite-specific", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "missing, corrupt, unwritable", test_sqlite_failures);
    CU_add_test(s, "passwords redacted in store specs", test_redact);
    CU_add_test(s, "disk full: whole batches or nothing", test_disk_full_never_half_a_batch);
    return 0;
}
