/* firmware/runtime/nrt_rtt.c — the RTT memory channel (see nrt_rtt.h). */
#include "nrt_rtt.h"

nrt_rtt_cb _SEGGER_RTT;

static const char nrt_rtt_up_name[] = "neurio-up";
static const char nrt_rtt_down_name[] = "neurio-down";

#if defined(__GNUC__)
#define NRT_NOINLINE __attribute__((noinline, used))
#define NRT_BARRIER() __asm__ volatile("" ::: "memory")
#else
#define NRT_NOINLINE
#define NRT_BARRIER() ((void)0)
#endif

NRT_NOINLINE void nrt_rtt_halt(void)
{
    NRT_BARRIER();
}

void nrt_rtt_wait(uint32_t why)
{
    _SEGGER_RTT.wait = why;
    NRT_BARRIER();
    nrt_rtt_halt();
    NRT_BARRIER();
    _SEGGER_RTT.wait = 0;
}

uint32_t nrt_rtt_init(uint8_t *mem, uint32_t bytes)
{
    nrt_rtt_cb *cb = &_SEGGER_RTT;
    uint32_t up = (bytes / 4u) & ~7u, down;
    if (up > NRT_RTT_UP_MAX)
        up = NRT_RTT_UP_MAX;
    down = (bytes - up) & ~7u;
    if (down > NRT_RTT_DOWN_MAX)
        down = NRT_RTT_DOWN_MAX;
    int ok = mem && up >= NRT_RTT_MIN_RING && down >= NRT_RTT_MIN_RING;
    cb->max_up = ok;
    cb->max_down = ok;
    cb->up[0].name = nrt_rtt_up_name;
    cb->up[0].buf = ok ? mem : 0;
    cb->up[0].size = ok ? up : 0;
    cb->up[0].wr_off = cb->up[0].rd_off = 0;
    cb->up[0].flags = 0;
    cb->down[0].name = nrt_rtt_down_name;
    cb->down[0].buf = ok ? mem + up : 0;
    cb->down[0].size = ok ? down : 0;
    cb->down[0].wr_off = cb->down[0].rd_off = 0;
    cb->down[0].flags = 0;
    cb->wait = 0;
    cb->clock_addr = cb->clock_scale = cb->clock_per_ms = 0;
    /* The ID last, written from pieces so that no copy of the whole string
     * sits in flash for a memory scan to find first. */
    static const char tail[] = " RTT";
    const char *head = "SEGGER";
    for (uint32_t i = 0; i < 16u; i++)
        cb->id[i] = 0;
    for (uint32_t i = 0; i < 4u; i++)
        cb->id[6 + i] = tail[i];
    NRT_BARRIER();
    for (uint32_t i = 0; i < 6u; i++)
        cb->id[i] = head[i];
    NRT_BARRIER();
    if (!ok) {
        nrt_rtt_wait(NRT_RTT_WAIT_NO_RINGS);
        return 0;
    }
    return up + down;
}

void nrt_rtt_set_clock(uint32_t addr, uint32_t per_tick, int down, uint32_t per_ms)
{
    _SEGGER_RTT.clock_scale = (per_tick & ~NRT_RTT_CLOCK_DOWN) | (down ? NRT_RTT_CLOCK_DOWN : 0u);
    _SEGGER_RTT.clock_per_ms = per_ms;
    _SEGGER_RTT.clock_addr = addr;
}

int nrt_rtt_getc(void)
{
    nrt_rtt_ring *r = &_SEGGER_RTT.down[0];
    uint32_t rd = r->rd_off;
    if (r->size == 0 || rd == r->wr_off)
        return -1;
    NRT_BARRIER();
    int c = r->buf[rd];
    rd++;
    r->rd_off = rd == r->size ? 0u : rd;
    return c;
}

uint32_t nrt_rtt_read(uint8_t *buf, uint32_t max)
{
    nrt_rtt_ring *r = &_SEGGER_RTT.down[0];
    uint32_t rd = r->rd_off, wr = r->wr_off, size = r->size, done = 0;
    if (size == 0 || rd >= size || wr >= size)
        return 0;
    NRT_BARRIER();
    while (done < max && rd != wr) {
        /* Contiguous bytes from rd: up to wr, or to the end of the ring. */
        uint32_t n = wr > rd ? wr - rd : size - rd;
        if (n > max - done)
            n = max - done;
        const uint8_t *src = r->buf + rd;
        for (uint32_t i = 0; i < n; i++)
            buf[done + i] = src[i];
        done += n;
        rd += n;
        if (rd == size)
            rd = 0;
    }
    NRT_BARRIER();
    r->rd_off = rd;
    return done;
}

uint32_t nrt_rtt_put(const uint8_t *buf, uint32_t n)
{
    nrt_rtt_ring *r = &_SEGGER_RTT.up[0];
    uint32_t wr = r->wr_off, rd = r->rd_off, size = r->size, done = 0;
    if (size == 0)
        return 0;
    while (done < n) {
        /* Contiguous free bytes from wr, keeping one slot empty. */
        uint32_t room = rd > wr ? rd - wr - 1u : size - wr - (rd == 0 ? 1u : 0u);
        if (room == 0)
            break;
        if (room > n - done)
            room = n - done;
        for (uint32_t i = 0; i < room; i++)
            r->buf[wr + i] = buf[done + i];
        done += room;
        wr += room;
        if (wr == size)
            wr = 0;
    }
    NRT_BARRIER();
    r->wr_off = wr;
    return done;
}
