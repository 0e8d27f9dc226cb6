/* core/cmd_check.c — `neurio check R`: validate a rig without touching a device. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands/commands.h"
#include "loader.h"
#include "neurio/dataprep.h"
#include "neurio/npy.h"
#include "options.h"
#include "pipeline.h"
#include "rig.h"

static void check_help(void)
{
    printf("usage: neurio check R [--set key=value]...\n\n"
           "Validate rig R without touching a device: the rig's keys and types, the\n"
           "files it names, the device plugin (found and accepted by the loader), the\n"
           "plugin's options, the model (imported) and data.inputs (readable and\n"
           "matching the model's input).\n\n"
           "Options:\n"
           "  --set key=value  override a rig key (dotted path, e.g. data.limit=10)\n"
           "  -h, --help       this help\n\n%s",
           nr_exit_codes_help);
}

/* Import the model and check data.inputs against it. */
static int check_model_and_data(const nr_rig *rig)
{
    neurio_model *m = NULL;
    neurio_npy arr = { 0 };
    neurio_errbuf err;
    void *conv = NULL;
    int code = NR_EXIT_OK;
    if (neurio_model_load(rig->model_path, &m, &err) != NEURIO_OK) {
        fprintf(stderr, "neurio check: model.path: %s\n", err.msg);
        return NR_EXIT_MODEL;
    }
    printf("model: %s (%s, %d ops, %d inputs, %d outputs)\n", rig->model_path, m->format,
           (int)m->n_ops, (int)m->n_inputs, (int)m->n_outputs);
    if (rig->data_inputs) {
        size_t n = 0;
        if (neurio_npy_read(rig->data_inputs, &arr, &err) != NEURIO_OK) {
            fprintf(stderr, "neurio check: data.inputs: %s\n", err.msg);
            code = NR_EXIT_MODEL;
            goto fail;
        }
        if (m->n_inputs == 1 &&
            neurio_dataprep_input(m, 0, &arr, &conv, &n, &err) != NEURIO_OK) {
            fprintf(stderr, "neurio check: data.inputs %s: %s\n", rig->data_inputs, err.msg);
            code = NR_EXIT_MODEL;
            goto fail;
        }
        printf("data: %s (%zu samples)\n", rig->data_inputs, n);
    }
fail:
    free(conv);
    neurio_npy_free(&arr);
    neurio_model_free(m);
    return code;
}

int nr_cmd_check(int argc, char **argv)
{
    nr_cli cli;
    nr_rig *rig = NULL;
    nr_pipeline *p = NULL;
    neurio_errbuf err;
    int code = nr_cli_parse(argc, argv, NR_CLI_RIG_POSITIONAL | NR_CLI_SET, &cli);
    if (code)
        goto out;
    if (cli.help) {
        check_help();
        goto out;
    }
    if (nr_rig_load(cli.rig, cli.sets, cli.n_sets, &rig, &err) != NEURIO_OK) {
        fprintf(stderr, "neurio check: %s\n", err.msg);
        code = NR_EXIT_CONFIG;
        goto out;
    }
    if (nr_pipeline_new(rig, &p, &code, &err) != NEURIO_OK) {
        fprintf(stderr, "neurio check: %s\n", err.msg);
        goto out;
    }
    const nr_plugin_entry *e = nr_pipeline_plugin(p);
    printf("rig: %s\nplugin: %s %s (%s)\n", rig->path, e->desc.name,
           e->desc.version ? e->desc.version : "", e->path);
    const nr_options *o = nr_pipeline_options(p);
    for (size_t i = 0; i < o->n; i++) {
        const nr_optval *v = &o->v[i];
        printf("  device.%s = ", v->opt->name);
        switch (v->opt->type) {
        case NEURIO_OPT_BOOL: printf("%s", v->b ? "true" : "false"); break;
        case NEURIO_OPT_INT: printf("%lld", (long long)v->i); break;
        case NEURIO_OPT_FLOAT: printf("%g", v->f); break;
        default: printf("\"%s\"", v->s ? v->s : ""); break;
        }
        printf("%s\n", v->is_set ? "" : "  (default)");
    }
    code = check_model_and_data(rig);
    if (code == NR_EXIT_OK)
        printf("check OK: %s\n", cli.rig);
out:
    nr_pipeline_free(p);
    nr_rig_free(rig);
    nr_cli_free(&cli);
    return code;
}
