/* firmware/runtime/nrt_stack.c — stack high-water mark by painting: before
 * an inference every word of the unused stack (below the caller's frame,
 * with a safety margin) is set to a pattern; afterwards the lowest word that
 * no longer holds it gives the deepest stack use. */
#include "nrt.h"
#include "platform.h"

#define NRT_STACK_PATTERN 0xC5A5C5A5u
#define NRT_STACK_MARGIN 256u /* bytes below the painter's frame left alone */

/* Painting writes below the current stack pointer on purpose; keep address
 * sanitizers of a host build out of it. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NRT_NO_ASAN __attribute__((no_sanitize_address))
#endif
#endif
#if !defined(NRT_NO_ASAN) && defined(__SANITIZE_ADDRESS__)
#define NRT_NO_ASAN __attribute__((no_sanitize_address))
#endif
#ifndef NRT_NO_ASAN
#define NRT_NO_ASAN
#endif

static uintptr_t nrt_stack_lo, nrt_stack_hi;
static int nrt_stack_ok;

NRT_NO_ASAN void nrt_stack_paint(void)
{
    volatile uint32_t marker = 0;
    uintptr_t lo = 0, hi = 0;
    uintptr_t sp = (uintptr_t)&marker;
    nrt_stack_ok = 0;
    if (!platform_stack_bounds(&lo, &hi) || lo >= hi || sp <= lo || sp > hi)
        return;
    if (sp - lo <= NRT_STACK_MARGIN)
        return;
    lo = (lo + 3u) & ~(uintptr_t)3u;
    uintptr_t end = (sp - NRT_STACK_MARGIN) & ~(uintptr_t)3u;
    for (volatile uint32_t *p = (volatile uint32_t *)lo; (uintptr_t)p < end; p++)
        *p = NRT_STACK_PATTERN;
    nrt_stack_lo = lo;
    nrt_stack_hi = hi;
    nrt_stack_ok = 1;
    (void)marker;
}

NRT_NO_ASAN uint32_t nrt_stack_high_water(void)
{
    if (!nrt_stack_ok)
        return 0;
    const volatile uint32_t *p = (const volatile uint32_t *)nrt_stack_lo;
    while ((uintptr_t)p < nrt_stack_hi && *p == NRT_STACK_PATTERN)
        p++;
    return (uint32_t)(nrt_stack_hi - (uintptr_t)p);
}
