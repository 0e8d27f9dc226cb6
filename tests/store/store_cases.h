/* tests/store/store_cases.h — store test cases shared by the SQLite and the
 * PostgreSQL test programs: the same contract checked against both engines. */
#ifndef NEURIO_TESTS_STORE_CASES_H
#define NEURIO_TESTS_STORE_CASES_H

/* What a test program provides for its engine. */
typedef struct store_engine {
    const char *name;
    /* A spec for a new, empty store called `tag` (static buffer or leaked
     * string: lives until exit). */
    const char *(*fresh)(const char *tag);
    /* Run raw SQL on the store behind spec (to corrupt it on purpose);
     * 0 on success. */
    int (*raw_exec)(const char *spec, const char *sql);
} store_engine;

/* Register the shared cases in a suite named after the engine. */
int store_cases_register(const store_engine *engine);

#endif
