/* firmware/runtime/nrt.h — the portable device runtime (C99, no host code):
 * the device end of the neurio link (neurio/link.h, firmware/LINK.md),
 * hello on boot, batch receive into the platform's batch memory, dispatch
 * through the generated model's generic run(), per-inference counts through
 * platform_cycles(), per-layer counts through NEURIO_LAYER_HOOK, stack
 * high-water mark by painting.
 *
 * Build: compile firmware/runtime/nrt_*.c with -I firmware/include
 * -I firmware/runtime, and the generated model with
 * -DNEURIO_LAYER_HOOK_FN=nrt_layer_hook to get per-layer counts.
 * Compile-time options (-D):
 *   NRT_MAX_PAYLOAD   largest payload accepted/sent (default 1024, >= 512)
 *   NRT_BUILD_ID      firmware build id string (default "nrt-" version)
 *   NRT_RESET_AFTER   reboot through platform_reset() after this many
 *                     inferences since boot (fault testing; default 0 = no)
 *   NRT_RX_TIMEOUT_MS inter-byte timeout inside a frame (default 200)
 *   NRT_LAYER_CAPTURE 1 in a debug build: the generated model is compiled
 *                     with -DNEURIO_LAYER_OUTPUT_K_FN=nrt_layer_output_k and
 *                     the hello announces NEURIO_LINK_HF_CAPTURE and
 *                     HF_CAPTURE_OUT (RUN_CAPTURE copies any output of one
 *                     layer for `neurio debug`; the older
 *                     -DNEURIO_LAYER_OUTPUT_FN=nrt_layer_output gives first
 *                     outputs only and no HF_CAPTURE_OUT)
 *   NRT_TEST_FAULT_LAYER k: TEST-ONLY fault injection (needs the output
 *                     hook): layer k's output NRT_TEST_FAULT_OUTPUT (default
 *                     0) gets the low bit of every byte flipped, as a
 *                     broken kernel would
 *   NRT_TEST_SLOW_RUN n: TEST-ONLY: every inference first counts to n
 *                     million in a volatile loop (inside the measured run:
 *                     a slow but healthy inference)
 *   NRT_TEST_HANG_RUN k: TEST-ONLY: the k-th inference since boot is
 *                     acknowledged and then spins forever (a hung device)
 *   NRT_RX_FLOW_CONTROL 1 when the board's input never loses bytes while the
 *                     runtime is busy (an emulator's UART, a socket, a
 *                     memory channel): the hello then announces
 *                     NEURIO_LINK_HF_WINDOW (default 0: a polled UART)
 *   NRT_UART_READ 1    when the board provides platform_uart_read(): a
 *                     frame's payload is then taken in bulk (default 0:
 *                     byte by byte through platform_uart_getc)
 */
#ifndef NEURIO_FIRMWARE_NRT_H
#define NEURIO_FIRMWARE_NRT_H

#include <stdint.h>

#include "neurio_model_desc.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef NRT_MAX_PAYLOAD
#define NRT_MAX_PAYLOAD 1024u
#endif
#ifndef NRT_RX_TIMEOUT_MS
#define NRT_RX_TIMEOUT_MS 200u
#endif
#ifndef NRT_RX_FLOW_CONTROL
#define NRT_RX_FLOW_CONTROL 0
#endif
#ifndef NRT_UART_READ
#define NRT_UART_READ 0
#endif
#ifndef NRT_RESET_AFTER
#define NRT_RESET_AFTER 0u
#endif

/* Run-time options (zero-initialised = defaults from the macros above). */
typedef struct nrt_options {
    uint32_t reset_after;   /* 0 = NRT_RESET_AFTER                          */
    const char *build_id;   /* NULL = NRT_BUILD_ID                          */
    int flow_control;       /* 0 = NRT_RX_FLOW_CONTROL, 1 = yes, -1 = no    */
} nrt_options;

/* Serve the link forever: send the boot hello, then answer requests.  On a
 * real board it never returns.  Returns 0 when platform_uart_getc reports
 * PLATFORM_UART_CLOSED (host build), 1 when the model descriptor is
 * unusable (NULL, wrong version, too many tensors) after reporting it in a
 * hello with max_batch 0.  opt may be NULL. */
int nrt_serve(const neurio_model_desc *model, const nrt_options *opt);

/* Layer hook called by the generated code (NEURIO_LAYER_HOOK_FN). */
void nrt_layer_hook(uint32_t layer);

/* Layer output hook (NEURIO_LAYER_OUTPUT_K_FN, debug builds): output
 * out_idx of layer after it ran, for RUN_CAPTURE (and the TEST-ONLY
 * NRT_TEST_FAULT_LAYER / NRT_TEST_FAULT_OUTPUT). */
void nrt_layer_output_k(uint32_t layer, uint32_t out_idx, void *data, uint32_t bytes);
/* The older first-output hook (NEURIO_LAYER_OUTPUT_FN): = output 0. */
void nrt_layer_output(uint32_t layer, void *data, uint32_t bytes);

/* CRC-32 (IEEE, same as zlib's crc32), continuing from crc (start 0). */
uint32_t nrt_crc32(uint32_t crc, const uint8_t *buf, uint32_t len);

/* Stack painting: paint the unused stack below the caller's frame, and
 * return the deepest use (bytes from the top) since the last paint; 0 if
 * the platform gave no bounds. */
void nrt_stack_paint(void);
uint32_t nrt_stack_high_water(void);

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_FIRMWARE_NRT_H */
