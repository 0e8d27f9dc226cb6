/* tests/structure/test_exports.c — libneurio exports exactly its public API:
 * every symbol of `nm -D --defined-only libneurio.so` is declared NEURIO_API
 * in a header of sdk/include/neurio/ (or the generated neurio/version.h),
 * and every such declaration is exported. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#define MAX_NAMES 1024

typedef struct names {
    char *v[MAX_NAMES];
    size_t n;
} names;

static void names_add(names *s, const char *p, size_t len)
{
    for (size_t i = 0; i < s->n; i++)
        if (strlen(s->v[i]) == len && !strncmp(s->v[i], p, len))
            return;
    CU_ASSERT_FATAL(s->n < MAX_NAMES);
    s->v[s->n++] = strndup(p, len);
}

static int names_has(const names *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i], name))
            return 1;
    return 0;
}

static int is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

/* Lines of `path` that start a function declaration in column 0 without
 * NEURIO_API (a public function libneurio would not export): printed,
 * counted. */
static int unmarked_declarations(const char *path)
{
    char *text = neurio_test_read_file(path, NULL);
    if (!text)
        return 1;
    int bad = 0, in_comment = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (in_comment) {
            in_comment = strstr(line, "*/") == NULL;
            continue;
        }
        if (!strncmp(line, "/*", 2)) {
            in_comment = strstr(line, "*/") == NULL;
            continue;
        }
        if (!(line[0] >= 'a' && line[0] <= 'z') || !strchr(line, '('))
            continue;
        static const char *const not_decl[] = { "static ", "typedef ", "struct ", "enum ",
                                                "union ", "extern \"C\"" };
        int skip = 0;
        for (size_t i = 0; i < sizeof not_decl / sizeof not_decl[0]; i++)
            skip |= !strncmp(line, not_decl[i], strlen(not_decl[i]));
        if (!skip) {
            fprintf(stderr, "\n%s: declared without NEURIO_API: %s", path, line);
            bad++;
        }
    }
    free(text);
    return bad;
}

/* Every name declared after NEURIO_API in file `path`: the identifier
 * before the declaration's first '(' (a function) or ';' / '[' (data). */
static int header_names(const char *path, names *s)
{
    char *text = neurio_test_read_file(path, NULL);
    if (!text)
        return -1;
    const char *p = text;
    while ((p = strstr(p, "NEURIO_API")) != NULL) {
        p += 10;
        if (is_ident(*p)) /* NEURIO_API_H */
            continue;
        const char *end = p + strcspn(p, "(;[");
        if (*end == '\0' || end - p > 400 || memchr(p, '#', (size_t)(end - p)))
            continue; /* the macro's own definition, or a comment */
        const char *q = end;
        while (q > p && !is_ident(q[-1]))
            q--;
        const char *b = q;
        while (b > p && is_ident(b[-1]))
            b--;
        if (q > b)
            names_add(s, b, (size_t)(q - b));
    }
    free(text);
    return 0;
}

static void test_exports_are_the_headers(void)
{
    names declared = { .n = 0 }, exported = { .n = 0 };
    DIR *d = opendir(NEURIO_SOURCE_DIR "/sdk/include/neurio");
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    char path[PATH_MAX];
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        size_t l = strlen(de->d_name);
        if (l < 3 || strcmp(de->d_name + l - 2, ".h") || !strcmp(de->d_name, "api.h"))
            continue; /* api.h defines the macro */
        snprintf(path, sizeof path, "%s/sdk/include/neurio/%s", NEURIO_SOURCE_DIR, de->d_name);
        CU_ASSERT_EQUAL(header_names(path, &declared), 0);
        CU_ASSERT_EQUAL(unmarked_declarations(path), 0);
    }
    closedir(d);
    CU_ASSERT_EQUAL(header_names(NEURIO_BINARY_DIR "/sdk/include/neurio/version.h", &declared),
                    0);
    CU_ASSERT(declared.n > 100); /* the parser found the API */

    char *out = NULL;
    CU_ASSERT_EQUAL_FATAL(neurio_test_run("nm -D --defined-only '" LIBNEURIO "'", &out), 0);
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        char *name = strrchr(line, ' ');
        if (!name)
            continue;
        name++;
        char *at = strchr(name, '@'); /* symbol versions, if any */
        names_add(&exported, name, at ? (size_t)(at - name) : strlen(name));
    }
    free(out);
    CU_ASSERT(exported.n > 0);
    int bad = 0;
    for (size_t i = 0; i < exported.n; i++)
        if (!names_has(&declared, exported.v[i])) {
            fprintf(stderr, "\nexported but not declared NEURIO_API in sdk/include/neurio: %s",
                    exported.v[i]);
            bad++;
        }
    for (size_t i = 0; i < declared.n; i++)
        if (!names_has(&exported, declared.v[i])) {
            fprintf(stderr, "\ndeclared NEURIO_API but not exported by libneurio.so: %s",
                    declared.v[i]);
            bad++;
        }
    CU_ASSERT_EQUAL(bad, 0);
    printf("\n  %zu symbols exported, %zu declared\n", exported.n, declared.n);
    for (size_t i = 0; i < exported.n; i++)
        free(exported.v[i]);
    for (size_t i = 0; i < declared.n; i++)
        free(declared.v[i]);
}

int neurio_register_tests(void)
{
    CU_pSuite s = CU_add_suite("exports", NULL, NULL);
    if (!s)
        return -1;
    CU_add_test(s, "libneurio.so exports exactly the NEURIO_API declarations",
                test_exports_are_the_headers);
    return 0;
}
