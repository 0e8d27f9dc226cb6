/* tests/fuzz/fuzz_link_device.c — libFuzzer target over the DEVICE end of
 * the link (firmware/runtime, issue 19): the real nrt_serve() runs the
 * fixture model of the link tests with the fuzz input as everything the
 * host sends; what it answers is discarded.  platform.h is implemented
 * here in memory: the input ends in PLATFORM_UART_CLOSED (nrt_serve
 * returns), a reset request restarts nothing (the input is over).
 * The frame reader is compiled into this file with NRT_UART_READ=1 (the
 * RTT channel's bulk path: the archive's copy, without it, is then not
 * linked), and platform_uart_read() hands over 0..max bytes, a count
 * drawn from the input itself, so both the bulk path and the byte path
 * (when it returns 0) run on the same bytes. */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define NRT_UART_READ 1
#include "fixture_model.h"
#include "nrt.h"
#include "platform.h"

#include "nrt_frame.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *fz_in;
static size_t fz_len, fz_pos;
static _Alignas(8) uint8_t fz_batch[16 * 1024];
static jmp_buf fz_out;

void platform_init(void)
{
}

uint64_t platform_cycles(void)
{
    return fz_pos * 7u;
}

const char *platform_cycle_method(void)
{
    return "fuzz";
}

uint32_t platform_clock_hz(void)
{
    return 1000000u;
}

void platform_uart_putc(uint8_t c)
{
    (void)c;
}

void platform_uart_write(const uint8_t *buf, uint32_t n)
{
    (void)buf;
    (void)n;
}

int platform_uart_getc(uint32_t timeout_ms)
{
    (void)timeout_ms;
    if (fz_pos >= fz_len)
        return PLATFORM_UART_CLOSED;
    return fz_in[fz_pos++];
}

/* How many of the bytes asked for arrive at once: 0 (the runtime then
 * waits byte by byte), all of them, or a part, from a cheap hash of the
 * position, so the same input always splits the same way. */
uint32_t platform_uart_read(uint8_t *buf, uint32_t max)
{
    size_t left = fz_len - fz_pos;
    uint32_t k = (uint32_t)(fz_pos * 2654435761u) >> 29; /* 0..7 */
    uint32_t n = k == 0 ? 0 : k >= 4 ? max : max / k;
    if (n > left)
        n = (uint32_t)left;
    memcpy(buf, fz_in + fz_pos, n);
    fz_pos += n;
    return n;
}

void platform_reset(void)
{
    longjmp(fz_out, 1);
}

uint8_t *platform_batch_memory(uint32_t *bytes)
{
    *bytes = sizeof fz_batch;
    return fz_batch;
}

int platform_stack_bounds(uintptr_t *lo, uintptr_t *hi)
{
    (void)lo;
    (void)hi;
    return 0; /* unknown: no stack painting */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in = data;
    fz_len = size;
    fz_pos = 0;
    const neurio_model_desc *m = fixture_model(size && (data[0] & 1) ? "wide" : "small");
    if (!setjmp(fz_out))
        (void)nrt_serve(m, NULL);
    return 0;
}
