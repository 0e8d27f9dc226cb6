/* core/cli.h — command-line parsing shared by the launcher's commands, and
 * the launcher's exit codes (every layer of the launcher returns them). */
#ifndef NEURIO_CORE_CLI_H
#define NEURIO_CORE_CLI_H

#include <stddef.h>

/* Exit codes of the `neurio` launcher (documented in `neurio --help`). */
enum {
    NR_EXIT_OK = 0,        /* success                                      */
    NR_EXIT_FAILURE = 1,   /* internal or unclassified error               */
    NR_EXIT_USAGE = 2,     /* bad command line                             */
    NR_EXIT_CONFIG = 3,    /* bad rig: syntax, keys, types, missing files,
                              bad device option values                     */
    NR_EXIT_PLUGIN = 4,    /* plugin missing, refused, failing to open     */
    NR_EXIT_MODEL = 5,     /* model or data cannot be loaded / prepared    */
    NR_EXIT_DEVICE = 6,    /* codegen, build, flash or device link failed  */
    NR_EXIT_REGRESSION = 7, /* compare: a threshold failed; sweep/worker:
                               some runs failed                            */
    NR_EXIT_CANCELLED = 130 /* interrupted by the user (SIGINT)            */
};

/* Text block listing the exit codes, printed by every --help (main.c). */
extern const char nr_exit_codes_help[];

/* Options a command may accept. */
enum {
    NR_CLI_RIG_POSITIONAL = 1u << 0, /* `cmd R`                          */
    NR_CLI_RIG_FLAG = 1u << 1,       /* `cmd --rig R` (optional)        */
    NR_CLI_SET = 1u << 2,            /* `--set key=value` (repeatable)  */
    NR_CLI_UNTIL = 1u << 3           /* `--until prepare|codegen|flash` */
};

typedef struct nr_cli {
    const char *rig;     /* NULL if not given                              */
    const char **sets;   /* [n_sets], pointers into argv; free(sets)       */
    size_t n_sets;
    const char *until;   /* NULL = full run                                */
    int help;            /* --help given                                   */
} nr_cli;

/* Parse argv (argv[0] = command name).  Returns 0 on success, or prints a
 * one-line error naming the argument and returns NR_EXIT_USAGE.  *out's
 * `sets` array is malloc'ed: free it with nr_cli_free. */
int nr_cli_parse(int argc, char **argv, unsigned accepts, nr_cli *out);
void nr_cli_free(nr_cli *c);

#endif /* NEURIO_CORE_CLI_H */
