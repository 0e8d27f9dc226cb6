/* tests/store/test_store_sqlite.c — the store contract on SQLite files in a
 * private temp dir, plus SQLite-specific failures (unreadable file, missing
 * store, a file that is not a database). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store.h"
#include "store_cases.h"
#include "test_util.h"

static const char *sq_fresh(const char *tag)
{
    /* A nested path: opening for writing creates the directories. */
    static char buf[8][1024];
    static int next;
    char *b = buf[next++ % 8];
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
    struct stat st;
    CU_ASSERT_NOT_EQUAL(stat(path, &st), 0);
    /* A file that is not a database is refused at open, not mid-run. */
    snprintf(path, sizeof path, "%s/garbage.db", neurio_test_tmpdir());
    char junk[4096];
    memset(junk, 'z', sizeof junk);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(path, junk, sizeof junk), 0);
    snprintf(spec, sizeof spec, "sqlite:%s", path);
    CU_ASSERT_EQUAL(nr_store_open(spec, NR_STORE_WRITE, &s, &err), NEURIO_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "garbage.db"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a database"));
    /* A directory that cannot be created (a file is in the way). */
    snprintf(spec, sizeof spec, "sqlite:%s/garbage.db/x/results.db", neurio_test_tmpdir());
    CU_ASSERT_EQUAL(nr_store_open(spec, NR_STORE_WRITE, &s, &err), NEURIO_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot create directory"));
    CU_ASSERT_PTR_NULL(s);
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
    return 0;
}
