/* plugins/cortex-m/src/cm_plugin.c — the `cortex-m` device plugin:
 * emulated MPS2 boards under QEMU and real boards (NUCLEO-L4R5ZI) through
 * their flasher and serial port.
 *
 *   prepare  : neurio_optimize + neurio_quantize; refuses float tensors
 *              when the rig turned the board's FPU off (device.fpu =
 *              false); a core without one (M3) runs them in soft float
 *   codegen  : neurio_codegen (C99 model + static arena)
 *   flash    : arm-none-eabi-gcc build (cm_firmware.c) with the profile's
 *              memory sizes, then QEMU (cm_qemu.c) or the flasher
 *              (cm_flasher.c); opens the link and checks the device's hello
 *              (model SHA-256, tensor sizes)
 *   transfer/infer : neurio_link_* (link team's host helpers); flash
 *              reports the device's max_batch and the core's pipeline, the
 *              only batch splitter, never sends more
 *   close    : link closed, QEMU stopped and reaped
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cm_elf.h"
#include "cm_firmware.h"
#include "cm_layout.h"
#include "cm_flasher.h"
#include "cm_openocd.h"
#include "cm_probe.h"
#include "cm_proc.h"
#include "cm_profile.h"
#include "cm_qemu.h"
#include "neurio/codegen.h"
#include "neurio/link_host.h"
#include "neurio/model.h"
#include "neurio/optimize.h"
#include "neurio/paths.h"
#include "neurio/plugin.h"
#include "neurio/quantize.h"
#include "neurio/transport.h"

#ifndef CM_SOURCE_BOARD_DIR
#define CM_SOURCE_BOARD_DIR ""
#endif

typedef struct cm_plugin {
    neurio_ctx *ctx;
    const neurio_host *host;
    cm_profile profile;
    cm_qemu qemu;
    neurio_link *link;
    neurio_link_stats lstats; /* the link's counters after the last call */
    uint64_t answers;         /* samples answered in the current infer()   */
    uint32_t batch_first;     /* its batch's first sample                   */
    neurio_transport *rtt;    /* the GDB RTT transport (owned by link)  */
    neurio_child openocd;     /* real board, device.link = rtt          */
    char channel[96];
    char model_sha[65];
    char board_dir[4096];
    char toolchain[128];
    char build_id[128];
    cm_layout layout;         /* weight layouts: generated, built, reported */
} cm_plugin;

static const neurio_option cm_options[] = {
    {"board", NEURIO_OPT_STRING, "mps2-an386",
     "mps2-an386|mps2-an500|mps2-an385|mps2-an505|mps3-an547|nucleo-l4r5zi",
     "board: QEMU mps2-an386 (Cortex-M4F), mps2-an500 (Cortex-M7), mps2-an385 (Cortex-M3), "
     "mps2-an505 (Cortex-M33), mps3-an547 (Cortex-M55 with Helium), or a real NUCLEO-L4R5ZI"},
    {"core", NEURIO_OPT_STRING, "auto", "auto|cortex-m3|cortex-m4|cortex-m7|cortex-m33|cortex-m55",
     "CPU core (-mcpu); auto = the board's"},
    {"fpu", NEURIO_OPT_BOOL, "true", NULL,
     "build hard-float for the board's FPU; false = soft float (float models then need model.quantize = int8); "
     "a core without an FPU (Cortex-M3) runs float models in software floating point"},
    {"clock_hz", NEURIO_OPT_INT, "0", NULL,
     "core clock for latency/energy estimates; 0 = the board's (MPS2 25 MHz, AN505 20 MHz, AN547 32 MHz, "
     "NUCLEO 120 MHz)"},
    {"flash_bytes", NEURIO_OPT_INT, "0", NULL,
     "flash the image may use (linker region); 0 = the whole board"},
    {"ram_bytes", NEURIO_OPT_INT, "0", NULL,
     "RAM the image may use: data+bss+arena+stack, the rest holds batches; 0 = the whole board"},
    {"stack_bytes", NEURIO_OPT_INT, "16384", NULL, "main stack size"},
    {"fc_weights", NEURIO_OPT_STRING, "auto", "auto|int8|int16",
     "packed FULLY_CONNECTED weights on cores with the DSP extension: int8 (one byte per "
     "weight), int16 (two bytes, about 1.3x faster), auto = int16 per layer while the model's "
     "constants fit the flash less the code (estimated at 64 KiB, then measured on the built "
     "image: built again when that gives more layers int16; the report says which)"},
    {"weights", NEURIO_OPT_STRING, "fast", "fast|compact",
     "weight layouts: fast = the packed layouts that widen weights to int16 where they are "
     "faster (CONV_2D, 1x1 row pairs, FULLY_CONNECTED per fc_weights); compact = every layer's "
     "weights int8, one byte per weight, for the least flash (more instructions; no 1x1 layer "
     "overlaps its input, so the arena may grow), with fc_weights = auto meaning int8 (int16 "
     "set explicitly still widens the FULLY_CONNECTED layers)"},
    {"band_rows", NEURIO_OPT_INT, "0", NULL,
     "banded execution (MCUNetV2-style, by rows): chains of convolutions (and a residual ADD) "
     "run this many output rows at a time, so the tensors inside a chain never exist whole: "
     "less arena for some more instructions (ResNet-8 at 8 rows: arena 34800 -> 26080 bytes, "
     "+0.6 % instructions); 0 = off; a debug (layer read-back) run is never banded"},
    {"arena_budget", NEURIO_OPT_INT, "0", NULL,
     "with band_rows = 0: the arena bytes the model may take; when the plain plan's arena is "
     "larger, banded execution with the most rows per band (fewest extra instructions) whose "
     "arena fits (none fits: the smallest arena, with a warning); 0 = no budget"},
    {"active_ua_per_mhz", NEURIO_OPT_FLOAT, "0", NULL,
     "run-mode supply current per MHz (datasheet) for energy estimates; 0 = the board's"},
    {"supply_v", NEURIO_OPT_FLOAT, "0", NULL, "supply voltage for energy estimates; 0 = the board's"},
    {"link", NEURIO_OPT_STRING, "auto", NULL,
     "device link: auto (QEMU: rtt, the fastest; a real board: serial:/dev/ttyACM0@115200), rtt (the "
     "firmware's RTT rings: QEMU's gdbstub; a real board: OpenOCD's RTT server, with openocd_config), "
     "uart (QEMU's UART socket), gdb:tcp:HOST:PORT (real boards: the RTT rings through a running GDB "
     "server: OpenOCD, pyOCD, J-Link), a transport spec (real boards), or none (build/flash only)"},
    {"openocd", NEURIO_OPT_STRING, "openocd", NULL,
     "real boards, device.link = rtt: the OpenOCD executable (its RTT server carries the link; "
     "not run on hardware by neurio's tests)"},
    {"rtt_port", NEURIO_OPT_INT, "0", NULL,
     "real boards, device.link = rtt: OpenOCD's RTT TCP port (0 = a free one)"},
    {"rtt_poll_ms", NEURIO_OPT_INT, "10", NULL,
     "link over rtt: while the core computes, collect its output this often (ms)"},
    {"flasher", NEURIO_OPT_STRING, "auto", "auto|st-flash|openocd|none",
     "real boards: tool that writes the image (auto = st-flash)"},
    {"openocd_config", NEURIO_OPT_STRING, "board/st_nucleo_l4.cfg", NULL,
     "openocd -f script for device.flasher = openocd"},
    {"qemu", NEURIO_OPT_STRING, "qemu-system-arm", NULL, "QEMU executable"},
    {"toolchain_prefix", NEURIO_OPT_STRING, "arm-none-eabi-", NULL,
     "cross compiler prefix (gcc, objcopy)"},
    {"opt_level", NEURIO_OPT_STRING, "auto", "auto|0|1|2|3|s",
     "firmware optimisation level (-O); auto = 2, or s under device.weights = compact"},
    {"board_dir", NEURIO_OPT_STRING, "", NULL,
     "board-support sources (absolute); empty = the ones shipped with neurio"},
    {"boot_timeout_ms", NEURIO_OPT_INT, "10000", NULL, "wait for the device's first hello"},
    {"timeout_ms", NEURIO_OPT_INT, "2000", NULL, "wait for an answer to a link request"},
    {"run_timeout_ms", NEURIO_OPT_INT, "0", NULL,
     "wait for one inference (device time over RTT through the gdbstub, host time otherwise); "
     "0 = derived from the prepared model: 10 s + 100 cycles per MAC and per output element "
     "at clock_hz (x10 for a float model built without an FPU)"},
    {"build_timeout_ms", NEURIO_OPT_INT, "600000", NULL, "firmware build time limit"},
    {"max_payload", NEURIO_OPT_INT, "0", NULL,
     "largest link frame payload the firmware accepts (NRT_MAX_PAYLOAD, 512..65535); 0 = runtime default"},
    {"send_payload", NEURIO_OPT_INT, "0", NULL,
     "largest payload the host sends per frame (64..device max); 0 = the device's max"},
    {"rx_timeout_ms", NEURIO_OPT_INT, "0", NULL,
     "device inter-byte timeout inside a frame (NRT_RX_TIMEOUT_MS, device time); 0 = board default "
     "(QEMU 10000 virtual ms: virtual time races ahead while the guest polls; NUCLEO 200)"},
    {"reset_after", NEURIO_OPT_INT, "0", NULL,
     "fault testing: the firmware reboots after this many inferences since boot (0 = never)"},
    {"fault_rate", NEURIO_OPT_FLOAT, "0", NULL,
     "fault testing: per-byte probability of each of corrupting, dropping and duplicating a "
     "link byte (about 3x this per byte in all, each way) and of a garbage burst per transfer"},
    {"fault_seed", NEURIO_OPT_INT, "1", NULL, "fault testing: PRNG seed for fault_rate"},
    {"test_fault_layer", NEURIO_OPT_INT, "-1", NULL,
     "TEST-ONLY fault injection: the firmware flips the low bit of every byte of this layer's "
     "output, as a broken kernel would (NRT_TEST_FAULT_LAYER; -1 = none), for testing "
     "`neurio debug`"},
    {"test_fault_output", NEURIO_OPT_INT, "0", NULL,
     "TEST-ONLY fault injection: which output of test_fault_layer is broken (NRT_TEST_FAULT_OUTPUT; "
     "0 = the first)"},
    {"test_slow_run", NEURIO_OPT_INT, "0", NULL,
     "TEST-ONLY: every inference first counts to this many million in a busy loop, inside the "
     "measured run (NRT_TEST_SLOW_RUN; a slow but healthy device; 0 = none)"},
    {"test_hang_run", NEURIO_OPT_INT, "0", NULL,
     "TEST-ONLY fault injection: the firmware acknowledges its k-th RUN since boot and then "
     "spins forever (NRT_TEST_HANG_RUN; a hung device; 0 = never)"},
    {"test_gdbstub_unusable", NEURIO_OPT_BOOL, "false", NULL,
     "TEST-ONLY fault injection: on an emulated board the host connects to a gdbstub socket path "
     "that cannot exist, as if QEMU's gdbstub were unusable (link = auto then falls back to the "
     "UART with a warning; link = rtt fails)"},
    {NULL, 0, NULL, NULL, NULL},
};

#define CM_LOG(s, lvl, ...) (s)->host->log((s)->ctx, (lvl), __VA_ARGS__)

static int cm_fail(cm_plugin *s, int rc, const neurio_errbuf *e)
{
    s->host->set_error(s->ctx, "%s", e->msg[0] ? e->msg : neurio_status_str(rc));
    return rc;
}

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Board-support directory: option, then the source tree this plugin was
 * built from, then the data dir (build tree or install). */
static int find_board_dir(cm_plugin *s, neurio_errbuf *e)
{
    const char *opt = s->host->opt_string(s->ctx, "board_dir");
    char cand[4][4096];
    int n = 0;
    if (opt && *opt)
        cm_fmt(cand[n++], sizeof cand[0], "%s", opt);
    else {
        const char *env = getenv("NEURIO_CORTEXM_BOARD_DIR");
        if (env && *env)
            cm_fmt(cand[n++], sizeof cand[0], "%s", env);
        cm_fmt(cand[n++], sizeof cand[0], "%s/plugins/cortex-m/firmware", neurio_data_dir());
        cm_fmt(cand[n++], sizeof cand[0], "%s/cortex-m/firmware", neurio_data_dir());
        if (CM_SOURCE_BOARD_DIR[0])
            cm_fmt(cand[n++], sizeof cand[0], "%s", CM_SOURCE_BOARD_DIR);
    }
    for (int i = 0; i < n; i++) {
        char probe[4200];
        cm_fmt(probe, sizeof probe, "%s/cm_sections.ld", cand[i]);
        if (file_exists(probe)) {
            cm_fmt(s->board_dir, sizeof s->board_dir, "%s", cand[i]);
            return NEURIO_OK;
        }
    }
    return neurio_fail(e, NEURIO_ERR_CONFIG,
                       "cortex-m board support not found (looked for cm_sections.ld "
                       "in %s%s%s); set device.board_dir",
                       cand[0], n > 1 ? " and " : "", n > 1 ? cand[1] : "");
}

static int cm_open(neurio_ctx *ctx, const neurio_host *host, void **self)
{
    cm_plugin *s = calloc(1, sizeof *s);
    if (!s) {
        host->set_error(ctx, "out of memory");
        return NEURIO_ERR_NOMEM;
    }
    s->ctx = ctx;
    s->host = host;
    neurio_errbuf e = {{0}};
    cm_profile_overrides o = {
        .board = host->opt_string(ctx, "board"),
        .core = host->opt_string(ctx, "core"),
        .fpu = host->opt_bool(ctx, "fpu"),
        .flash_bytes = host->opt_int(ctx, "flash_bytes"),
        .ram_bytes = host->opt_int(ctx, "ram_bytes"),
        .stack_bytes = host->opt_int(ctx, "stack_bytes"),
        .clock_hz = (double)host->opt_int(ctx, "clock_hz"),
        .active_ua_per_mhz = host->opt_float(ctx, "active_ua_per_mhz"),
        .supply_v = host->opt_float(ctx, "supply_v"),
    };
    int rc = cm_profile_make(&o, &s->profile, &e);
    int64_t mp = host->opt_int(ctx, "max_payload");
    int64_t sp = host->opt_int(ctx, "send_payload");
    if (!rc && mp != 0 && (mp < 512 || mp > 65535))
        rc = neurio_fail(&e, NEURIO_ERR_CONFIG,
                         "device.max_payload = %lld must be 0 (default) or 512..65535; "
                         "use device.send_payload to send smaller frames",
                         (long long)mp);
    if (!rc && sp != 0 && (sp < 64 || sp > 65535))
        rc = neurio_fail(&e, NEURIO_ERR_CONFIG,
                         "device.send_payload = %lld must be 0 (the device's max) or 64..65535",
                         (long long)sp);
    double rate = host->opt_float(ctx, "fault_rate");
    if (!rc && !(rate >= 0 && rate < 0.5))
        rc = neurio_fail(&e, NEURIO_ERR_CONFIG,
                         "device.fault_rate = %g must be in 0..0.5 (a per-byte probability; "
                         "0 = no fault injection)", rate);
    int64_t br = host->opt_int(ctx, "band_rows");
    if (!rc && (br < 0 || br > 65535))
        rc = neurio_fail(&e, NEURIO_ERR_CONFIG, "device.band_rows = %lld must be 0 (off) or "
                         "1..65535 output rows per band", (long long)br);
    int64_t ab = host->opt_int(ctx, "arena_budget");
    if (!rc && (ab < 0 || ab > INT32_MAX))
        rc = neurio_fail(&e, NEURIO_ERR_CONFIG, "device.arena_budget = %lld must be 0 (none) "
                         "or 1..%d bytes", (long long)ab, INT32_MAX);
    int64_t fl = host->opt_int(ctx, "test_fault_layer");
    if (!rc && (fl < -1 || fl > 65535))
        rc = neurio_fail(&e, NEURIO_ERR_CONFIG, "device.test_fault_layer = %lld must be -1 "
                         "(none) or a layer index", (long long)fl);
    int64_t fo = host->opt_int(ctx, "test_fault_output");
    if (!rc && (fo < 0 || fo > 255))
        rc = neurio_fail(&e, NEURIO_ERR_CONFIG, "device.test_fault_output = %lld must be an "
                         "output index of test_fault_layer (0..255)", (long long)fo);
    static const char *const ms_opts[] = { "boot_timeout_ms", "timeout_ms", "run_timeout_ms",
                                           "build_timeout_ms", "rx_timeout_ms", "reset_after",
                                           "test_slow_run", "test_hang_run" };
    for (size_t i = 0; !rc && i < sizeof ms_opts / sizeof ms_opts[0]; i++) {
        int64_t v = host->opt_int(ctx, ms_opts[i]);
        if (v < 0 || v > INT32_MAX)
            rc = neurio_fail(&e, NEURIO_ERR_CONFIG, "device.%s = %lld must be in 0..%d",
                             ms_opts[i], (long long)v, INT32_MAX);
    }
    if (!rc)
        rc = find_board_dir(s, &e);
    if (rc) {
        cm_fail(s, rc, &e);
        free(s);
        return rc;
    }
    *self = s;
    return NEURIO_OK;
}

/* First float32 tensor an op reads or writes, for the no-FPU refusal. */
static int find_float_op(const neurio_model *m, int32_t *op_index, int32_t *tensor)
{
    for (int32_t i = 0; i < m->n_ops; i++) {
        const neurio_op *op = &m->ops[i];
        for (int32_t k = 0; k < op->n_inputs + op->n_outputs; k++) {
            int32_t t = k < op->n_inputs ? op->inputs[k] : op->outputs[k - op->n_inputs];
            if (t >= 0 && t < m->n_tensors && m->tensors[t].dtype == NEURIO_DT_FLOAT32) {
                *op_index = i;
                *tensor = t;
                return 1;
            }
        }
    }
    return 0;
}

static int cm_prepare(void *self, neurio_model *model, const neurio_prepare_args *args)
{
    cm_plugin *s = self;
    neurio_errbuf e = {{0}};
    int rc = neurio_optimize(model, &e);
    if (rc)
        return cm_fail(s, rc, &e);
    rc = neurio_quantize(model, args, &e);
    if (rc)
        return cm_fail(s, rc, &e);
    int32_t op, t;
    if (!s->profile.board->fpu && find_float_op(model, &op, &t)) {
        /* A core without an FPU (Cortex-M3): libgcc's software floating
         * point computes the float ops, bit for bit as the C source says. */
        CM_LOG(s, NEURIO_LOG_WARN,
               "model '%s' computes in float32 (op %d %s) and the %s has no FPU: float ops run "
               "in software floating point (slow); quantize the model to int8 for speed",
               model->name, op, neurio_op_name(model->ops[op].kind), s->profile.cpu);
        return NEURIO_OK;
    }
    if (!s->profile.fpu && find_float_op(model, &op, &t)) {
        s->host->set_error(
            s->ctx,
            "model '%s' computes in float32 (op %d %s, tensor %d '%s') but this %s "
            "build has no FPU (device.fpu = false): set model.quantize = \"int8\" "
            "with model.calibration, or device.fpu = true",
            model->name, op, neurio_op_name(model->ops[op].kind), t,
            model->tensors[t].name, s->profile.cpu);
        return NEURIO_ERR_UNSUPPORTED;
    }
    return NEURIO_OK;
}

static int cm_codegen(void *self, const neurio_model *model, const char *out_dir)
{
    cm_plugin *s = self;
    neurio_errbuf e = {{0}};
    neurio_codegen_result res;
    const char *fcw = s->host->opt_string(s->ctx, "fc_weights");
    const char *wts = s->host->opt_string(s->ctx, "weights");
    neurio_codegen_options opts = {
        .model_sha256 = s->host->model_sha256(s->ctx),
        .stateful = neurio_host_run_stateful(s->host, s->ctx),
        /* layer read-back needs every layer's whole output: not banded */
        .band_rows = neurio_host_layer_capture(s->host, s->ctx)
                         ? 0 : (int32_t)s->host->opt_int(s->ctx, "band_rows"),
        .fc_weights = cm_fc_weights_parse(fcw),
        .weights = cm_weights_parse(wts),
        .flash_budget = cm_profile_const_budget(&s->profile),
        .arena_budget = neurio_host_layer_capture(s->host, s->ctx)
                            ? 0 : (uint64_t)s->host->opt_int(s->ctx, "arena_budget")};
    if (opts.fc_weights < 0) {
        s->host->set_error(s->ctx, "device.fc_weights = \"%s\": expected auto, int8 or int16",
                           fcw);
        return NEURIO_ERR_CONFIG;
    }
    if (opts.weights < 0) {
        s->host->set_error(s->ctx, "device.weights = \"%s\": expected fast or compact", wts);
        return NEURIO_ERR_CONFIG;
    }
    static const char *const names[] = {"auto", "int8", "int16"};
    s->layout.setting = opts.fc_weights;
    s->layout.setting_name = names[opts.fc_weights];
    s->layout.compact = opts.weights == NEURIO_WEIGHTS_COMPACT;
    if (s->layout.compact && opts.fc_weights == NEURIO_FC_WEIGHTS_AUTO) {
        opts.fc_weights = NEURIO_FC_WEIGHTS_INT8; /* no flash-budget rebuild either */
        s->layout.setting = opts.fc_weights;
    }
    int rc = cm_layout_generate(&s->layout, model, out_dir, &opts, &e);
    if (rc)
        return cm_fail(s, rc, &e);
    res = s->layout.res;
    CM_LOG(s, NEURIO_LOG_INFO,
           "generated %s: %u layers, arena %llu bytes, weights %llu bytes (device.weights = %s)",
           res.name, res.n_layers, (unsigned long long)res.arena_bytes,
           (unsigned long long)res.weights_bytes, wts ? wts : "fast");
    if (res.band_rows > 0)
        CM_LOG(s, NEURIO_LOG_INFO, "banded execution: %d output rows per band%s", res.band_rows,
               opts.band_rows > 0 ? "" : " (chosen for device.arena_budget)");
    if (opts.arena_budget > 0 && opts.band_rows == 0 && res.arena_bytes > opts.arena_budget)
        CM_LOG(s, NEURIO_LOG_WARN,
               "device.arena_budget = %llu bytes not met: the smallest arena is %llu bytes",
               (unsigned long long)opts.arena_budget, (unsigned long long)res.arena_bytes);
    if (res.fc_int8_layers + res.fc_int16_layers)
        CM_LOG(s, NEURIO_LOG_INFO,
               "packed FULLY_CONNECTED weights (device.fc_weights = %s, DSP cores): %u int8, "
               "%u int16 (+%llu bytes of flash): %s",
               s->layout.setting_name, res.fc_int8_layers, res.fc_int16_layers,
               (unsigned long long)res.fc_int16_bytes, res.fc_layout);
    return NEURIO_OK;
}

static void link_log(void *user, int level, const char *msg)
{
    cm_plugin *s = user;
    CM_LOG(s, (neurio_log_level)level, "link: %s", msg);
}

static int link_cancelled(void *user)
{
    cm_plugin *s = user;
    return s->host->cancelled(s->ctx);
}

/* A sample's result arrived: progress, which also restarts the run's
 * stall deadline (data.stall_timeout_ms counts from the last answer). */
static void link_answered(void *user)
{
    cm_plugin *s = user;
    s->answers++;
    s->host->progress(s->ctx, "inference", s->batch_first + s->answers, 0);
}

/* "arm-none-eabi-gcc 12.2.1" from -dumpversion. */
static void toolchain_version(cm_plugin *s, const char *prefix, const char *work)
{
    char gcc[256], log[4096];
    cm_fmt(gcc, sizeof gcc, "%sgcc", prefix);
    cm_fmt(log, sizeof log, "%s/gcc-version.txt", work);
    unlink(log);
    char *argv[] = {gcc, "-dumpversion", NULL};
    int code = 1;
    neurio_errbuf e;
    cm_fmt(s->toolchain, sizeof s->toolchain, "%s", gcc);
    if (neurio_proc_run(argv, log, 10000, &code, &e) == NEURIO_OK && code == 0) {
        FILE *f = fopen(log, "r");
        char ver[64] = "";
        if (f) {
            if (fgets(ver, sizeof ver, f))
                ver[strcspn(ver, "\r\n")] = '\0';
            fclose(f);
        }
        cm_fmt(s->toolchain, sizeof s->toolchain, "%s %s", gcc, ver);
    }
}

/* The port kit's attach (neurio/port.h): the link over t (taken), the
 * device's hello checked against the prepared model; fills the link's
 * fields of *info. */
static int open_link(cm_plugin *s, neurio_transport *t, const neurio_model *model,
                     neurio_device_info *info, neurio_errbuf *e)
{
    double rate = s->host->opt_float(s->ctx, "fault_rate");
    int rc;
    if (rate > 0) {
        if (rate >= 0.5) {
            neurio_transport_close(t);
            return neurio_fail(e, NEURIO_ERR_CONFIG,
                               "device.fault_rate = %g must be below 0.5", rate);
        }
        neurio_fault_config fc = {
            .seed = (uint64_t)s->host->opt_int(s->ctx, "fault_seed"),
            .corrupt_rate = rate,
            .drop_rate = rate,
            .dup_rate = rate,
            .garbage_rate = rate,
            .on_read = 1,
            .on_write = 1,
        };
        neurio_transport *w = NULL;
        rc = neurio_transport_fault_wrap(t, &fc, &w, e);
        if (rc)
            return rc; /* the wrapper owns (and closed) t */
        t = w;
        CM_LOG(s, NEURIO_LOG_WARN, "fault injection on the link: rate %g per byte, seed %lld",
               rate, (long long)fc.seed);
    }
    neurio_link_options lo;
    neurio_link_options_default(&lo);
    lo.boot_timeout_ms = (int)s->host->opt_int(s->ctx, "boot_timeout_ms");
    lo.timeout_ms = (int)s->host->opt_int(s->ctx, "timeout_ms");
    lo.run_timeout_ms = (int)s->host->opt_int(s->ctx, "run_timeout_ms");
    if (lo.run_timeout_ms == 0) {
        lo.run_timeout_ms = cm_run_timeout_default(&s->profile, model);
        CM_LOG(s, NEURIO_LOG_INFO, "run_timeout_ms %d (derived from the model's work at %.0f Hz; "
               "set device.run_timeout_ms to override)", lo.run_timeout_ms, s->profile.clock_hz);
    }
    lo.max_payload = (uint32_t)s->host->opt_int(s->ctx, "send_payload");
    lo.rto_min_us = CM_LINK_RTO_MIN_US; /* a busy machine is not a loss */
    lo.log = link_log;
    lo.cancelled = link_cancelled;
    lo.answered = link_answered;
    lo.user = s;
    return neurio_port_attach(t, &lo, model, s->model_sha, &s->link, info, e);
}

/* Fields of *info known without a device: profile and ELF sizes. */
static void fill_static_info(cm_plugin *s, const cm_fw_sizes *sz, neurio_device_info *info)
{
    const cm_profile *p = &s->profile;
    info->board = p->board->name;
    info->cpu = p->cpu;
    info->firmware = s->build_id;
    info->toolchain = s->toolchain;
    info->cycle_source = p->board->cycle_source;
    info->cycle_unit = p->board->cycle_unit;
    info->clock_hz = p->clock_hz;
    info->flash_text = sz->text;
    info->flash_rodata = sz->rodata;
    info->flash_data = sz->data;
    info->ram_bytes = sz->ram;
    if (info->size >= offsetof(neurio_device_info, stack_region) + sizeof info->stack_region) {
        info->ram_data = sz->data;
        info->ram_bss = sz->bss;
        info->stack_region = sz->stack;
    }
    cm_layout_info(&s->layout, info);
    info->active_current_a = cm_profile_active_current_a(p);
    info->supply_voltage_v = p->supply_v;
}

static int flash_real_board(cm_plugin *s, const char *out_dir, const char *elf,
                            neurio_errbuf *e)
{
    const char *flasher = s->host->opt_string(s->ctx, "flasher");
    char bin[4096], log[4096];
    cm_fmt(bin, sizeof bin, "%s/fw.bin", out_dir);
    cm_fmt(log, sizeof log, "%s/flash.log", out_dir);
    cm_flash_args fl = {
        .flasher = strcmp(flasher, "auto") == 0 ? "st-flash" : flasher,
        .elf = elf,
        .bin = bin,
        .flash_origin = s->profile.board->flash_origin,
        .openocd_config = s->host->opt_string(s->ctx, "openocd_config"),
        .toolchain_prefix = s->host->opt_string(s->ctx, "toolchain_prefix"),
        .log_path = log,
        .timeout_ms = 120000,
    };
    s->host->progress(s->ctx, "flashing", 0, 0);
    return cm_flash_image(&fl, e);
}

/* Is the link of this run the RTT channel?  QEMU boards: auto and rtt;
 * real boards: rtt (OpenOCD) and gdb:SPEC. */
static int wants_rtt(cm_plugin *s)
{
    const char *l = s->host->opt_string(s->ctx, "link");
    if (!s->profile.board->qemu_machine)
        return strcmp(l, "rtt") == 0 || strncmp(l, "gdb:", 4) == 0;
    return strcmp(l, "auto") == 0 || strcmp(l, "rtt") == 0;
}

/* Start QEMU and connect: *t = the RTT channel through its gdbstub, or its
 * UART (device.link = uart, or a firmware without RAM for the rings).  Any
 * other failure of the gdbstub is an error with device.link = rtt; with
 * auto QEMU is restarted without it and the link runs over the UART (the
 * firmware listens on both until the first byte), with a warning naming
 * why. */
static int start_qemu_link(cm_plugin *s, const char *elf, const char *out_dir,
                           neurio_transport **t, neurio_errbuf *e)
{
    const cm_profile *p = &s->profile;
    const char *link_spec = s->host->opt_string(s->ctx, "link");
    if (strcmp(link_spec, "auto") != 0 && strcmp(link_spec, "rtt") != 0 &&
        strcmp(link_spec, "uart") != 0)
        return neurio_fail(e, NEURIO_ERR_CONFIG,
                           "device.link = \"%s\": the emulated %s links over rtt (QEMU's gdbstub) "
                           "or uart (QEMU's UART socket); use auto, rtt or uart",
                           link_spec, p->board->name);
    int rtt = wants_rtt(s);
    int boot_ms = (int)s->host->opt_int(s->ctx, "boot_timeout_ms");
    neurio_gdb_rtt_config gc = {.poll_ms = (int)s->host->opt_int(s->ctx, "rtt_poll_ms"),
                                .write_ahead = 1 /* QEMU's gdbstub */};
    int rc;
    if (rtt && ((rc = cm_elf_symbol(elf, "_SEGGER_RTT", &gc.cb_addr, e)) ||
                (rc = cm_elf_symbol(elf, "nrt_rtt_halt", &gc.halt_addr, e))))
        return rc;
    cm_qemu_args qa = {
        .qemu = s->host->opt_string(s->ctx, "qemu"),
        .machine = p->board->qemu_machine,
        .elf = elf,
        .work_dir = out_dir,
        .connect_timeout_ms = boot_ms,
        .gdb = rtt,
    };
    s->host->progress(s->ctx, "starting QEMU", 0, 0);
    rc = cm_qemu_start(&s->qemu, &qa, t, e);
    if (rc || !rtt)
        return rc;
    char spec[200];
    cm_fmt(spec, sizeof spec, "unix:%s", s->qemu.gdb_path);
    if (s->host->opt_bool(s->ctx, "test_gdbstub_unusable"))
        cm_fmt(spec, sizeof spec, "unix:/dev/null/neurio-test-gdbstub-unusable.sock");
    neurio_transport *g = NULL;
    rc = neurio_transport_gdb_rtt_open(spec, &gc, boot_ms, &g, e);
    if (rc == NEURIO_ERR_UNSUPPORTED) {
        CM_LOG(s, NEURIO_LOG_WARN, "%s; linking over the UART instead", e->msg);
        e->msg[0] = '\0';
        return NEURIO_OK; /* *t: the UART */
    }
    if (rc) {
        neurio_transport_close(*t);
        *t = NULL;
        cm_qemu_stop(&s->qemu);
        if (rc == NEURIO_ERR_CANCELLED || strcmp(link_spec, "auto") != 0)
            return rc;
        CM_LOG(s, NEURIO_LOG_WARN,
               "the RTT channel through QEMU's gdbstub failed (%s); restarting QEMU without it "
               "and linking over the UART instead",
               e->msg);
        e->msg[0] = '\0';
        qa.gdb = 0;
        return cm_qemu_start(&s->qemu, &qa, t, e);
    }
    neurio_transport_close(*t); /* the firmware does not use its UART */
    *t = s->rtt = g;
    neurio_gdb_rtt_stats st = neurio_transport_gdb_rtt_stats(g);
    CM_LOG(s, NEURIO_LOG_INFO, "RTT control block at 0x%08x: %u-byte up ring, %u-byte down ring",
           st.cb_addr, st.up_size, st.down_size);
    return NEURIO_OK;
}

/* A real board's link after flashing: the serial port (auto or a spec),
 * OpenOCD's RTT server (rtt) or a GDB server's memory access (gdb:SPEC). */
static int real_board_link(cm_plugin *s, const char *elf, const char *out_dir,
                           neurio_transport **t, neurio_errbuf *e)
{
    const char *link_spec = s->host->opt_string(s->ctx, "link");
    int boot_ms = (int)s->host->opt_int(s->ctx, "boot_timeout_ms");
    uint32_t cb = 0, halt = 0;
    int rc;
    if (wants_rtt(s) && (rc = cm_elf_symbol(elf, "_SEGGER_RTT", &cb, e)))
        return rc;
    if (strcmp(link_spec, "rtt") == 0) {
        char log[4096];
        cm_fmt(log, sizeof log, "%s/openocd-rtt.log", out_dir);
        cm_openocd_args oa = {
            .openocd = s->host->opt_string(s->ctx, "openocd"),
            .config = s->host->opt_string(s->ctx, "openocd_config"),
            .cb_addr = cb,
            .port = (int)s->host->opt_int(s->ctx, "rtt_port"),
            .log_path = log,
            .connect_timeout_ms = boot_ms,
        };
        rc = cm_openocd_rtt_start(&oa, &s->openocd, t, e);
        if (!rc)
            cm_fmt(s->channel, sizeof s->channel, "rtt (OpenOCD RTT server)");
        return rc;
    }
    if (strncmp(link_spec, "gdb:", 4) == 0) {
        if ((rc = cm_elf_symbol(elf, "nrt_rtt_halt", &halt, e)))
            return rc;
        neurio_gdb_rtt_config gc = {.cb_addr = cb, .halt_addr = halt, .hw_breakpoint = 1,
                                    .poll_ms = (int)s->host->opt_int(s->ctx, "rtt_poll_ms")};
        rc = neurio_transport_gdb_rtt_open(link_spec + 4, &gc, boot_ms, t, e);
        if (!rc)
            cm_fmt(s->channel, sizeof s->channel, "rtt (gdb server %.60s)", link_spec + 4);
        return rc;
    }
    const char *spec = strcmp(link_spec, "auto") == 0 ? "serial:/dev/ttyACM0@115200" : link_spec;
    return neurio_transport_open(spec, boot_ms, t, e);
}

/* device.opt_level, auto resolved: -Os for device.weights = compact (the
 * least flash: ResNet-8 127,304 -> 117,108 bytes, 0.4 % more
 * instructions), else -O2. */
static const char *cm_opt_level(const cm_plugin *s)
{
    const char *o = s->host->opt_string(s->ctx, "opt_level");
    if (o && strcmp(o, "auto") != 0)
        return o;
    return cm_weights_parse(s->host->opt_string(s->ctx, "weights")) == NEURIO_WEIGHTS_COMPACT
               ? "s" : "2";
}

static int cm_flash(void *self, const neurio_model *model, const char *gen_dir,
                    neurio_device_info *info)
{
    cm_plugin *s = self;
    neurio_errbuf e = {{0}};
    const cm_profile *p = &s->profile;
    const char *work = s->host->work_dir(s->ctx);
    const char *prefix = s->host->opt_string(s->ctx, "toolchain_prefix");
    char out_dir[4096], elf[4096];
    int rc;

    const char *sha = s->host->model_sha256(s->ctx);
    cm_fmt(s->model_sha, sizeof s->model_sha, "%s", sha ? sha : "");
    cm_fmt(out_dir, sizeof out_dir, "%s/firmware", work);
    if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
        e.msg[0] = '\0';
        neurio_fail(&e, NEURIO_ERR_IO, "cannot create %s: %s", out_dir, strerror(errno));
        return cm_fail(s, NEURIO_ERR_IO, &e);
    }
    cm_fmt(s->build_id, sizeof s->build_id, "neurio-cm %s %.12s%s", p->board->name,
             s->model_sha, neurio_host_layer_capture(s->host, s->ctx) ? " debug" : "");
    toolchain_version(s, prefix, work);

    cm_fw_args fa = {
        .profile = p,
        .board_dir = s->board_dir,
        .fw_dir = neurio_firmware_dir(),
        .gen_dir = gen_dir,
        .out_dir = out_dir,
        .toolchain_prefix = prefix,
        .opt_level = cm_opt_level(s),
        .reset_after = (uint32_t)s->host->opt_int(s->ctx, "reset_after"),
        /* Over RTT bigger frames mean fewer stops per byte. */
        .max_payload = s->host->opt_int(s->ctx, "max_payload") > 0
                           ? (uint32_t)s->host->opt_int(s->ctx, "max_payload")
                           : wants_rtt(s) ? 4096u : 0u,
        .rx_timeout_ms = s->host->opt_int(s->ctx, "rx_timeout_ms") > 0
                             ? (uint32_t)s->host->opt_int(s->ctx, "rx_timeout_ms")
                             : p->board->rx_timeout_ms,
        .build_id = s->build_id,
        .link_rtt = wants_rtt(s),
        .timeout_ms = (int)s->host->opt_int(s->ctx, "build_timeout_ms"),
        .layer_capture = neurio_host_layer_capture(s->host, s->ctx),
        .test_fault = s->host->opt_int(s->ctx, "test_fault_layer") >= 0,
        .test_fault_layer = (int32_t)s->host->opt_int(s->ctx, "test_fault_layer"),
        .test_fault_output = (int32_t)s->host->opt_int(s->ctx, "test_fault_output"),
        .test_slow_run = (uint32_t)s->host->opt_int(s->ctx, "test_slow_run"),
        .test_hang_run = (uint32_t)s->host->opt_int(s->ctx, "test_hang_run"),
    };
    cm_fw_sizes sz;
    s->host->progress(s->ctx, "building firmware", 0, 0);
    rc = cm_fw_build(&fa, &sz, elf, sizeof elf, &e);
    s->layout.builds++;
    if (!rc)
        rc = cm_layout_measure(&s->layout, p, &fa, elf, &sz, &e);
    int rebuilt = 0; /* auto's budget from this image's measured code */
    if (!rc && !(rc = cm_layout_rebuild(&s->layout, p, model, gen_dir, &fa, &sz, elf,
                                        sizeof elf, &rebuilt, &e)) && rebuilt)
        CM_LOG(s, NEURIO_LOG_INFO, "device.fc_weights = auto, built again (%u builds) on the "
               "measured code (%llu bytes) instead of the %u-byte reserve: %s",
               s->layout.builds, (unsigned long long)s->layout.code_bytes, CM_CODE_RESERVE,
               s->layout.decision);
    if (rc)
        return cm_fail(s, rc, &e);
    CM_LOG(s, NEURIO_LOG_INFO,
           "firmware %s: text %llu, rodata %llu, data %llu, bss %llu, stack %llu bytes",
           elf, (unsigned long long)sz.text, (unsigned long long)sz.rodata,
           (unsigned long long)sz.data, (unsigned long long)sz.bss,
           (unsigned long long)sz.stack);
    if (sz.bulk)
        CM_LOG(s, NEURIO_LOG_INFO, "the model's constants (%llu bytes) are in %s's %s at "
               "0x%08x: code and constants overflow its %u bytes of code memory",
               (unsigned long long)sz.bulk, p->board->name, p->board->bulk_name,
               p->board->bulk_origin, p->flash_bytes);

    const char *link_spec = s->host->opt_string(s->ctx, "link");
    neurio_transport *t = NULL;
    fill_static_info(s, &sz, info);
    if (strcmp(link_spec, "none") == 0) {
        /* Build-only (CI for real boards): the image is made (and flashed
         * when a flasher is set), nothing is run. */
        if (!p->board->qemu_machine) {
            rc = flash_real_board(s, out_dir, elf, &e);
            if (rc)
                return cm_fail(s, rc, &e);
        }
        CM_LOG(s, NEURIO_LOG_INFO, "device.link = none: firmware built, no device link");
        return NEURIO_OK;
    }
    if (p->board->qemu_machine) {
        rc = start_qemu_link(s, elf, out_dir, &t, &e);
        if (rc)
            return cm_fail(s, rc, &e);
    } else {
        rc = flash_real_board(s, out_dir, elf, &e);
        if (!rc)
            rc = real_board_link(s, elf, out_dir, &t, &e);
        if (rc) {
            neurio_child_stop(&s->openocd, 2000);
            return cm_fail(s, rc, &e);
        }
    }
    rc = open_link(s, t, model, info, &e);
    if (rc == NEURIO_ERR_UNSUPPORTED && strstr(e.msg, "no room for one sample")) {
        size_t n = strlen(e.msg);
        snprintf(e.msg + n, sizeof e.msg - n, " (%s: RAM %u, the image uses %llu; raise "
                 "device.ram_bytes or lower device.stack_bytes)", p->board->name, p->ram_bytes,
                 (unsigned long long)sz.ram);
    }
    if (rc)
        goto fail;
    const neurio_link_hello *h = neurio_link_info(s->link);
    fill_static_info(s, &sz, info);
    info->firmware = h->build_id;
    s->lstats = neurio_link_get_stats(s->link);
    char chan[80];
    cm_fmt(chan, sizeof chan, "%s",
           s->channel[0] ? s->channel : s->rtt ? "rtt (QEMU gdbstub)"
                                    : p->board->qemu_machine ? "uart (QEMU chardev socket)" : "serial");
    cm_fmt(s->channel, sizeof s->channel, "%s, %s", chan,
           s->lstats.window > 1 ? "sliding window" : "stop-and-wait");
    if (info->size >= offsetof(neurio_device_info, link_stats) + sizeof info->link_stats) {
        info->link_channel = s->channel;
        info->link_stats = &s->lstats;
    }
    CM_LOG(s, NEURIO_LOG_INFO, "%s ready: %s, max batch %u, %u-byte frames, %s",
           p->board->name, h->build_id, h->max_batch, h->max_payload, h->cycle_method);
    return NEURIO_OK;
fail:
    neurio_link_close(s->link);
    s->link = NULL;
    cm_qemu_stop(&s->qemu);
    neurio_child_stop(&s->openocd, 2000);
    return cm_fail(s, rc, &e);
}

static int cm_transfer(void *self, const neurio_batch *batch)
{
    cm_plugin *s = self;
    neurio_errbuf e = {{0}};
    if (!s->link) {
        s->host->set_error(s->ctx, "no device link (device.link = none builds the "
                                   "firmware only, or flash failed): nothing to run on");
        return NEURIO_ERR_INVALID;
    }
    int rc = neurio_link_transfer(s->link, batch, &e);
    s->lstats = neurio_link_get_stats(s->link);
    return rc ? cm_fail(s, rc, &e) : NEURIO_OK;
}

static int cm_infer(void *self, neurio_batch *batch)
{
    cm_plugin *s = self;
    neurio_errbuf e = {{0}};
    if (!s->link) {
        s->host->set_error(s->ctx, "no device link (device.link = none builds the "
                                   "firmware only, or flash failed): nothing to run on");
        return NEURIO_ERR_INVALID;
    }
    if (batch->n_inputs > NEURIO_LINK_MAX_TENSORS || batch->n_outputs > NEURIO_LINK_MAX_TENSORS) {
        s->host->set_error(s->ctx, "batch has too many tensors");
        return NEURIO_ERR_INVALID;
    }
    s->answers = 0;
    s->batch_first = batch->first;
    int rc = neurio_link_infer(s->link, batch, &e);
    s->lstats = neurio_link_get_stats(s->link);
    if (rc) {
        char why[64];
        if (s->qemu.child.pid && cm_qemu_exited(&s->qemu, why, sizeof why)) {
            char tail[200];
            neurio_log_tail(s->qemu.log_path, tail, sizeof tail);
            s->host->set_error(s->ctx, "%s (QEMU %s: %s)", e.msg, why, tail);
            return rc;
        }
        return cm_fail(s, rc, &e);
    }
    return NEURIO_OK;
}

static void cm_close(void *self)
{
    cm_plugin *s = self;
    if (!s)
        return;
    neurio_link_close(s->link);
    s->link = NULL;
    cm_qemu_stop(&s->qemu);
    neurio_child_stop(&s->openocd, 2000);
    cm_layout_free(&s->layout);
    free(s);
}

static const neurio_plugin cm_descriptor = {
    NEURIO_PLUGIN_HEADER,
    .name = "cortex-m",
    .version = "0.1.0",
    .summary = "Cortex-M boards: QEMU mps2-an385 (M3) / mps2-an386 (M4F) / mps2-an500 (M7) / "
               "mps2-an505 (M33) / mps3-an547 (M55, Helium), NUCLEO-L4R5ZI",
    .options = cm_options,
    .open = cm_open,
    .prepare = cm_prepare,
    .codegen = cm_codegen,
    .flash = cm_flash,
    .transfer = cm_transfer,
    .infer = cm_infer,
    .close = cm_close,
    .probe = cm_probe_devices, /* cm_probe.c */
};

NEURIO_PLUGIN_DEFINE(cm_descriptor)
