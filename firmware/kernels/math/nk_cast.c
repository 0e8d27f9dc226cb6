/* firmware/kernels/math/nk_cast.c — CAST between the NK_DT_* element types
 * with C++ static_cast semantics where those are defined: integers wrap
 * modulo the target width, integer -> float rounds to nearest, anything ->
 * bool is != 0.  Where static_cast is undefined (float outside the target
 * range, NaN) neurio saturates and maps NaN to 0, as Cortex-M's VCVT does. */
#include "nk.h"

static int elem_size(int32_t t)
{
    switch (t) {
    case NK_DT_BOOL: case NK_DT_S8: case NK_DT_U8: return 1;
    case NK_DT_S16: case NK_DT_U16: return 2;
    case NK_DT_S32: case NK_DT_U32: case NK_DT_F32: return 4;
    case NK_DT_S64: case NK_DT_U64: return 8;
    default: return 0;
    }
}

static int is_signed(int32_t t)
{
    return t == NK_DT_S8 || t == NK_DT_S16 || t == NK_DT_S32 || t == NK_DT_S64;
}

/* Integer source element i as a 64-bit pattern (sign-extended if signed). */
static uint64_t read_int(int32_t t, const void *in, int32_t i)
{
    switch (t) {
    case NK_DT_BOOL: return ((const uint8_t *)in)[i] != 0;
    case NK_DT_S8: return (uint64_t)(int64_t)((const int8_t *)in)[i];
    case NK_DT_U8: return ((const uint8_t *)in)[i];
    case NK_DT_S16: return (uint64_t)(int64_t)((const int16_t *)in)[i];
    case NK_DT_U16: return ((const uint16_t *)in)[i];
    case NK_DT_S32: return (uint64_t)(int64_t)((const int32_t *)in)[i];
    case NK_DT_U32: return ((const uint32_t *)in)[i];
    case NK_DT_S64: return (uint64_t)((const int64_t *)in)[i];
    default: return ((const uint64_t *)in)[i];
    }
}

/* Float -> integer type t: truncate toward zero, saturate, NaN -> 0. */
static uint64_t float_to_int(int32_t t, float v)
{
    static const double lo[] = {0, -128.0, 0, -32768.0, 0, -2147483648.0, 0,
                                -9223372036854775808.0, 0};
    static const double hi[] = {1, 127.0, 255.0, 32767.0, 65535.0, 2147483647.0, 4294967295.0,
                                9223372036854775807.0, 18446744073709551615.0};
    if (!(v == v))
        return 0;
    double d = (double)v;
    if (d <= lo[t])
        d = lo[t];
    if (d >= hi[t])
        return t == NK_DT_S64 ? (uint64_t)INT64_MAX : t == NK_DT_U64 ? UINT64_MAX
                                                                   : (uint64_t)(int64_t)hi[t];
    return is_signed(t) ? (uint64_t)(int64_t)d : (uint64_t)d;
}

static void write_int(int32_t t, void *out, int32_t i, uint64_t v)
{
    switch (t) {
    case NK_DT_BOOL: ((uint8_t *)out)[i] = v != 0; break;
    case NK_DT_S8: case NK_DT_U8: ((uint8_t *)out)[i] = (uint8_t)v; break;
    case NK_DT_S16: case NK_DT_U16: ((uint16_t *)out)[i] = (uint16_t)v; break;
    case NK_DT_S32: case NK_DT_U32: ((uint32_t *)out)[i] = (uint32_t)v; break;
    default: ((uint64_t *)out)[i] = v; break;
    }
}

int nk_cast(const nk_cast_params *p, const void *input, void *output)
{
    if (!p || p->size < 0 || !input || !output || !elem_size(p->from) || !elem_size(p->to))
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < p->size; ++i) {
        if (p->from == NK_DT_F32) {
            const float v = ((const float *)input)[i];
            if (p->to == NK_DT_F32)
                ((float *)output)[i] = v;
            else if (p->to == NK_DT_BOOL)
                ((uint8_t *)output)[i] = v != 0.0f;
            else
                write_int(p->to, output, i, float_to_int(p->to, v));
            continue;
        }
        const uint64_t u = read_int(p->from, input, i);
        if (p->to == NK_DT_F32)
            ((float *)output)[i] = is_signed(p->from) ? (float)(int64_t)u : (float)u;
        else
            write_int(p->to, output, i, u);
    }
    return NK_OK;
}
