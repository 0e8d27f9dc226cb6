/* core/cmd_run.c — `neurio run R [--until prepare|codegen|flash]`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands/commands.h"
#include "commands/run_one.h"

static void run_help(void)
{
    printf("usage: neurio run R [--until prepare|codegen|flash] [--set key=value]...\n\n"
           "Run rig R: import and prepare the model for the device, generate C code,\n"
           "build and flash the firmware, send data.inputs in batches, collect the\n"
           "outputs and measurements, write output.predictions and report.\n"
           "data.inputs is one .npy, or a list with one per model input in the model's\n"
           "input order; output k is written to pred_k.npy (output 0: pred.npy) and\n"
           "task.output picks the one the KPIs use.  data.stateful = true keeps the\n"
           "model's state (LSTM/SVDF) from sample to sample; by default it is reset\n"
           "before each.  A model with an op x dtype the device has no kernel for\n"
           "stops after prepare with the list (exit 5).\n"
           "Results go to <output.dir>/<run-id>/.  Ctrl-C, SIGTERM and SIGHUP stop after\n"
           "the current batch (or the current stage) and keep and write the results\n"
           "received so far (exit 130, 143, 129).\n\n"
           "Options:\n"
           "  --until STAGE    stop after prepare, codegen or flash\n"
           "  --set key=value  override a rig key (dotted path, e.g. data.limit=10,\n"
           "                   device.board=mps2-an500); relative paths are relative\n"
           "                   to the current directory\n"
           "  -h, --help       this help\n\n%s",
           nr_exit_codes_help);
}

int nr_cmd_run(int argc, char **argv)
{
    nr_cli cli;
    int code = nr_cli_parse(argc, argv, NR_CLI_RIG_POSITIONAL | NR_CLI_SET | NR_CLI_UNTIL, &cli);
    if (code)
        goto out;
    if (cli.help) {
        run_help();
        goto out;
    }
    nr_stage until = NR_STAGE_INFER;
    if (cli.until)
        until = !strcmp(cli.until, "prepare")   ? NR_STAGE_PREPARE
                : !strcmp(cli.until, "codegen") ? NR_STAGE_CODEGEN
                                                : NR_STAGE_FLASH;
    nr_run_req req = { .cmd = "run", .rig_path = cli.rig, .sets = cli.sets,
                       .n_sets = cli.n_sets, .until = until, .until_name = cli.until };
    code = nr_run_one(&req);
out:
    nr_cli_free(&cli);
    return code;
}
