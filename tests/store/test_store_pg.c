/* tests/store/test_store_pg.c — the store contract against a REAL
 * PostgreSQL server that this program starts itself (tests/store/pg_ctl.sh:
 * initdb in a temp dir owned by the postgres user, a private port on
 * 127.0.0.1) and stops at exit.  Each case gets its own database. */
#include <libpq-fe.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "store_cases.h"
#include "test_util.h"

static char pg_dir[512];
static char pg_uri[512];   /* postgresql://postgres@127.0.0.1:PORT/neurio */

static void pg_stop(void)
{
    if (!pg_dir[0])
        return;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "'%s/tests/store/pg_ctl.sh' stop '%s'", NEURIO_SOURCE_DIR, pg_dir);
    char *out = NULL;
    if (neurio_test_run(cmd, &out) != 0)
        fprintf(stderr, "pg_ctl.sh stop failed: %s\n", out ? out : "");
    free(out);
    pg_dir[0] = '\0';
}

static void pg_start(void)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s/tests/store/pg_ctl.sh' start 2>/dev/null", NEURIO_SOURCE_DIR);
    FILE *f = popen(cmd, "r");
    if (!f)
        neurio_test_skip("cannot run pg_ctl.sh");
    int ok = fgets(pg_dir, sizeof pg_dir, f) && fgets(pg_uri, sizeof pg_uri, f);
    int st = pclose(f);
    pg_dir[strcspn(pg_dir, "\n")] = '\0';
    pg_uri[strcspn(pg_uri, "\n")] = '\0';
    if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
        neurio_test_skip("PostgreSQL server binaries are not installed (Debian package postgresql)");
    if (!ok || st != 0) {
        fprintf(stderr, "could not start a private PostgreSQL with tests/store/pg_ctl.sh "
                        "(run it by hand to see why)\n");
        exit(1);
    }
    atexit(pg_stop);
}

/* The URI with the database name replaced. */
static const char *uri_for(const char *db)
{
    static char buf[8][600];
    static int next;
    char *b = buf[next++ % 8];
    snprintf(b, 600, "%.*s/%s", (int)(strrchr(pg_uri, '/') - pg_uri), pg_uri, db);
    return b;
}

static int pg_raw(const char *spec, const char *sql)
{
    PGconn *c = PQconnectdb(spec);
    int rc = -1;
    if (PQstatus(c) == CONNECTION_OK) {
        PGresult *r = PQexec(c, sql);
        rc = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : -1;
        if (rc)
            fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(r));
        PQclear(r);
    }
    PQfinish(c);
    return rc;
}

static const char *pg_fresh(const char *tag)
{
    char sql[256];
    snprintf(sql, sizeof sql, "CREATE DATABASE neurio_%s", tag);
    if (pg_raw(pg_uri, sql) != 0)
        return "postgresql://invalid";
    char db[128];
    snprintf(db, sizeof db, "neurio_%s", tag);
    return uri_for(db);
}

static void test_pg_unreachable(void)
{
    nr_store *s = NULL;
    neurio_errbuf err = { { 0 } };
    /* Port 1 on loopback: nothing listens, connection refused at once. */
    CU_ASSERT_EQUAL(nr_store_open("postgresql://neurio:secret@127.0.0.1:1/x", NR_STORE_WRITE,
                                  &s, &err), NEURIO_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot reach the PostgreSQL store"));
    CU_ASSERT_PTR_NULL(strstr(err.msg, "secret")); /* password never printed */
    CU_ASSERT_PTR_NULL(strchr(err.msg, '\n'));
    /* The keyword/value form reaches the same server. */
    char spec[700];
    const char *port = strrchr(pg_uri, ':') + 1;
    snprintf(spec, sizeof spec, "postgresql:host=127.0.0.1 port=%d user=postgres dbname=neurio",
             atoi(port));
    CU_ASSERT_EQUAL(nr_store_open(spec, NR_STORE_WRITE, &s, &err), 0);
    nr_store_close(s);
}

/* `neurio run` (TEST-ONLY test_echo plugin, a model from ../shared) storing
 * into this server, then `neurio runs` and `neurio show` reading it back
 * (with the per-layer weight layouts the plugin reported). */
static void test_launcher_into_pg(void)
{
    const char *shared = neurio_test_shared_dir();
    const char *neurio = NEURIO_BINARY_DIR "/core/neurio";
    const char *good = NEURIO_BINARY_DIR "/tests/plugins/good";
    char model[PATH_MAX];
    snprintf(model, sizeof model, "%s/models/hello_world_int8.tflite", shared ? shared : "");
    if (!shared || access(model, R_OK) || access(neurio, X_OK) || access(good, R_OK)) {
        printf("\n    (not run: needs ../shared, the launcher and the test plugins)\n");
        return;
    }
    const char *spec = pg_fresh("launcher");
    const char *dir = neurio_test_tmpdir();
    char rig[PATH_MAX], text[8192], cmd[16384];
    snprintf(rig, sizeof rig, "%s/pg.cfg", dir);
    snprintf(text, sizeof text,
             "plugin_path = [ \"%s\" ];\ndevice = { plugin = \"test_echo\"; };\n"
             "model = { path = \"%s\"; };\n"
             "data = { inputs = \"%s/golden/hello_world_int8/input.npy\"; "
             "labels = \"%s/golden/hello_world_int8/output.npy\"; };\n"
             "task = { kind = \"regression\"; };\n"
             "output = { dir = \"%s/runs\"; store = \"%s\"; };\n",
             good, model, shared, shared, dir, spec);
    CU_ASSERT_EQUAL_FATAL(neurio_test_write_file(rig, text, strlen(text)), 0);
    char *out = NULL;
    snprintf(cmd, sizeof cmd, "NO_COLOR=1 '%s' run '%s' --set device.fail_after=20", neurio, rig);
    CU_ASSERT_EQUAL(neurio_test_run(cmd, &out), 6);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "stored as run "));
    free(out);
    snprintf(cmd, sizeof cmd, "NO_COLOR=1 '%s' run '%s' --set device.layout=packed-int16",
             neurio, rig);
    CU_ASSERT_EQUAL(neurio_test_run(cmd, &out), 0);
    free(out);
    snprintf(cmd, sizeof cmd, "NO_COLOR=1 '%s' runs --store '%s'", neurio, spec);
    CU_ASSERT_EQUAL(neurio_test_run(cmd, &out), 0);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "failed     20/64"));
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "ok         64/64"));
    free(out);
    snprintf(cmd, sizeof cmd, "NO_COLOR=1 '%s' show last --rig '%s'", neurio, rig);
    CU_ASSERT_EQUAL(neurio_test_run(cmd, &out), 0);
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "samples   64 of 64"));
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "rmse"));
    /* each layer's weight layout (test_echo: 1000 * (l + 1) bytes) read back */
    CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "packed-int16           3000        300\n"));
    free(out);
    PGconn *c = PQconnectdb(spec);
    PGresult *r = PQexec(c, "SELECT count(*) FROM inferences");
    CU_ASSERT_EQUAL(PQresultStatus(r), PGRES_TUPLES_OK);
    CU_ASSERT_STRING_EQUAL(PQresultStatus(r) == PGRES_TUPLES_OK ? PQgetvalue(r, 0, 0) : "", "84");
    PQclear(r);
    PQfinish(c);
}

static const store_engine engine = { .name = "postgresql", .fresh = pg_fresh, .raw_exec = pg_raw };

int neurio_register_tests(void)
{
    pg_start();
    if (store_cases_register(&engine))
        return -1;
    CU_pSuite s = CU_add_suite("postgresql-specific", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "unreachable server, conninfo form", test_pg_unreachable);
    CU_add_test(s, "launcher run stored in PostgreSQL", test_launcher_into_pg);
    return 0;
}
