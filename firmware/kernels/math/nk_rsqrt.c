/* firmware/kernels/math/nk_rsqrt.c — RSQRT on int8 (TFLM elementwise.cc
 * RsqrtEvalQuantized): 1/sqrt(q - zp) as a fixed-point multiplier applied
 * to 1 << 20, rescaled by mult/shift - 20, plus the output zero point;
 * q == zp gives 127.  Negative inputs (q < zp) are refused before anything
 * is written, as TFLM refuses them. */
#include "nk.h"
#include "nk_fixedpoint.h"
#include "nk_fixedpoint_math.h"

int nk_rsqrt_s8(const nk_requant_params *p, const int8_t *input, int8_t *output)
{
    enum { SHIFT = 20 };
    if (!p || p->size < 0 || !input || !output || p->shift - SHIFT < -31 || p->shift > 30)
        return NK_ERR_PARAMS;
    for (int32_t i = 0; i < p->size; ++i)
        if ((int32_t)input[i] < p->in_zp)
            return NK_ERR_PARAMS;
    for (int32_t i = 0; i < p->size; ++i) {
        const int32_t v = (int32_t)input[i] - p->in_zp;
        if (v == 0) {
            output[i] = 127;
            continue;
        }
        int32_t m, s;
        nk_inv_sqrt_multiplier(v, &m, &s);
        const int32_t data = nk_mbqm(1, m, s + SHIFT);
        const int32_t o = nk_mbqm(data, p->mult, p->shift - SHIFT) + p->out_zp;
        output[i] = (int8_t)nk_clamp(o, -128, 127);
    }
    return NK_OK;
}
