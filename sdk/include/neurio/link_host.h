/* sdk/include/neurio/link_host.h — the host end of the device link, ready to
 * be a device plugin's transfer/infer.
 *
 * A plugin opens a transport (neurio/transport.h), hands it to
 * neurio_link_open(), checks the hello against the prepared model, then per
 * batch calls neurio_link_transfer() from its transfer hook and
 * neurio_link_infer() from its infer hook.  The link handles framing, CRC,
 * retransmission, resynchronisation after garbage, duplicates, hangs
 * (timeouts) and device reboots (an unexpected hello, or a RUN refused as
 * NOT_READY: the batch is re-sent and the run resumes at the first sample
 * without a result; results already received are kept).
 *
 * Typical plugin code:
 *   neurio_transport *t; neurio_link *l;
 *   neurio_transport_open("unix:/tmp/x.sock", 5000, &t, &e);
 *   neurio_link_open(t, NULL, &l, &e);            // takes t; waits for hello
 *   neurio_link_check_model(l, model_sha256_hex, &e);  // NEURIO_ERR_STALE
 *   neurio_link_device_info(l, info);             // in flash()
 *   transfer: neurio_link_transfer(l, batch, &e);
 *   infer:    neurio_link_infer(l, batch, &e);    // fills outputs/measures/done
 *   close:    neurio_link_close(l);
 */
#ifndef NEURIO_LINK_HOST_H
#define NEURIO_LINK_HOST_H

#include "neurio/api.h"

#include <stddef.h>
#include <stdint.h>

#include "neurio/link.h"
#include "neurio/plugin.h"
#include "neurio/status.h"
#include "neurio/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct neurio_link neurio_link;

/* Tunables.  Pass NULL to neurio_link_open for the defaults shown. */
typedef struct neurio_link_options {
    uint32_t size;          /* sizeof(neurio_link_options)                  */
    int timeout_ms;         /* answer to a PING/WRITE/READ/COMMIT: 1000     */
    int run_timeout_ms;     /* answer to a RUN (one inference): 30000       */
    int boot_timeout_ms;    /* first hello after open: 10000                */
    int max_retries;        /* consecutive failed tries of one request: 8
                               (given up only once timeout_ms has also
                               passed since its first copy; tries that a
                               NAK or damaged answer ended: 4x this)      */
    int max_resets;         /* device reboots without progress: 3           */
    uint32_t max_payload;   /* cap on the payload the host sends; 0 = the
                               device's max_payload                         */
    /* Optional log sink (retransmits, resyncs, reboots); user is passed
     * back.  level: 0 error, 1 warn, 2 info, 3 debug (= neurio_log_level). */
    void (*log)(void *user, int level, const char *msg);
    /* Optional: return non-zero to stop (checked between requests); the
     * current call returns NEURIO_ERR_CANCELLED. */
    int (*cancelled)(void *user);
    void *user;
    /* Requests in flight when the device announces NEURIO_LINK_HF_WINDOW
     * (1 = stop-and-wait; at most 32): 8.  Without the flag: 1.           */
    int window;
    /* Retransmission timeout: adaptive (RFC 6298: smoothed round trip +
     * 4 x its variation, doubled on each expiry), at least rto_min_us
     * (1000) and at most timeout_ms, which is also where it starts.     */
    int rto_min_us;
    /* Optional: called (with user) each time a sample's RESULT arrives, so
     * a caller's own stall deadline can count from the last answer. */
    void (*answered)(void *user);
} neurio_link_options;

/* Fill *o with the defaults. */
NEURIO_API void neurio_link_options_default(neurio_link_options *o);

/* What the device announced (strings NUL-terminated, owned by the link). */
typedef struct neurio_link_hello {
    uint32_t proto_version;
    uint32_t flags;        /* NEURIO_LINK_HF_*                              */
    uint32_t clock_hz;
    uint32_t max_payload;
    uint32_t arena_bytes;
    uint32_t batch_bytes;
    uint32_t max_batch;
    uint32_t n_layers;
    uint32_t stack_bytes;
    uint32_t weights_bytes;
    uint32_t n_inputs, n_outputs;
    uint32_t in_offset[NEURIO_LINK_MAX_TENSORS], in_bytes[NEURIO_LINK_MAX_TENSORS];
    uint32_t out_offset[NEURIO_LINK_MAX_TENSORS], out_bytes[NEURIO_LINK_MAX_TENSORS];
    uint8_t in_dtype[NEURIO_LINK_MAX_TENSORS], out_dtype[NEURIO_LINK_MAX_TENSORS];
    char sha256[65];
    char cycle_method[NEURIO_LINK_MAX_STR + 1];
    char build_id[NEURIO_LINK_MAX_STR + 1];
} neurio_link_hello;

/* Counters for benchmarks and logs. */
typedef struct neurio_link_stats {
    uint64_t frames_tx, frames_rx;
    uint64_t bytes_tx, bytes_rx;         /* on the wire, framing included  */
    uint64_t payload_tx, payload_rx;     /* payload bytes of good frames   */
    uint64_t retransmits;                /* requests sent again            */
    uint64_t timeouts;                   /* waits that expired             */
    uint64_t crc_errors;                 /* frames dropped for a bad CRC   */
    uint64_t naks;                       /* NAKs received                  */
    uint64_t garbage_bytes;              /* bytes skipped while resyncing
                                            (zero trailers not counted)   */
    uint64_t duplicates;                 /* stale responses discarded      */
    uint64_t resets;                     /* device reboots detected        */
    uint64_t batches_resent;             /* batches sent again             */
    uint64_t chunk_shrinks;              /* bulk chunk halved (noisy line) */
    uint64_t fast_retransmits;           /* sent again because a later
                                            request's answer came first   */
    uint64_t rtt_samples;                /* round trips measured           */
    uint64_t rto_us;                     /* current retransmission timeout
                                            (small requests), us          */
    uint64_t srtt_us;                    /* smoothed round trip, us        */
    uint32_t window;                     /* requests in flight at most     */
    uint64_t transfer_ns;                /* time in neurio_link_transfer   */
    uint64_t infer_ns;                   /* time in neurio_link_infer      */
    uint32_t chunk_bytes;                /* current bulk chunk size        */
} neurio_link_stats;

/* Take ownership of `t` (closed by neurio_link_close, also when this call
 * fails) and wait for the device's hello: a boot hello if one arrives,
 * otherwise the link PINGs.  opt may be NULL.  Errors: NEURIO_ERR_TIMEOUT
 * (no device answered, naming the transport), NEURIO_ERR_DEVICE (protocol
 * version or malformed hello), ... */
NEURIO_API int neurio_link_open(neurio_transport *t, const neurio_link_options *opt,
                     neurio_link **out, neurio_errbuf *err);

/* The last hello (valid until the next call on l or close). */
NEURIO_API const neurio_link_hello *neurio_link_info(const neurio_link *l);

/* Ask the device for a fresh hello (PING). */
NEURIO_API int neurio_link_ping(neurio_link *l, neurio_errbuf *err);

/* NEURIO_ERR_STALE when the device's model SHA-256 differs from
 * `sha256_hex` (64 hex chars), naming both and saying to re-flash. */
NEURIO_API int neurio_link_check_model(const neurio_link *l, const char *sha256_hex,
                            neurio_errbuf *err);

/* Check the device's tensors against the batch shapes the core will use:
 * n_inputs/n_outputs and bytes per sample of each (arrays of n entries). */
NEURIO_API int neurio_link_check_tensors(const neurio_link *l, uint32_t n_inputs,
                              const size_t *in_bytes, uint32_t n_outputs,
                              const size_t *out_bytes, neurio_errbuf *err);

/* Fill the link-derived fields of *info (clock_hz, cycle_source,
 * cycle_unit, firmware build id, arena_bytes, weights_bytes, max_batch).
 * Strings are owned by the link (valid until close).  Leaves the others. */
NEURIO_API void neurio_link_device_info(const neurio_link *l, neurio_device_info *info);

/* Send the batch's inputs (batch->count samples) and commit them.  The
 * link keeps batch->inputs to re-send them after a reboot: the buffers
 * must stay valid until neurio_link_infer returns (the plugin ABI
 * guarantees it).  NEURIO_ERR_INVALID when count > max_batch. */
NEURIO_API int neurio_link_transfer(neurio_link *l, const neurio_batch *batch,
                         neurio_errbuf *err);

/* Run every sample of the batch sent by the last transfer; fill outputs,
 * measures (cycles, stack_bytes, host_ns), layer_cycles/layers_filled (if
 * the batch asks and the device can) and done.  On failure batch->done is
 * the number of samples (from the start) whose results are in place.
 * Layer capture (ABI 1.2, NEURIO_BATCH_HAS_CAPTURE and capture_buf set,
 * count 1): the RUN asks the device's debug firmware (hello flag
 * NEURIO_LINK_HF_CAPTURE) for that layer's output capture_output (ABI 1.3;
 * the first output before, and from a firmware without
 * NEURIO_LINK_HF_CAPTURE_OUT), which is READ into capture_buf
 * (capture_bytes set); NEURIO_ERR_UNSUPPORTED when the firmware has no
 * capture (of that output) or the tensor does not fit its batch buffer. */
NEURIO_API int neurio_link_infer(neurio_link *l, neurio_batch *batch, neurio_errbuf *err);

/* transfer + infer. */
NEURIO_API int neurio_link_run_batch(neurio_link *l, neurio_batch *batch,
                          neurio_errbuf *err);

/* Ask the device to reboot and wait for its boot hello. */
NEURIO_API int neurio_link_reset(neurio_link *l, neurio_errbuf *err);

/* Counters so far. */
NEURIO_API neurio_link_stats neurio_link_get_stats(const neurio_link *l);

/* The transport (owned by the link). */
NEURIO_API neurio_transport *neurio_link_transport(neurio_link *l);

/* Close the transport and free everything; NULL accepted. */
NEURIO_API void neurio_link_close(neurio_link *l);

/* CRC-32 (IEEE / zlib) of len bytes, continuing from `crc` (start with 0). */
NEURIO_API uint32_t neurio_link_crc32(uint32_t crc, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_LINK_HOST_H */
