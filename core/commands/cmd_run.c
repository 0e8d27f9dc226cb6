/* core/cmd_run.c — `neurio run R [--until prepare|codegen|flash]`. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands/commands.h"
#include "host.h"
#include "pipeline.h"
#include "observers/quant_cost.h"
#include "observers/report.h"
#include "rig.h"
#include "validate.h"

static void run_help(void)
{
    printf("usage: neurio run R [--until prepare|codegen|flash] [--set key=value]...\n\n"
           "Run rig R: import and prepare the model for the device, generate C code,\n"
           "build and flash the firmware, send data.inputs in batches, collect the\n"
           "outputs and measurements, write output.predictions and report.\n"
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
    nr_rig *rig = NULL;
    nr_pipeline *p = NULL;
    neurio_errbuf err;
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
    if (nr_rig_load(cli.rig, cli.sets, cli.n_sets, &rig, &err) != NEURIO_OK) {
        fprintf(stderr, "neurio run: %s\n", err.msg);
        code = NR_EXIT_CONFIG;
        goto out;
    }
    if (nr_pipeline_new(rig, &p, &code, &err) != NEURIO_OK) {
        fprintf(stderr, "neurio run: %s\n", err.msg);
        goto out;
    }
    /* Everything that would fail later fails now, before anything is
     * prepared, created or built (the same validation as `neurio check`). */
    if (nr_validate(rig, nr_pipeline_plugin(p), nr_pipeline_options(p),
                    until == NR_STAGE_INFER ? NR_VALIDATE_INFER : 0, &code, &err) != NEURIO_OK) {
        fprintf(stderr, "neurio run: %s\n", err.msg);
        goto out;
    }
    if (nr_mkdirs(rig->output_dir) != 0) {
        fprintf(stderr, "neurio run: cannot create output.dir %s: %s\n", rig->output_dir,
                strerror(errno));
        code = NR_EXIT_CONFIG;
        goto out;
    }
    /* Observers (reporting, stores) are attached here, one line each. */
    if (until == NR_STAGE_INFER) { /* onnx team: float host reference vs quantized device */
        nr_observer qc_obs;
        if (nr_quant_cost_observer_new(rig, &qc_obs, &err) == NEURIO_OK &&
            nr_pipeline_add_observer(p, &qc_obs) != NEURIO_OK)
            qc_obs.destroy(qc_obs.user);
    }
    if (until == NR_STAGE_INFER) { /* report team: KPIs, profile, HTML, result store */
        nr_observer report_obs;
        if (nr_report_observer_new(rig, &report_obs, &err) != NEURIO_OK) {
            fprintf(stderr, "neurio run: %s\n", err.msg);
            code = NR_EXIT_CONFIG;
            goto out;
        }
        if (nr_pipeline_add_observer(p, &report_obs) != NEURIO_OK)
            report_obs.destroy(report_obs.user);
    }

    nr_cancel_install();
    int rc = nr_pipeline_run(p, until, &err);
    if (rc) {
        fprintf(stderr, "neurio run: %s\n", err.msg);
        code = nr_pipeline_exit_code(p, rc);
    } else if (until != NR_STAGE_INFER) {
        printf("stopped after %s as requested (--until %s)\n", cli.until, cli.until);
    }
out:
    nr_pipeline_free(p);
    nr_rig_free(rig);
    nr_cli_free(&cli);
    return code;
}
