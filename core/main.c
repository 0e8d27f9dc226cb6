/* core/main.c — `neurio`: dispatch to a sub-command. */
#include "commands/commands.h"

#include <stdio.h>
#include <string.h>

#include "neurio/plugin.h"
#include "neurio/version.h"

/* Sub-commands in the order a user meets them.  Other teams add one entry
 * each (targeted edit). */
const nr_command nr_commands[] = {
    { .name = "plugins", .summary = "list device plugins found, and why any was refused",
      .fn = nr_cmd_plugins },
    { .name = "probe", .summary = "list attached devices (USB HID, serial, emulators); match a rig's device",
      .fn = nr_cmd_probe },
    { .name = "inspect", .summary = "show a model's layers, shapes, parameters, MACs and support",
      .fn = nr_cmd_inspect },
    { .name = "check", .summary = "validate a rig and its plugin options (no device touched)",
      .fn = nr_cmd_check },
    { .name = "codegen", .summary = "generate a model's C99 code (weights, arena plan, kernel calls)",
      .fn = nr_cmd_codegen },
    { .name = "run", .summary = "prepare, generate, flash, infer and report a rig",
      .fn = nr_cmd_run },
    { .name = "sweep", .summary = "run a matrix of rig variants (axes over rig keys), -j N, resumable",
      .fn = nr_cmd_sweep },
    { .name = "submit", .summary = "queue a rig or a sweep for the device farm (PostgreSQL store)",
      .fn = nr_cmd_submit },
    { .name = "worker", .summary = "serve the device farm: claim queued runs, run them, store results",
      .fn = nr_cmd_worker },
    { .name = "debug", .summary = "per-layer error of the prepared model vs the float model (host reference)",
      .fn = nr_cmd_debug },
    { .name = "runs", .summary = "list the runs in a result store (incomplete ones too)",
      .fn = nr_cmd_runs },
    { .name = "show", .summary = "print one stored run: provenance and every KPI",
      .fn = nr_cmd_show },
    { .name = "compare", .summary = "KPIs of two stored runs side by side, with deltas",
      .fn = nr_cmd_compare },
};
const int nr_n_commands = (int)(sizeof nr_commands / sizeof nr_commands[0]);

const char nr_exit_codes_help[] =
    "Exit codes:\n"
    "  0    success\n"
    "  1    internal or unclassified error\n"
    "  2    usage error (bad command line)\n"
    "  3    configuration error (rig syntax, unknown key, wrong type, missing file,\n"
    "       device option not accepted by the plugin)\n"
    "  4    plugin error (not found, refused by the loader, failed to open)\n"
    "  5    model or data error (import, prepare, .npy input)\n"
    "  6    device error (codegen, firmware build, flash, link, inference)\n"
    "  7    compare: a threshold failed (a regression); sweep: some points failed\n"
    "  130  interrupted (Ctrl-C, SIGINT) in any stage; results received so far are\n"
    "       kept and written\n"
    "  143  stopped by SIGTERM, 129 by SIGHUP: like Ctrl-C, results kept and written\n";

static void print_usage(FILE *f)
{
    fprintf(f, "usage: neurio <command> [options]\n"
               "       neurio --version | --help\n\n"
               "Deploy a neural network onto an embedded device, run it on real data and\n"
               "report accuracy, cycles, latency, energy, flash and RAM.\n\n"
               "Commands:\n");
    for (int i = 0; i < nr_n_commands; i++)
        fprintf(f, "  %-10s %s\n", nr_commands[i].name, nr_commands[i].summary);
    fprintf(f, "\nRun `neurio <command> --help` for a command's options.\n\n%s",
            nr_exit_codes_help);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return NR_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        print_usage(stdout);
        return NR_EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("neurio %s (plugin ABI %d.%d)\n", NEURIO_VERSION_STRING,
               NEURIO_ABI_MAJOR, NEURIO_ABI_MINOR);
        /* The optional parts this build has (CMake NEURIO_WITH_*). */
        printf("features: onnx %s, postgresql %s, usb-hid %s\n",
#ifdef NEURIO_NO_ONNX
               "off",
#else
               "on",
#endif
#ifdef NEURIO_NO_POSTGRES
               "off",
#else
               "on",
#endif
#ifdef NEURIO_NO_HID
               "off");
#else
               "on");
#endif
        return NR_EXIT_OK;
    }
    for (int i = 0; i < nr_n_commands; i++)
        if (!strcmp(cmd, nr_commands[i].name))
            return nr_commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "neurio: unknown command '%s'; run `neurio --help` for the list\n", cmd);
    return NR_EXIT_USAGE;
}
