/* core/cmd_plugins.c — `neurio plugins [--rig R]`: what was found, what refused. */
#include <stdio.h>

#include "cli.h"
#include "commands/commands.h"
#include "loader.h"
#include "neurio/paths.h"
#include "options.h"
#include "rig.h"

static void plugins_help(void)
{
    printf("usage: neurio plugins [--rig R] [--set key=value]...\n\n"
           "List the device plugins neurio finds and, for each file it refused, why.\n"
           "Search order: the rig's plugin_path entries (with --rig), then the plugin\n"
           "directory built or installed with neurio (%s).\n\n"
           "Options:\n"
           "  --rig R          also search the plugin_path of rig R\n"
           "  --set key=value  override a rig key (e.g. --set plugin_path=dir)\n"
           "  -h, --help       this help\n\n%s",
           neurio_plugin_dir(), nr_exit_codes_help);
}

static void plugins_print(const nr_plugin_entry *e)
{
    const neurio_plugin *d = &e->desc;
    printf("%s %s (ABI %u.%u) — %s\n  file: %s [%s]\n", d->name, d->version ? d->version : "?",
           d->abi_major, d->abi_minor, d->summary ? d->summary : "", e->path, e->origin);
    if (d->probe)
        printf("  probe: supported\n");
    nr_options opts;
    neurio_errbuf err;
    if (nr_options_validate(NULL, d, &opts, &err) != NEURIO_OK) {
        printf("  options: INVALID: %s\n", err.msg);
        nr_options_free(&opts);
        return;
    }
    for (size_t i = 0; i < opts.n; i++) {
        const neurio_option *o = opts.v[i].opt;
        printf("  device.%-16s %-6s %s%s%s  %s%s%s\n", o->name, nr_opt_type_name(o->type),
               o->default_value ? "default " : "(required)", o->default_value ? o->default_value : "",
               "", o->help ? o->help : "", o->choices ? " — one of " : "",
               o->choices ? o->choices : "");
    }
    nr_options_free(&opts);
}

int nr_cmd_plugins(int argc, char **argv)
{
    nr_cli cli;
    nr_rig *rig = NULL;
    nr_plugin_set set = { 0 };
    neurio_errbuf err;
    int code = nr_cli_parse(argc, argv, NR_CLI_RIG_FLAG | NR_CLI_SET, &cli);
    if (code)
        goto out;
    if (cli.help) {
        plugins_help();
        goto out;
    }
    if (cli.rig) {
        int rc = nr_rig_load(cli.rig, cli.sets, cli.n_sets, &rig, &err);
        if (rc) {
            fprintf(stderr, "neurio plugins: %s\n", err.msg);
            code = NR_EXIT_CONFIG;
            goto out;
        }
    } else if (cli.n_sets) {
        fprintf(stderr, "neurio plugins: --set needs --rig R\n");
        code = NR_EXIT_USAGE;
        goto out;
    }
    int rc = nr_loader_scan(rig ? (const char *const *)rig->plugin_path : NULL,
                            rig ? rig->n_plugin_path : 0, 0, &set, &err);
    if (rc) {
        fprintf(stderr, "neurio plugins: %s\n", err.msg);
        code = rc == NEURIO_ERR_CONFIG ? NR_EXIT_CONFIG : NR_EXIT_PLUGIN;
        goto out;
    }
    size_t ok = 0, refused = 0;
    for (size_t i = 0; i < set.n; i++)
        if (set.v[i].ok) {
            plugins_print(&set.v[i]);
            ok++;
        }
    for (size_t i = 0; i < set.n; i++)
        if (!set.v[i].ok) {
            if (!refused++)
                printf("refused:\n");
            printf("  %s\n", set.v[i].refusal);
        }
    printf("%zu plugin%s found, %zu refused (searched: ", ok, ok == 1 ? "" : "s", refused);
    for (size_t i = 0; rig && i < rig->n_plugin_path; i++)
        printf("%s, ", rig->plugin_path[i]);
    printf("%s)\n", neurio_plugin_dir());
out:
    nr_plugin_set_free(&set);
    nr_rig_free(rig);
    nr_cli_free(&cli);
    return code;
}
