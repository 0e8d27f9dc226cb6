/* core/cli.c — parse a command's arguments. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static int cli_usage(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "neurio %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "; see `neurio %s --help`\n", cmd);
    return NR_EXIT_USAGE;
}

int nr_cli_parse(int argc, char **argv, unsigned accepts, nr_cli *out)
{
    const char *cmd = argv[0];
    memset(out, 0, sizeof *out);
    out->sets = calloc((size_t)argc + 1, sizeof *out->sets);
    if (!out->sets)
        return NR_EXIT_FAILURE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            out->help = 1;
            continue;
        }
        if ((accepts & NR_CLI_SET) && (!strcmp(a, "--set") || !strncmp(a, "--set=", 6))) {
            val = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
            if (!val)
                return cli_usage(cmd, "%s needs key=value", "--set");
            out->sets[out->n_sets++] = val;
            continue;
        }
        if ((accepts & NR_CLI_UNTIL) && (!strcmp(a, "--until") || !strncmp(a, "--until=", 8))) {
            val = a[7] == '=' ? a + 8 : (i + 1 < argc ? argv[++i] : NULL);
            if (!val)
                return cli_usage(cmd, "%s needs prepare, codegen or flash", "--until");
            if (strcmp(val, "prepare") && strcmp(val, "codegen") && strcmp(val, "flash"))
                return cli_usage(cmd, "--until %s: expected prepare, codegen or flash", val);
            out->until = val;
            continue;
        }
        if ((accepts & NR_CLI_RIG_FLAG) && (!strcmp(a, "--rig") || !strncmp(a, "--rig=", 6))) {
            val = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
            if (!val)
                return cli_usage(cmd, "%s needs a rig file", "--rig");
            out->rig = val;
            continue;
        }
        if (a[0] == '-' && a[1])
            return cli_usage(cmd, "unknown option '%s'", a);
        if ((accepts & NR_CLI_RIG_POSITIONAL) && !out->rig) {
            out->rig = a;
            continue;
        }
        return cli_usage(cmd, "unexpected argument '%s'", a);
    }
    if ((accepts & NR_CLI_RIG_POSITIONAL) && !out->rig && !out->help)
        return cli_usage(cmd, "missing the rig file (%s)", "e.g. config/example-host.cfg");
    return 0;
}

void nr_cli_free(nr_cli *c)
{
    free(c->sets);
    c->sets = NULL;
}
