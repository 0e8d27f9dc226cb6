/* tests/fuzz/fuzz_link_device.c — libFuzzer target over the DEVICE end of
 * the link (firmware/runtime, issue 19): the real nrt_serve() runs the
 * fixture model of the link tests with the fuzz input as everything the
 * host sends; what it answers is discarded.  platform.h is implemented
 * here in memory: the input ends in PLATFORM_UART_CLOSED (nrt_serve
 * returns), a reset request restarts nothing (the input is over). */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fixture_model.h"
#include "nrt.h"
#include "platform.h"

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
