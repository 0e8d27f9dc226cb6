/* firmware/include/neurio/link.h — the neurio device link protocol: constants and
 * frame layout shared by the host (libneurio, sdk/src/link/) and the device
 * runtime (firmware/runtime/).  C99, freestanding: only <stdint.h>, no host
 * types, so firmware includes it as is.  Prose spec: firmware/LINK.md.
 *
 * All multi-byte integers on the wire are little-endian.
 *
 * Frame (12 bytes of overhead):
 *   off 0  u8  NEURIO_LINK_SOF0 (0xA5)     start marker
 *   off 1  u8  NEURIO_LINK_SOF1 (0x4E 'N')
 *   off 2  u8  type                       NEURIO_LINK_T_*
 *   off 3  u8  seq                        request: 1..255 chosen by the host;
 *                                         response: echoes the request's seq;
 *                                         0 = unsolicited (boot hello)
 *   off 4  u16 len                        payload bytes (<= receiver's max)
 *   off 6  u16 hcrc                       low 16 bits of CRC-32 of bytes 0..5
 *   off 8  payload[len]
 *   off 8+len u32 crc                     CRC-32 of bytes 0 .. 8+len-1
 * CRC-32 is the IEEE 802.3 / zlib one (reflected, poly 0xEDB88320, init and
 * final xor 0xFFFFFFFF): crc32("123456789") == 0xCBF43926.
 *
 * The host drives everything (requests and responses).  The device answers
 * requests strictly in the order they arrive; a device announcing
 * NEURIO_LINK_HF_WINDOW accepts several requests in flight (the host keeps a
 * sliding window with selective repeat), otherwise the host waits for each
 * answer (stop-and-wait).  Every request is idempotent, so the host
 * retransmits it on a NAK, a corrupt response, a later request's answer
 * arriving first, or its adaptive timeout; the device answers a
 * retransmission of the request it answered last (same seq and CRC) from
 * its cached answer instead of executing it again.
 */
#ifndef NEURIO_LINK_H
#define NEURIO_LINK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NEURIO_LINK_PROTO_VERSION 2u /* 2: RUN is ACKed before the RESULT */

#define NEURIO_LINK_SOF0 0xA5u
#define NEURIO_LINK_SOF1 0x4Eu
#define NEURIO_LINK_HDR_BYTES 8u
#define NEURIO_LINK_CRC_BYTES 4u
#define NEURIO_LINK_OVERHEAD (NEURIO_LINK_HDR_BYTES + NEURIO_LINK_CRC_BYTES)
/* Zero bytes each side sends after a burst of frames: they complete a frame
 * that lost bytes on the way, so the receiver finds it damaged at once
 * (instead of waiting for bytes that will not come); receivers skip them
 * like any bytes between frames. */
#define NEURIO_LINK_TRAILER 2u
/* A device must accept payloads of at least this size (the hello fits). */
#define NEURIO_LINK_MIN_PAYLOAD 512u
#define NEURIO_LINK_MAX_PAYLOAD 65535u
/* Unsolicited frames (boot hello) carry this sequence number. */
#define NEURIO_LINK_SEQ_UNSOLICITED 0u

/* ---- message types ----------------------------------------------------- */
/* host -> device requests */
#define NEURIO_LINK_T_PING 0x02u   /* empty; answered by HELLO              */
#define NEURIO_LINK_T_WRITE 0x03u  /* u32 offset, bytes -> ACK(offset+n)    */
#define NEURIO_LINK_T_COMMIT 0x04u /* u32 tag (!=0), u32 count -> ACK(count)
                                      the batch buffer now holds `count`
                                      samples; any WRITE clears the tag     */
#define NEURIO_LINK_T_RUN 0x05u    /* u32 slot, u32 tag, u32 flags -> RESULT */
#define NEURIO_LINK_T_READ 0x06u   /* u32 offset, u32 len -> DATA           */
#define NEURIO_LINK_T_RESET 0x07u  /* empty -> ACK(0), then platform_reset() */
/* device -> host responses */
#define NEURIO_LINK_T_HELLO 0x81u  /* see HELLO layout                      */
#define NEURIO_LINK_T_ACK 0x82u    /* u32 value                             */
#define NEURIO_LINK_T_NAK 0x83u    /* u8 code, u8 rx_type, u16 0, u32 detail */
#define NEURIO_LINK_T_RESULT 0x84u /* see RESULT layout                     */
#define NEURIO_LINK_T_DATA 0x85u   /* u32 offset, bytes                     */

/* RUN flags */
#define NEURIO_LINK_RUN_LAYERS 0x1u /* report per-layer counts if possible  */
#define NEURIO_LINK_RUN_NO_OUTPUTS 0x2u /* leave outputs out of the RESULT (the
                                           host READs them in small chunks on
                                           a noisy line)                    */
#define NEURIO_LINK_RUN_CAPTURE 0x4u /* debug build (hello flag HF_CAPTURE):
                                        the RUN payload has two more words,
                                        u32 layer, u32 cap_off: layer's first
                                        output is copied, right after the
                                        layer ran, into the batch buffer at
                                        cap_off; RESULT.captured says how
                                        many bytes (the host READs them).  A
                                        capture area outside the buffer or
                                        over the slot's own input/output
                                        regions is refused after the run:
                                        NAK RANGE, detail = bytes needed.
                                        A third word, u32 out_idx (hello
                                        flag HF_CAPTURE_OUT), picks which
                                        output of the layer (0 = first; a
                                        20-byte payload means 0); for an
                                        out_idx the layer lacks nothing is
                                        captured (RESULT.captured 0)       */
#define NEURIO_LINK_RUN_FIXED 12u    /* slot, tag, flags                   */
#define NEURIO_LINK_RUN_CAPTURE_LEN 20u /* + layer, cap_off                 */
#define NEURIO_LINK_RUN_CAPTURE_OUT_LEN 24u /* + out_idx                    */

/* NAK codes */
#define NEURIO_LINK_NAK_CRC 1u       /* frame CRC mismatch: resend; with seq 0
                                        the header was damaged (seq unknown):
                                        resend the oldest unanswered request */
#define NEURIO_LINK_NAK_TOO_LONG 2u  /* len > device max payload; detail=max */
#define NEURIO_LINK_NAK_TYPE 3u      /* unknown request type                */
#define NEURIO_LINK_NAK_LEN 4u       /* payload too short for the type      */
#define NEURIO_LINK_NAK_RANGE 5u     /* offset/len/slot outside the buffer;
                                        detail = buffer bytes or max_batch  */
#define NEURIO_LINK_NAK_NOT_READY 6u /* RUN tag != committed tag: the batch
                                        is not (or no longer) on the device */
#define NEURIO_LINK_NAK_RUN 7u       /* the model's run() failed; detail=rc */

/* ---- HELLO payload ----------------------------------------------------- */
/* Fixed part (NEURIO_LINK_HELLO_FIXED bytes):
 *   0  u16 proto_version        NEURIO_LINK_PROTO_VERSION
 *   2  u16 flags                NEURIO_LINK_HF_*
 *   4  u32 clock_hz             core clock, 0 unknown
 *   8  u32 max_payload          largest payload the device accepts
 *  12  u32 arena_bytes          model activation arena
 *  16  u32 batch_bytes          RAM for batches (the batch buffer)
 *  20  u32 max_batch            samples the batch buffer holds
 *  24  u32 n_layers             model layers (for per-layer counts)
 *  28  u32 stack_bytes          stack region size, 0 unknown
 *  32  u32 weights_bytes        model constant data
 *  36  u8  n_inputs, u8 n_outputs, u8 cycle_len, u8 build_len
 *  40  char sha256[64]          lower-case hex SHA-256 of the prepared model
 * Then (n_inputs + n_outputs) tensor records of NEURIO_LINK_HELLO_TENSOR
 * bytes, inputs first:
 *   0  u32 offset               region start in the batch buffer
 *   4  u32 bytes                bytes per sample (= stride between samples)
 *   8  u8  dtype                NEURIO_DESC_DT_* (= neurio_dtype numbering)
 *   9  u8  pad[3]
 * Then cycle_len bytes of the cycle-count method ("dwt", "icount
 * (instructions, 40/tick)", "clock_gettime (ns)"), then build_len bytes of
 * the firmware build id.  Strings are not NUL-terminated on the wire. */
#define NEURIO_LINK_HELLO_FIXED 104u
#define NEURIO_LINK_HELLO_TENSOR 12u
#define NEURIO_LINK_MAX_TENSORS 16u
#define NEURIO_LINK_MAX_STR 63u
#define NEURIO_LINK_HF_CYCLES 0x1u  /* RESULT.cycles is meaningful         */
#define NEURIO_LINK_HF_STACK 0x2u   /* RESULT.stack_bytes is measured      */
#define NEURIO_LINK_HF_LAYERS 0x4u  /* per-layer counts available          */
#define NEURIO_LINK_HF_CAPTURE 0x10u /* debug build: RUN_CAPTURE available  */
#define NEURIO_LINK_HF_CAPTURE_OUT 0x20u /* RUN_CAPTURE takes out_idx: any
                                            output of a layer, not only
                                            its first                       */
#define NEURIO_LINK_HF_WINDOW 0x8u  /* the device's input is flow-controlled
                                       (no byte is lost while it computes or
                                       transmits): the host may keep several
                                       requests in flight (sliding window) */

/* ---- RESULT payload ---------------------------------------------------- */
/*   0  u32 slot                 sample index inside the batch
 *   4  u32 tag                  the RUN's tag
 *   8  u64 cycles               platform_cycles() delta for the inference
 *  16  u32 stack_bytes          stack high-water mark, 0 = not measured
 *  20  u32 n_layers             per-layer counts that follow (0 or n_layers)
 *  24  u32 out_bytes            output bytes that follow (0 = read them with
 *                               READ; else sum of all outputs' bytes)
 *  28  u32 captured             bytes of the RUN_CAPTURE layer output now
 *                               at cap_off (0 = no capture requested, or a
 *                               firmware built without capture)
 *  32  u64 layer[n_layers]      count of layer i (hook i .. hook i+1)
 *  ..  outputs, concatenated in order, out_bytes in total */
#define NEURIO_LINK_RESULT_FIXED 32u

/* Batch buffer layout (both sides compute nothing: the device announces it
 * in HELLO).  Input/output tensor k owns the region [offset_k, offset_k +
 * max_batch * bytes_k); sample i of tensor k is at offset_k + i * bytes_k.
 * The host WRITEs inputs, COMMITs, RUNs each slot and gets outputs in the
 * RESULT (or READs them from the output regions). */

/* ---- USB HID carriage (transport_hid.c, firmware/runtime/nrt_hid.c) ---- */
/* The byte stream of frames is cut into fixed-size HID reports with report
 * id NEURIO_HID_REPORT_ID.  Report body (NEURIO_HID_REPORT_BYTES):
 *   0  u8 rseq      report counter per direction, +1 per report (mod 256)
 *   1  u8 info      bits 0-5: data bytes n (1..62); bit 7: SYNC (first
 *                   report after the sender started: receiver restarts
 *                   its counter here)
 *   2  data[n], rest zero
 * The receiver delivers data in rseq order: it holds up to
 * NEURIO_HID_REORDER reports that arrive early, skips a missing report when
 * that window is full (or, on the host, on a read timeout), drops reports
 * it already delivered, and resynchronises after NEURIO_HID_RESYNC
 * consecutive reports from "the past" (a sender that restarted without its
 * SYNC report arriving).  Lost data is the link protocol's business (CRC,
 * retransmission). */
#define NEURIO_HID_REPORT_ID 0x01u
#define NEURIO_HID_REPORT_BYTES 64u
#define NEURIO_HID_DATA_BYTES 62u
#define NEURIO_HID_SYNC 0x80u
#define NEURIO_HID_LEN_MASK 0x3Fu
#define NEURIO_HID_REORDER 4u
#define NEURIO_HID_RESYNC 3u

#ifdef __cplusplus
}
#endif
#endif /* NEURIO_LINK_H */
