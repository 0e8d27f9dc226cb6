/* core/cli.h — command-line parsing shared by the launcher's commands. */
#ifndef NEURIO_CORE_CLI_H
#define NEURIO_CORE_CLI_H

#include <stddef.h>

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
