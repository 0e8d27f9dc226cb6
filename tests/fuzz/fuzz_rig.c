/* tests/fuzz/fuzz_rig.c — libFuzzer target over the rig reader (issue 19):
 * the input up to the first NUL byte is the rig file (libconfig syntax,
 * written to a private temp file), each following NUL-separated piece is a
 * `--set key=value` argument.  nr_rig_load must accept or refuse with a
 * message, never crash, leak or take quadratic time. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fz_path[0]) {
        snprintf(fz_path, sizeof fz_path, "/tmp/neurio-fuzz-rig-%ld.cfg", (long)getpid());
    }
    const uint8_t *nul = memchr(data, 0, size);
    size_t rig_len = nul ? (size_t)(nul - data) : size;
    FILE *f = fopen(fz_path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, rig_len, f);
    fclose(f);
    const char *sets[16];
    size_t n_sets = 0;
    char *rest = NULL;
    if (nul && rig_len + 1 < size) {
        size_t rl = size - rig_len - 1;
        rest = malloc(rl + 1);
        if (!rest)
            return 0;
        memcpy(rest, nul + 1, rl);
        rest[rl] = '\0';
        for (char *p = rest; p < rest + rl && n_sets < 16; p += strlen(p) + 1)
            sets[n_sets++] = p;
    }
    nr_rig *rig = NULL;
    neurio_errbuf err;
    if (nr_rig_load(fz_path, sets, n_sets, &rig, &err) == NEURIO_OK)
        nr_rig_free(rig);
    free(rest);
    return 0;
}
