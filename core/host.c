/* core/host.c — services the core offers to plugins (neurio_host). */
#include "host.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct neurio_ctx {
    const char *name;
    const nr_options *opts;
    char *work_dir;
    char *error;
    char model_sha256[65]; /* "" until the pipeline has prepared the model */
    int stateful;          /* data.stateful of the run (host->run_stateful) */
    /* progress */
    int tty;
    int bar_open;
    int64_t last_ms;
    int last_decile;
    char last_what[64];
    int64_t deadline_ms;  /* CLOCK_MONOTONIC ms; 0 = none (see nr_ctx_set_deadline) */
    int64_t stall_ms;     /* its length: restarted by every progress report */
    /* probe --rig: the rig is being probed; what the plugin designated */
    int probe_rig;
    int layer_capture;
    int designated;
    char *link, *board;
};

static volatile sig_atomic_t host_cancel_flag;
static int host_log_level = -1;

static int64_t host_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int host_level(void)
{
    if (host_log_level < 0) {
        const char *e = getenv("NEURIO_LOG");
        host_log_level = NEURIO_LOG_INFO;
        if (e && !strcmp(e, "debug"))
            host_log_level = NEURIO_LOG_DEBUG;
        else if (e && !strcmp(e, "warn"))
            host_log_level = NEURIO_LOG_WARN;
        else if (e && !strcmp(e, "error"))
            host_log_level = NEURIO_LOG_ERROR;
    }
    return host_log_level;
}

void nr_log_set_level(neurio_log_level level)
{
    host_log_level = (int)level;
}

static const char *const host_level_names[] = { "error: ", "warning: ", "", "debug: " };

static void host_vlog(neurio_ctx *ctx, const char *prefix, neurio_log_level level,
                      const char *fmt, va_list ap)
{
    if ((int)level > host_level())
        return;
    if (ctx && ctx->bar_open) {
        fputc('\n', stderr);
        ctx->bar_open = 0;
    }
    int lv = level >= NEURIO_LOG_ERROR && level <= NEURIO_LOG_DEBUG ? (int)level : 2;
    char raw[2048], safe[2048 * 4 / 3];
    vsnprintf(raw, sizeof raw, fmt, ap);
    neurio_escape_controls(safe, sizeof safe, raw); /* plugin text may quote a model */
    fprintf(stderr, "[%s] %s%s\n", prefix, host_level_names[lv], safe);
}

void nr_log(neurio_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    host_vlog(NULL, "neurio", level, fmt, ap);
    va_end(ap);
}

static void host_log(neurio_ctx *ctx, neurio_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    host_vlog(ctx, ctx ? ctx->name : "plugin", level, fmt, ap);
    va_end(ap);
}

static void host_set_error(neurio_ctx *ctx, const char *fmt, ...)
{
    if (!ctx)
        return;
    va_list ap;
    char buf[1024];
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    size_t l = strlen(buf);
    while (l && (buf[l - 1] == '\n' || buf[l - 1] == '.'))
        buf[--l] = '\0';
    free(ctx->error);
    ctx->error = strdup(buf);
}

static void host_progress(neurio_ctx *ctx, const char *what, uint64_t done, uint64_t total)
{
    if (!ctx || !what)
        return;
    /* Progress: the device answered, so the stall deadline restarts. */
    if (ctx->deadline_ms)
        ctx->deadline_ms = host_now_ms() + ctx->stall_ms;
    int64_t now = host_now_ms();
    int same = !strncmp(ctx->last_what, what, sizeof ctx->last_what - 1);
    int finished = total && done >= total;
    if (ctx->tty) {
        if (same && !finished && now - ctx->last_ms < 100)
            return;
        ctx->last_ms = now;
        snprintf(ctx->last_what, sizeof ctx->last_what, "%s", what);
        if (total) {
            static const int width = 30;
            int fill = (int)((double)done / (double)total * width);
            if (fill > width)
                fill = width;
            fprintf(stderr, "\r[%s] %-20.20s [%.*s%*s] %3d%% (%llu/%llu)", ctx->name, what,
                    fill, "##############################", width - fill, "",
                    (int)(100.0 * (double)done / (double)total), (unsigned long long)done,
                    (unsigned long long)total);
        } else if (done) {
            fprintf(stderr, "\r[%s] %-20.20s %llu", ctx->name, what, (unsigned long long)done);
        } else {
            fprintf(stderr, "\r[%s] %s...", ctx->name, what);
        }
        ctx->bar_open = 1;
        if (finished) {
            fputc('\n', stderr);
            ctx->bar_open = 0;
        }
        fflush(stderr);
        return;
    }
    /* plain lines: one per 10% step (or per 2 s when the total is unknown) */
    int decile = total ? (int)(10.0 * (double)done / (double)total) : -1;
    if (same && ((total && decile == ctx->last_decile) || (!total && now - ctx->last_ms < 2000)))
        return;
    ctx->last_decile = decile;
    ctx->last_ms = now;
    snprintf(ctx->last_what, sizeof ctx->last_what, "%s", what);
    if (total)
        fprintf(stderr, "[%s] %s: %llu/%llu (%d%%)\n", ctx->name, what,
                (unsigned long long)done, (unsigned long long)total,
                (int)(100.0 * (double)done / (double)total));
    else if (done)
        fprintf(stderr, "[%s] %s: %llu\n", ctx->name, what, (unsigned long long)done);
    else /* unknown total, nothing counted yet: the stage has started */
        fprintf(stderr, "[%s] %s...\n", ctx->name, what);
}

void nr_ctx_progress_done(neurio_ctx *ctx)
{
    if (ctx && ctx->bar_open) {
        fputc('\n', stderr);
        ctx->bar_open = 0;
    }
}

static int64_t host_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int nr_ctx_deadline_passed(const neurio_ctx *ctx)
{
    return ctx && ctx->deadline_ms && host_mono_ms() >= ctx->deadline_ms;
}

void nr_ctx_set_deadline(neurio_ctx *ctx, int64_t ms)
{
    if (ctx) {
        ctx->deadline_ms = ms > 0 ? host_mono_ms() + ms : 0;
        ctx->stall_ms = ms > 0 ? ms : 0;
    }
}

/* A plugin waiting on a device polls this: Ctrl-C/SIGTERM/SIGHUP, or the
 * current batch's stall deadline passed. */
static int host_cancelled(neurio_ctx *ctx)
{
    return host_cancel_flag != 0 || nr_ctx_deadline_passed(ctx);
}

/* Find a declared option of the expected type(s), logging plugin bugs. */
static const nr_optval *host_opt(neurio_ctx *ctx, const char *name, neurio_opt_type t1,
                                 neurio_opt_type t2)
{
    if (!ctx || !name)
        return NULL;
    const nr_optval *ov = ctx->opts ? nr_options_find(ctx->opts, name) : NULL;
    if (!ov) {
        host_log(ctx, NEURIO_LOG_ERROR,
                 "plugin bug: option '%s' is not declared in its option table", name);
        return NULL;
    }
    if (ov->opt->type != t1 && ov->opt->type != t2) {
        host_log(ctx, NEURIO_LOG_ERROR,
                 "plugin bug: option '%s' is declared as %s but read as %s", name,
                 nr_opt_type_name(ov->opt->type), nr_opt_type_name(t1));
        return NULL;
    }
    return ov;
}

static int host_opt_bool(neurio_ctx *ctx, const char *name)
{
    const nr_optval *ov = host_opt(ctx, name, NEURIO_OPT_BOOL, NEURIO_OPT_BOOL);
    return ov ? ov->b : 0;
}

static int64_t host_opt_int(neurio_ctx *ctx, const char *name)
{
    const nr_optval *ov = host_opt(ctx, name, NEURIO_OPT_INT, NEURIO_OPT_INT);
    return ov ? ov->i : 0;
}

static double host_opt_float(neurio_ctx *ctx, const char *name)
{
    const nr_optval *ov = host_opt(ctx, name, NEURIO_OPT_FLOAT, NEURIO_OPT_FLOAT);
    return ov ? ov->f : 0.0;
}

static const char *host_opt_string(neurio_ctx *ctx, const char *name)
{
    const nr_optval *ov = host_opt(ctx, name, NEURIO_OPT_STRING, NEURIO_OPT_PATH);
    return ov ? ov->s : NULL;
}

static int host_opt_is_set(neurio_ctx *ctx, const char *name)
{
    const nr_optval *ov = ctx && ctx->opts ? nr_options_find(ctx->opts, name) : NULL;
    return ov ? ov->is_set : 0;
}

static const char *host_work_dir(neurio_ctx *ctx)
{
    return ctx ? ctx->work_dir : NULL;
}

static const char *host_model_sha256(neurio_ctx *ctx)
{
    return ctx && ctx->model_sha256[0] ? ctx->model_sha256 : NULL;
}

void nr_ctx_set_model_sha256(neurio_ctx *ctx, const char *hex)
{
    if (ctx)
        snprintf(ctx->model_sha256, sizeof ctx->model_sha256, "%s", hex ? hex : "");
}

static int host_run_stateful(neurio_ctx *ctx)
{
    return ctx && ctx->stateful;
}

void nr_ctx_set_stateful(neurio_ctx *ctx, int on)
{
    if (ctx)
        ctx->stateful = on != 0;
}

static int host_probe_rig(neurio_ctx *ctx)
{
    return ctx && ctx->probe_rig;
}

static int host_layer_capture(neurio_ctx *ctx)
{
    return ctx && ctx->layer_capture;
}

void nr_ctx_set_layer_capture(neurio_ctx *ctx, int on)
{
    ctx->layer_capture = on;
}

static void host_probe_designate(neurio_ctx *ctx, const char *link, const char *board)
{
    if (!ctx || !ctx->probe_rig)
        return;
    free(ctx->link);
    free(ctx->board);
    ctx->link = link ? strdup(link) : NULL;
    ctx->board = board ? strdup(board) : NULL;
    ctx->designated = 1;
}

void nr_ctx_set_probe_rig(neurio_ctx *ctx, int on)
{
    ctx->probe_rig = on;
}

int nr_ctx_designation(const neurio_ctx *ctx, const char **link, const char **board)
{
    *link = ctx->link;
    *board = ctx->board;
    return ctx->designated;
}

static const neurio_host host_table = {
    .size = (uint32_t)sizeof(neurio_host),
    .abi_major = NEURIO_ABI_MAJOR,
    .abi_minor = NEURIO_ABI_MINOR,
    .log = host_log,
    .set_error = host_set_error,
    .progress = host_progress,
    .cancelled = host_cancelled,
    .opt_bool = host_opt_bool,
    .opt_int = host_opt_int,
    .opt_float = host_opt_float,
    .opt_string = host_opt_string,
    .opt_is_set = host_opt_is_set,
    .work_dir = host_work_dir,
    .model_sha256 = host_model_sha256,
    .probe_rig = host_probe_rig,
    .probe_designate = host_probe_designate,
    .run_stateful = host_run_stateful,
    .layer_capture = host_layer_capture,
};

const neurio_host *nr_host(void)
{
    return &host_table;
}

neurio_ctx *nr_ctx_new(const char *plugin_name, const nr_options *opts, const char *work_dir)
{
    neurio_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->name = plugin_name ? plugin_name : "plugin";
    ctx->opts = opts;
    ctx->tty = isatty(STDERR_FILENO);
    ctx->last_decile = -1;
    if (work_dir && !(ctx->work_dir = strdup(work_dir))) {
        free(ctx);
        return NULL;
    }
    return ctx;
}

void nr_ctx_free(neurio_ctx *ctx)
{
    if (!ctx)
        return;
    nr_ctx_progress_done(ctx);
    free(ctx->error);
    free(ctx->work_dir);
    free(ctx->link);
    free(ctx->board);
    free(ctx);
}

const char *nr_ctx_error(const neurio_ctx *ctx)
{
    return ctx ? ctx->error : NULL;
}

void nr_ctx_clear_error(neurio_ctx *ctx)
{
    if (ctx) {
        free(ctx->error);
        ctx->error = NULL;
    }
}

static volatile sig_atomic_t host_cancel_signal;

/* SIGINT, SIGTERM and SIGHUP: the first one asks the run to stop after the
 * current batch (everything received is kept and written); a second one
 * terminates at once with the signal's default action. */
static void host_on_signal(int sig)
{
    if (host_cancel_flag) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    host_cancel_flag = 1;
    host_cancel_signal = sig;
    static const char m_int[] =
        "\n[neurio] interrupted: stopping after the current batch (Ctrl-C again to abort)\n";
    static const char m_term[] =
        "\n[neurio] SIGTERM: stopping after the current batch, keeping the results\n";
    static const char m_hup[] =
        "\n[neurio] SIGHUP: stopping after the current batch, keeping the results\n";
    const char *msg = sig == SIGTERM ? m_term : sig == SIGHUP ? m_hup : m_int;
    size_t len = sig == SIGTERM ? sizeof m_term : sig == SIGHUP ? sizeof m_hup : sizeof m_int;
    ssize_t w = write(STDERR_FILENO, msg, len - 1);
    (void)w;
}

void nr_cancel_install(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = host_on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&sa.sa_mask, sigs[i]);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    /* A closed terminal or pipe must not kill the run while it writes. */
    signal(SIGPIPE, SIG_IGN);
}

int nr_cancel_exit_code(void)
{
    int sig = host_cancel_signal;
    return sig == SIGTERM || sig == SIGHUP ? 128 + sig : 130;
}

const char *nr_cancel_reason(void)
{
    int sig = host_cancel_signal;
    return sig == SIGTERM ? "stopped by SIGTERM" : sig == SIGHUP ? "stopped by SIGHUP"
                                                              : "cancelled by the user";
}

int nr_cancel_requested(void)
{
    return host_cancel_flag != 0;
}

void nr_cancel_set(int on)
{
    host_cancel_flag = on ? 1 : 0;
    host_cancel_signal = on ? SIGINT : 0;
}
