/* plugins/host/host_exec.c — load the generated shared object and call its
 * typed entry point through libffi, timing each call. */
#include <dlfcn.h>
#include <ffi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "host_runner.h"

struct nh_module {
    void *handle;
    const neurio_model_desc *desc;
    void (*run)(void);          /* <name>_run, called through ffi only */
    const uint64_t *layer_ts;   /* neurio_host_layer_ts or NULL */
    int32_t *cap_layer;         /* neurio_host_capture_* (debug builds) or NULL */
    uint32_t *cap_output;
    void **cap_buf;
    uint32_t *cap_cap, *cap_bytes;
    ffi_cif cif;
    ffi_type **arg_types;
    void **arg_values;
    const void **arg_ptrs;
    uint32_t n_args;
};

const char *nh_cycle_source(void)
{
#if defined(__x86_64__)
    return "rdtsc";
#else
    return "none";
#endif
}

static uint64_t nh_tsc(void)
{
#if defined(__x86_64__)
    return (uint64_t)__rdtsc();
#else
    return 0;
#endif
}

static uint64_t nh_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

int nh_capture_set(nh_module *mod, int32_t layer, uint32_t out_idx, void *buf, uint32_t cap)
{
    if (!mod->cap_layer)
        return layer < 0 ? NEURIO_OK : NEURIO_ERR_UNSUPPORTED;
    *mod->cap_layer = layer;
    *mod->cap_output = out_idx;
    *mod->cap_buf = buf;
    *mod->cap_cap = cap;
    *mod->cap_bytes = 0;
    return NEURIO_OK;
}

uint32_t nh_capture_bytes(const nh_module *mod)
{
    return mod->cap_layer ? *mod->cap_bytes : 0;
}

void nh_close(nh_module *mod)
{
    if (!mod)
        return;
    if (mod->handle)
        dlclose(mod->handle);
    free(mod->arg_types);
    free(mod->arg_values);
    free(mod->arg_ptrs);
    free(mod);
}

const neurio_model_desc *nh_desc(const nh_module *mod)
{
    return mod->desc;
}

int nh_open(const char *so_path, const char *name, const char *sha256_hex,
            nh_module **out, neurio_errbuf *err)
{
    char sym[256];
    int rc = NEURIO_ERR_NOMEM;
    *out = NULL;
    nh_module *mod = calloc(1, sizeof *mod);
    if (!mod)
        return neurio_fail(err, rc, "host: out of memory");
    mod->handle = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
    if (!mod->handle) {
        rc = neurio_fail(err, NEURIO_ERR_DEVICE, "host: cannot load %s: %s", so_path, dlerror());
        goto fail;
    }
    snprintf(sym, sizeof sym, "%s_desc", name);
    mod->desc = (const neurio_model_desc *)dlsym(mod->handle, sym);
    snprintf(sym, sizeof sym, "%s_run", name);
    void *fn = dlsym(mod->handle, sym);
    if (!mod->desc || !fn) {
        rc = neurio_fail(err, NEURIO_ERR_DEVICE, "host: %s lacks symbol %s_%s (generated for "
                         "another model name?)", so_path, name, mod->desc ? "run" : "desc");
        goto fail;
    }
    memcpy(&mod->run, &fn, sizeof fn);
    mod->layer_ts = (const uint64_t *)dlsym(mod->handle, "neurio_host_layer_ts");
    mod->cap_layer = (int32_t *)dlsym(mod->handle, "neurio_host_capture_layer");
    mod->cap_output = (uint32_t *)dlsym(mod->handle, "neurio_host_capture_output");
    mod->cap_buf = (void **)dlsym(mod->handle, "neurio_host_capture_buf");
    mod->cap_cap = (uint32_t *)dlsym(mod->handle, "neurio_host_capture_cap");
    mod->cap_bytes = (uint32_t *)dlsym(mod->handle, "neurio_host_capture_bytes");
    if (!mod->cap_output || !mod->cap_buf || !mod->cap_cap || !mod->cap_bytes)
        mod->cap_layer = NULL;
    const neurio_model_desc *d = mod->desc;
    if (d->version != NEURIO_MODEL_DESC_VERSION) {
        rc = neurio_fail(err, NEURIO_ERR_STALE, "host: %s has model descriptor version %u, this "
                         "plugin expects %u: regenerate the code", so_path, d->version,
                         NEURIO_MODEL_DESC_VERSION);
        goto fail;
    }
    if (sha256_hex && (!d->sha256 || strcmp(d->sha256, sha256_hex))) {
        rc = neurio_fail(err, NEURIO_ERR_STALE, "host: %s was generated for model %.12s..., "
                         "the prepared model is %.12s...: regenerate", so_path,
                         d->sha256 ? d->sha256 : "?", sha256_hex);
        goto fail;
    }
    mod->n_args = d->n_inputs + d->n_outputs;
    mod->arg_types = calloc(mod->n_args ? mod->n_args : 1, sizeof *mod->arg_types);
    mod->arg_values = calloc(mod->n_args ? mod->n_args : 1, sizeof *mod->arg_values);
    mod->arg_ptrs = calloc(mod->n_args ? mod->n_args : 1, sizeof *mod->arg_ptrs);
    if (!mod->arg_types || !mod->arg_values || !mod->arg_ptrs)
        goto fail;
    /* The call is built from the description: one pointer per input, then
     * one per output, returning int. */
    for (uint32_t i = 0; i < mod->n_args; i++) {
        mod->arg_types[i] = &ffi_type_pointer;
        mod->arg_values[i] = &mod->arg_ptrs[i];
    }
    if (ffi_prep_cif(&mod->cif, FFI_DEFAULT_ABI, mod->n_args, &ffi_type_sint,
                     mod->arg_types) != FFI_OK) {
        rc = neurio_fail(err, NEURIO_ERR_INTERNAL, "host: libffi refused a call of %u pointers",
                         mod->n_args);
        goto fail;
    }
    *out = mod;
    return NEURIO_OK;
fail:
    nh_close(mod);
    return rc;
}

int nh_run(nh_module *mod, const void *const *inputs, void *const *outputs,
           uint64_t *ns, uint64_t *cycles, uint64_t *layer_cycles,
           uint32_t *layers, neurio_errbuf *err)
{
    const neurio_model_desc *d = mod->desc;
    ffi_sarg ret = 0;
    for (uint32_t i = 0; i < d->n_inputs; i++)
        mod->arg_ptrs[i] = inputs[i];
    for (uint32_t i = 0; i < d->n_outputs; i++)
        mod->arg_ptrs[d->n_inputs + i] = outputs[i];
    uint64_t t0 = nh_now_ns(), c0 = nh_tsc();
    ffi_call(&mod->cif, mod->run, &ret, mod->arg_values);
    uint64_t c1 = nh_tsc(), t1 = nh_now_ns();
    if (ns)
        *ns = t1 - t0;
    if (cycles)
        *cycles = c1 - c0;
    if (layers)
        *layers = 0;
    if (layer_cycles && mod->layer_ts && d->n_layers > 0) {
        for (uint32_t l = 0; l < d->n_layers; l++)
            layer_cycles[l] = mod->layer_ts[l + 1] - mod->layer_ts[l];
        if (layers)
            *layers = d->n_layers;
    }
    if ((int)ret != NEURIO_RUN_OK) {
        if ((int)ret >= NEURIO_RUN_ERR_LAYER)
            return neurio_fail(err, NEURIO_ERR_DEVICE,
                               "host: %s_run failed in layer %d (%s): its kernel refused the "
                               "parameters", d->name, (int)ret - NEURIO_RUN_ERR_LAYER,
                               (uint32_t)((int)ret - NEURIO_RUN_ERR_LAYER) < d->n_layers
                                   ? d->layer_ops[(int)ret - NEURIO_RUN_ERR_LAYER] : "?");
        return neurio_fail(err, NEURIO_ERR_DEVICE, "host: %s_run returned %d", d->name, (int)ret);
    }
    return NEURIO_OK;
}
