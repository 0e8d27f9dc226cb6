/* core/commands/commands.h — the launcher's sub-commands and exit codes.
 *
 * Each sub-command is `int nr_cmd_<name>(int argc, char **argv)` where
 * argv[0] is the command name itself ("run") and the return value is one of
 * the NR_EXIT_* codes (cli.h) (main() returns it unchanged).  A command prints
 * its own errors (one line, "neurio <cmd>: ...") and its own `--help`.
 *
 * To add a command: declare it here and add one entry to nr_commands[] in
 * core/main.c (targeted edit), keeping the table sorted by pipeline order.
 */
#ifndef NEURIO_CORE_COMMANDS_H
#define NEURIO_CORE_COMMANDS_H

#include "cli.h" /* NR_EXIT_*, nr_exit_codes_help */

typedef struct nr_command {
    const char *name;
    const char *summary;
    int (*fn)(int argc, char **argv);
} nr_command;


/* The table and its length (core/main.c). */
extern const nr_command nr_commands[];
extern const int nr_n_commands;

/* foundation */
int nr_cmd_plugins(int argc, char **argv);
int nr_cmd_check(int argc, char **argv);
int nr_cmd_run(int argc, char **argv);

/* report team (core/cmd_runs.c) */
int nr_cmd_runs(int argc, char **argv);
int nr_cmd_show(int argc, char **argv);
int nr_cmd_compare(int argc, char **argv);

/* many runs (issue 17): cmd_sweep.c */
int nr_cmd_sweep(int argc, char **argv);
/* cmd_farm.c: the device farm on PostgreSQL */
int nr_cmd_submit(int argc, char **argv);
int nr_cmd_worker(int argc, char **argv);
/* cmd_debug.c: per-layer precision on the host reference */
int nr_cmd_debug(int argc, char **argv);

/* codegen team */
int nr_cmd_codegen(int argc, char **argv);

/* tflite team */
int nr_cmd_inspect(int argc, char **argv);

/* probe team (core/cmd_probe.c) */
int nr_cmd_probe(int argc, char **argv);

#endif /* NEURIO_CORE_COMMANDS_H */
