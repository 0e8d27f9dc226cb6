/* sdk/include/neurio/plugin.h — the device plugin ABI.
 *
 * A device plugin is a shared object that exports exactly one symbol,
 * `neurio_plugin_init`, emitted by NEURIO_PLUGIN_DEFINE().  It returns a
 * pointer to a `static const neurio_plugin` descriptor.  The core checks, in
 * this order and before touching anything else: abi_major == NEURIO_ABI_MAJOR,
 * abi_minor <= the core's NEURIO_ABI_MINOR, size <= sizeof(neurio_plugin) as
 * the core knows it.  A shorter descriptor (older minor) is accepted and the
 * missing tail is treated as zero/NULL.
 *
 * Before dlopen the core also reads the plugin file's build signature:
 * machine and ELF class, sanitizer runtimes it needs, the libneurio.so.N it
 * links; a plugin that does not fit is refused with the mismatch named
 * (core/plugin_sig.h).
 *
 * Compatibility rules (GStreamer/SQLite/OBS style):
 *   - neurio_plugin and neurio_host only ever grow at the end; every field
 *     added after 1.0 is marked with the minor version that added it.
 *   - Every other struct that crosses the boundary and may grow carries its
 *     size (since 1.1): neurio_prepare_args, neurio_device_info and
 *     neurio_batch (set by the core), neurio_probe_entry (set by the
 *     plugin), and the option table's element size (the descriptor's
 *     option_size, set by NEURIO_PLUGIN_HEADER).  The reader copies what
 *     the writer's size covers and treats the rest as zero.  A 1.0 writer
 *     did not set these sizes; the reader takes the 1.0 layout then.
 *   - neurio_measure never grows (its `flags` carry new facts).
 *   - Removing or reordering a field, or changing a hook's signature, bumps
 *     NEURIO_ABI_MAJOR.
 *
 * Error convention: every hook returns NEURIO_OK (0) or a negative
 * neurio_status.  Before returning an error the hook calls
 * host->set_error(ctx, ...) with a message a user can act on; the core wraps
 * it with the stage and plugin name.  A plugin never calls exit() or abort().
 *
 * Threading: the core calls every hook of one instance from one thread, in
 * pipeline order: open, prepare, codegen, flash, then transfer/infer pairs
 * per batch, then close.  close is called exactly once for every successful
 * open, also after a failed hook and after cancellation.
 */
#ifndef NEURIO_PLUGIN_H
#define NEURIO_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "neurio/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NEURIO_ABI_MAJOR 1
#define NEURIO_ABI_MINOR 3

/* The only symbol a plugin exports. */
#define NEURIO_PLUGIN_ENTRY "neurio_plugin_init"

#if defined(__GNUC__)
#define NEURIO_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define NEURIO_PLUGIN_EXPORT
#endif

struct neurio_model; /* neurio/model.h */

/* Opaque per-instance context owned by the core.  Passed back to every host
 * service; valid from open() until close() returns (for probe: during the
 * probe call only). */
typedef struct neurio_ctx neurio_ctx;

/* ------------------------------------------------------------------------ */
/* Options a plugin declares for its rig section (`device = { ... }`).       */

typedef enum neurio_opt_type {
    NEURIO_OPT_BOOL = 1,   /* libconfig true/false                           */
    NEURIO_OPT_INT = 2,    /* libconfig integer (int or int64)               */
    NEURIO_OPT_FLOAT = 3,  /* libconfig float; an integer is accepted too    */
    NEURIO_OPT_STRING = 4, /* libconfig string                               */
    NEURIO_OPT_PATH = 5    /* string; relative paths resolved against the rig
                              file's directory (or the cwd for --set)        */
} neurio_opt_type;

/* One declared option.  All strings are static and owned by the plugin.
 * The array handed to the core ends with an entry whose name is NULL. */
typedef struct neurio_option {
    const char *name;          /* key inside device = { }, e.g. "board"      */
    neurio_opt_type type;
    const char *default_value; /* in libconfig syntax for the type ("true",
                                  "115200", "1.5", "mps2-an386");
                                  NULL = the option is required             */
    const char *choices;       /* STRING only: "a|b|c" allowed values, or NULL */
    const char *help;          /* one line, shown by `neurio plugins`        */
    /* Fields added later go here; the core steps through the table by the
     * descriptor's option_size, so an older plugin's shorter entries work. */
} neurio_option;

/* ------------------------------------------------------------------------ */
/* Services of the running core, handed to neurio_plugin_init, open and
 * probe.  The table is static in the core: the pointer stays valid for as
 * long as the plugin is loaded.  Check `size` before using a field marked
 * with a minor version newer than the one you built against. */

typedef enum neurio_log_level {
    NEURIO_LOG_ERROR = 0,
    NEURIO_LOG_WARN = 1,
    NEURIO_LOG_INFO = 2,
    NEURIO_LOG_DEBUG = 3
} neurio_log_level;

#if defined(__GNUC__)
#define NEURIO_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define NEURIO_PRINTF(f, a)
#endif

typedef struct neurio_host {
    uint32_t size;      /* sizeof(neurio_host) in the core                   */
    uint16_t abi_major; /* the core's NEURIO_ABI_MAJOR / MINOR               */
    uint16_t abi_minor;

    /* Leveled log line, prefixed by the core with "[<plugin name>]".  No
     * trailing newline needed.  ctx may be NULL in neurio_plugin_init. */
    void (*log)(neurio_ctx *ctx, neurio_log_level level, const char *fmt, ...)
        NEURIO_PRINTF(3, 4);

    /* Record the message for the error the current hook is about to return.
     * The core copies it (the caller's buffer may be freed right after) and
     * owns the copy.  A later call replaces an earlier one. */
    void (*set_error)(neurio_ctx *ctx, const char *fmt, ...) NEURIO_PRINTF(2, 3);

    /* Progress of long work ("building firmware", "batch").  total == 0
     * means unknown.  The core draws a bar on a TTY, plain lines otherwise,
     * and rate-limits the output; call as often as convenient. */
    void (*progress)(neurio_ctx *ctx, const char *what, uint64_t done,
                     uint64_t total);

    /* Non-zero once the user asked to stop (SIGINT).  Long hooks poll it
     * and return NEURIO_ERR_CANCELLED at a clean point. */
    int (*cancelled)(neurio_ctx *ctx);

    /* Typed getters for the plugin's own rig options.  The core has already
     * validated the section against the declared options, so a declared
     * option always has a value (rig value, else default).  Asking for an
     * undeclared name or with the wrong type is a plugin bug: the getter
     * logs an error and returns 0 / 0.0 / NULL.  Returned strings are owned
     * by the core and stay valid until close() returns. */
    int (*opt_bool)(neurio_ctx *ctx, const char *name);
    int64_t (*opt_int)(neurio_ctx *ctx, const char *name);
    double (*opt_float)(neurio_ctx *ctx, const char *name);
    const char *(*opt_string)(neurio_ctx *ctx, const char *name); /* STRING and PATH */
    /* Non-zero when the rig (or --set) gave the option explicitly. */
    int (*opt_is_set)(neurio_ctx *ctx, const char *name);

    /* A scratch directory private to this run (created by the core, kept
     * after the run for inspection).  Owned by the core, valid until close. */
    const char *(*work_dir)(neurio_ctx *ctx);

    /* 1.1: the prepared model's neurio_model_sha256 as 64 lower-case hex
     * digits, computed once by the core when prepare has returned and
     * handed to every stage after it (codegen, flash, the link's hello
     * check, the result store).  NULL before prepare returns and outside a
     * run (probe).  Owned by the core, valid until close. */
    const char *(*model_sha256)(neurio_ctx *ctx);

    /* 1.1, for the probe hook: non-zero when `neurio probe --rig` asks which
     * attached device the rig designates.  The option getters then return
     * the rig's values, and the hook says which device its options mean by
     * calling probe_designate once: `link` in the transport's spec language
     * ("hid:VID:PID[:SERIAL]", "serial:PATH[@BAUD]", "/dev/...", "VID:PID",
     * a serial number, "unix:..."/"tcp:..."/"fd:..." (not a device), "none"
     * (no device used)), or NULL / "auto" for the plugin's own entry whose
     * id is `board`, else a recognised debug probe.  The core matches that
     * against everything probed; it never reads a plugin's options itself.
     * A plugin that designates nothing gets the "auto" match without board. */
    int (*probe_rig)(neurio_ctx *ctx);
    void (*probe_designate)(neurio_ctx *ctx, const char *link, const char *board);

    /* 1.2: non-zero when the rig says `data.stateful = true`: the model's
     * state (its variable tensors: SVDF and LSTM state, the Signal ops'
     * noise estimates) must carry from one sample to the next over the
     * whole run, in sample order, starting from its reset value; 0 (the
     * default) = the state is reset before every sample, as TFLite Micro's
     * reference outputs are made.  A plugin that generates code passes it
     * on as neurio_codegen_options.stateful.  Constant during a run; 0
     * outside one (probe).  Read it with neurio_host_run_stateful(), which
     * answers 0 from an older core.  A plugin built for ABI < 1.2 with its
     * own codegen hook cannot be told: the core refuses data.stateful =
     * true for it (a NULL codegen hook gets the SDK's default, which the
     * core runs stateful itself). */
    int (*run_stateful)(neurio_ctx *ctx);
    /* 1.2: non-zero when this run reads layer outputs back (`neurio debug`,
     * task.debug = "layers"): codegen/flash should build the device's debug
     * firmware (the generated code's NEURIO_LAYER_OUTPUT hook compiled in,
     * see neurio_model_desc.h), and infer then gets batches with
     * capture_buf set.  Valid from open to close.  Read it with
     * neurio_host_layer_capture(), which answers 0 from an older core. */
    int (*layer_capture)(neurio_ctx *ctx);
} neurio_host;

/* host->run_stateful(ctx) when the core has it (ABI >= 1.2), else 0. */
static inline int neurio_host_run_stateful(const neurio_host *host, neurio_ctx *ctx)
{
    return host && host->abi_minor >= 2 &&
                   host->size >= offsetof(neurio_host, run_stateful) + sizeof host->run_stateful &&
                   host->run_stateful
               ? host->run_stateful(ctx)
               : 0;
}

static inline int neurio_host_layer_capture(const neurio_host *host, neurio_ctx *ctx)
{
    return host && host->abi_minor >= 2 &&
                   host->size >= offsetof(neurio_host, layer_capture) + sizeof host->layer_capture &&
                   host->layer_capture
               ? host->layer_capture(ctx)
               : 0;
}

/* ------------------------------------------------------------------------ */
/* Data passed between the core and the hooks.                              */

/* What prepare should do to the model (from the rig's `model` section). */
typedef struct neurio_prepare_args {
    uint32_t size;                  /* sizeof(neurio_prepare_args)           */
    const char *model_path;         /* absolute path of the imported model   */
    const char *quantize;           /* "none" or "int8"                      */
    const char *calibration;        /* absolute .npy path, or NULL           */
    const char *calibration_method; /* "minmax", "percentile", "mse"         */
    /* 1.2: model.calibration as given: one .npy per model input, in the
     * model's input order (calibrations[0] == calibration); present when
     * `size` covers them, n_calibrations = 0 = use `calibration` alone. */
    const char *const *calibrations;
    uint32_t n_calibrations;
} neurio_prepare_args;

/* What the device turned out to be, filled by flash().  Strings are owned by
 * the plugin and stay valid until close().  Unknown numbers stay 0. */
typedef struct neurio_device_info {
    uint32_t size;              /* set by the core to sizeof before flash    */
    const char *board;          /* "mps2-an386", "x86_64 host", ...          */
    const char *cpu;            /* "cortex-m4", ...                          */
    const char *firmware;       /* firmware/build id, or shared object path  */
    const char *toolchain;      /* "arm-none-eabi-gcc 12.2.1", "cc 12.2.0"   */
    const char *cycle_source;   /* how `cycles` are counted: "dwt",
                                   "icount (instructions, exact)", "rdtsc" */
    const char *cycle_unit;     /* "cycles" or "instructions"                */
    double clock_hz;            /* core clock, 0 if unknown                  */
    uint32_t max_batch;         /* samples per batch the device can hold;
                                   0 = no limit                              */
    uint64_t flash_text;        /* firmware bytes by section                 */
    uint64_t flash_rodata;
    uint64_t flash_data;
    uint64_t weights_bytes;     /* constant model data                       */
    uint64_t arena_bytes;       /* activation arena                          */
    uint64_t ram_bytes;         /* total static RAM of the image: data + bss
                                   (the arena included) + the stack region;
                                   its parts below (1.3)                     */
    /* Energy model for estimates (device profile), 0 if unknown. */
    double active_current_a;    /* supply current while inferring, amperes   */
    double supply_voltage_v;
    /* The data channel (newer cores and plugins only: check `size`), NULL if
     * not known.  link_stats points at counters the plugin keeps current
     * after every transfer()/infer(), valid until close(). */
    const char *link_channel;   /* "uart (QEMU chardev socket)", "serial"... */
    const struct neurio_link_stats *link_stats;
    /* 1.3 (newer cores and plugins only: check `size`).  The parts of
     * ram_bytes, 0 = not known: initialised data, zeroed data (the arena
     * included) and the stack region reserved (its peak use per inference
     * is neurio_measure.stack_bytes). */
    uint64_t ram_data;
    uint64_t ram_bss;
    uint64_t stack_region;
    /* How the image stores each layer's weights: [n_layouts] entries, one
     * per op of the prepared model (NULL = not reported), and the choice
     * behind them (NULL = none).  Owned by the plugin, valid until close. */
    const struct neurio_layer_layout *layouts;
    uint32_t n_layouts;
    const struct neurio_weights_choice *weights_choice;
} neurio_device_info;

/* One layer's weight layout in the image (neurio_device_info.layouts). */
typedef struct neurio_layer_layout {
    const char *layout;     /* "packed int8", "packed int16", "straight-line",
                               "plain"; NULL = the layer has no layout choice */
    uint64_t bytes;         /* flash its weights and constants take in that
                               layout (0 = not counted)                      */
    uint64_t added_bytes;   /* flash that layout adds over the int8 one (a
                               packed CONV_2D: over the model's arrays)     */
} neurio_layer_layout;

/* How the plugin chose the weight layouts (e.g. the cortex-m plugin's
 * device.fc_weights), with the figures it decided on; 0 = not known. */
typedef struct neurio_weights_choice {
    const char *setting;    /* the rig's value: "auto", "int8", "int16"      */
    const char *decision;   /* one line: what was chosen and why             */
    uint64_t flash_bytes;   /* the code memory of the device                 */
    uint64_t code_bytes;    /* the image less the model's constants          */
    const char *code_source;/* where code_bytes comes from ("measured: ...") */
    uint64_t budget_bytes;  /* flash left to the model's constants           */
    uint64_t const_bytes;   /* the model's constants in the image            */
    uint32_t int8_layers, int16_layers; /* packed layers per layout          */
    uint64_t added_bytes;   /* flash the int16 layouts add                   */
    uint32_t builds;        /* firmware builds the decision took             */
} neurio_weights_choice;

/* One inference's measurements. */
typedef struct neurio_measure {
    uint64_t host_ns;     /* wall time seen by the host, ns; 0 = unknown     */
    uint64_t cycles;      /* device count in device_info.cycle_unit          */
    uint32_t stack_bytes; /* stack high-water mark, 0 = not reported         */
    uint32_t flags;       /* NEURIO_MEASURE_* (was `reserved`, always 0)     */
} neurio_measure;

/* neurio_measure.flags: the answer for this sample came late because the
 * link stalled (it recovered from a loss: a request sent again before the
 * device accepted it, a damaged or lost frame, a device reset; not a slow
 * inference whose wait for its result merely expired): host_ns holds
 * the stall, not the inference, and the core keeps it out of every latency
 * figure, counting the sample as a stall instead. */
#define NEURIO_MEASURE_STALLED 1u

/* One batch.  All buffers are owned by the core and valid from transfer()
 * until the matching infer() returns.  Tensors are in the prepared model's
 * input/output dtype and shape, C order, samples back to back. */
typedef struct neurio_batch {
    uint32_t first;             /* index of the first sample in the run      */
    uint32_t count;             /* samples in this batch (>= 1)              */
    uint32_t n_inputs;
    uint32_t n_outputs;
    const void *const *inputs;  /* [n_inputs], each count * tensor bytes     */
    void *const *outputs;       /* [n_outputs], written by infer()           */
    neurio_measure *measures;   /* [count], written by infer()               */
    /* Optional per-layer counts: [count * n_layers], row-major by sample.
     * NULL when the core does not want them.  infer() sets layers_filled
     * to the number of layers it measured (0 = not available). */
    uint64_t *layer_cycles;
    uint32_t n_layers;          /* = prepared model's n_ops                  */
    uint32_t layers_filled;
    /* Samples infer() actually completed, in order from `first`.  On error a
     * plugin sets it to what is already in outputs/measures so the core
     * keeps those results. */
    uint32_t done;
    /* 1.1: sizeof(neurio_batch) in the core.  Present when
     * host->abi_minor >= 1; fields after it exist when size covers them. */
    uint32_t size;
    /* 1.2, layer capture (host->layer_capture() non-zero): when
     * capture_buf is not NULL the batch has count 1 and infer() also copies
     * output capture_output (1.3; before it, the first output) of layer
     * capture_layer (0-based, = prepared op index) of that inference into
     * capture_buf (capture_cap bytes, the tensor's size) and sets
     * capture_bytes to the bytes written; 0 = this device cannot capture (then set_error says why and infer fails).
     * neurio_link_infer() does all of it over the link. */
    int32_t capture_layer;
    uint32_t capture_cap;
    void *capture_buf;
    uint32_t capture_bytes;
    /* 1.3: which output of layer capture_layer to copy (0 = the first;
     * < the op's output count), present when NEURIO_BATCH_HAS_CAPTURE_OUTPUT.
     * The core asks for an output > 0 only from a plugin built for ABI >=
     * 1.3 (an older one copies the first output; its other outputs are
     * reported as not read back).  neurio_link_infer() reads it. */
    uint32_t capture_output;
} neurio_batch;

/* Does this batch (as the core built it) carry the 1.2 capture fields? */
#define NEURIO_BATCH_HAS_CAPTURE(b) \
    ((b)->size >= offsetof(neurio_batch, capture_bytes) + sizeof(uint32_t))
/* ... and the 1.3 output index (else the capture is of output 0)? */
#define NEURIO_BATCH_HAS_CAPTURE_OUTPUT(b) \
    ((b)->size >= offsetof(neurio_batch, capture_output) + sizeof(uint32_t))
/* The output index a capture batch asks for (0 from an older core). */
#define NEURIO_BATCH_CAPTURE_OUTPUT(b) \
    (NEURIO_BATCH_HAS_CAPTURE_OUTPUT(b) ? (b)->capture_output : 0u)

/* Discovery: one attached or available device. Strings valid during the
 * callback only. */
typedef struct neurio_probe_entry {
    const char *kind;    /* "hid", "serial", "emulator", ...                 */
    const char *id;      /* path or board name                               */
    const char *detail;  /* human description                                */
    const char *serial;  /* serial number or NULL                            */
    uint16_t vid, pid;   /* USB ids, 0 if none                               */
    /* 1.1: sizeof(neurio_probe_entry) the plugin was built with (use
     * NEURIO_PROBE_ENTRY_SIZE); the core reads what it covers.  0, or a
     * 1.0 plugin, = the 1.0 layout (up to pid). */
    uint32_t size;
} neurio_probe_entry;
#define NEURIO_PROBE_ENTRY_SIZE .size = (uint32_t)sizeof(neurio_probe_entry)
typedef void (*neurio_probe_fn)(void *user, const neurio_probe_entry *entry);

/* ------------------------------------------------------------------------ */
/* The descriptor.                                                          */

typedef struct neurio_plugin {
    uint16_t abi_major;   /* NEURIO_ABI_MAJOR the plugin was built with     */
    uint16_t abi_minor;   /* NEURIO_ABI_MINOR the plugin was built with     */
    uint32_t size;        /* sizeof(neurio_plugin) the plugin was built with */
    const char *name;     /* unique device name used in rigs: "host"        */
    const char *version;  /* plugin version, free text: "1.2.0"             */
    const char *summary;  /* one line for `neurio plugins`                  */
    const neurio_option *options; /* NULL-name-terminated, or NULL          */

    /* Create an instance.  Read options through host getters here.  On
     * success store the instance in *self (owned by the plugin until
     * close).  On failure *self is ignored and close is not called. */
    int (*open)(neurio_ctx *ctx, const neurio_host *host, void **self);

    /* Rewrite the imported model for the device (optimize, quantize).  The
     * model is owned by the core; the plugin may modify it in place through
     * the neurio/model.h API.  args stays valid during the call only.
     * Optional (1.1): NULL = the SDK's default recipe,
     * neurio_prepare_default() (neurio/quantize.h). */
    int (*prepare)(void *self, struct neurio_model *model,
                   const neurio_prepare_args *args);

    /* Emit C sources for the prepared model into out_dir (created by the
     * core, empty).  The model is read-only here.  Optional (1.1): NULL =
     * the SDK's default, neurio_codegen() with default options and the
     * model's hash (neurio/codegen.h); flash then finds its files in
     * gen_dir under the names codegen.h documents. */
    int (*codegen)(void *self, const struct neurio_model *model,
                   const char *out_dir);

    /* Build the firmware from gen_dir and put it on the device (or start
     * the emulator / load the shared object).  Fill *info (size preset by
     * the core).  Strings put in *info are owned by the plugin.  `model`
     * (owned by the core) stays valid and unchanged until close() returns,
     * so a plugin may keep the pointer for transfer/infer. */
    int (*flash)(void *self, const struct neurio_model *model,
                 const char *gen_dir, neurio_device_info *info);

    /* Send a batch's inputs to the device. */
    int (*transfer)(void *self, const neurio_batch *batch);

    /* Run the batch sent by the last transfer and fill outputs, measures,
     * layer_cycles/layers_filled and done.  On a failure mid-batch set
     * batch->done to the samples already completed before returning. */
    int (*infer)(void *self, neurio_batch *batch);

    /* Release everything (stop emulators, close links, free self). */
    void (*close)(void *self);

    /* Optional (NULL = not supported): report what devices of this kind are
     * attached or available, one callback per device. */
    int (*probe)(neurio_ctx *ctx, const neurio_host *host, neurio_probe_fn fn,
                 void *user);

    /* ---- 1.1 ---------------------------------------------------------- */
    /* sizeof(neurio_option) the plugin was built with (NEURIO_PLUGIN_HEADER
     * sets it); 0 = the 1.0 layout.  The core steps through `options` by it. */
    uint32_t option_size;
} neurio_plugin;

/* Initializer for the header fields (ABI version, descriptor and option sizes):
 *   static const neurio_plugin desc = { NEURIO_PLUGIN_HEADER, .name = ... }; */
#define NEURIO_PLUGIN_HEADER                                                  \
    .abi_major = NEURIO_ABI_MAJOR, .abi_minor = NEURIO_ABI_MINOR,             \
    .size = (uint32_t)sizeof(neurio_plugin),                                  \
    .option_size = (uint32_t)sizeof(neurio_option)

typedef const neurio_plugin *(*neurio_plugin_init_fn)(const neurio_host *host);

/* Emits the entry symbol returning &desc.  Use once per plugin. */
#define NEURIO_PLUGIN_DEFINE(desc)                                            \
    NEURIO_PLUGIN_EXPORT const neurio_plugin *neurio_plugin_init(             \
        const neurio_host *host);                                             \
    const neurio_plugin *neurio_plugin_init(const neurio_host *host)          \
    {                                                                         \
        (void)host;                                                           \
        return &(desc);                                                       \
    }

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_PLUGIN_H */
