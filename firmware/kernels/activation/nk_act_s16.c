/* firmware/kernels/activation/nk_act_s16.c — LOGISTIC, TANH and SOFTMAX on
 * int16 activations, as TFLite Micro's reference kernels compute them.
 *
 * LOGISTIC / TANH (zero points 0, output scale 2^-15): the input is
 * rescaled to 1/(3*4096) per step (in_mult / in_left_shift; in_mult == 0
 * means the power-of-two case, multiplier 3 << in_left_shift), then
 * sigmoid is interpolated linearly in a 256-entry 0.16 table over
 * [0, 10.67) (tanh(x) = 2 sigmoid(2x) - 1 reads the same table with one bit
 * less of fraction); the sign is folded back by symmetry.
 *
 * SOFTMAX int16 -> int16 (output scale 2^-15, zero point 0): x - max is
 * scaled so [-65535, 0] covers [-10, 0] (input_multiplier /
 * input_left_shift), exp read from a 513-entry table (exp_lut), the sum's
 * reciprocal from a second table of 1/(1+x) on [0, 1] (recip_lut); both
 * tables are computed on the host by the lowering (TFLite's gen_lut, in
 * float) and passed in the parameters.  In-place allowed. */
#include "nk.h"
#include "nk_fixedpoint.h"

/* sigmoid(i / 24) in unsigned 0.16, i = 0..255: the table TFLite's int16
 * LOGISTIC and TANH interpolate (its values, which are within 1 of
 * 65536 sigmoid(i / 24) by at most 1.11; bit-exactness needs these exact entries).
 * tests/kernels/test_nk_act_s16.c checks the distance to the formula. */
static const uint16_t nk_sigmoid_q16[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149,
    40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369,
    47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169,
    53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
    60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302,
    62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536,
    63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786,
    64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
    65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258,
    65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433,
    65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474,
    65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
    65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522,
    65523, 65523, 65524, 65524, 65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528,
    65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531,
    65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
    65534, 65534, 65534, 65535,
};

const uint16_t *nk_sigmoid_table_q16(void)
{
    return nk_sigmoid_q16;
}

/* The rescaled input (TFLite: (x * mult + round) >> shift). */
static int s16_rescale_ok(const nk_sigmoid_params *p, int32_t max_pot_shift)
{
    if (p->in_mult == 0)
        return p->in_left_shift >= 0 && p->in_left_shift <= max_pot_shift;
    return p->in_mult > 0 && p->in_mult <= 32767 && p->in_left_shift >= 0 &&
           p->in_left_shift <= 31;
}

static void s16_rescale(const nk_sigmoid_params *p, int32_t *mult, int32_t *shift, int32_t *round)
{
    *mult = p->in_mult;
    *shift = p->in_left_shift;
    if (*mult == 0) { /* power-of-two input scale */
        *mult = 3 << *shift;
        *shift = 0;
    }
    *round = *shift > 0 ? (int32_t)1 << (*shift - 1) : 0;
}

int nk_logistic_s16(const nk_sigmoid_params *p, const int16_t *input, int16_t *output)
{
    if (!p || p->size < 0 || (p->size > 0 && (!input || !output)) || !s16_rescale_ok(p, 0))
        return NK_ERR_PARAMS;
    int32_t mult, shift, round;
    s16_rescale(p, &mult, &shift, &round);
    for (int32_t i = 0; i < p->size; ++i) {
        const int32_t v = (input[i] * mult + round) >> shift;
        const uint32_t a = (uint32_t)(v < 0 ? -v : v);
        const uint32_t uh = a >> 9;
        uint32_t r;
        if (uh >= 255) {
            r = 0x7FFFu << 10;
        } else {
            const uint32_t ua = nk_sigmoid_q16[uh], ub = nk_sigmoid_q16[uh + 1];
            r = (ua << 9) + (a & 0x1FFu) * (ub - ua);
        }
        r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
        output[i] = (int16_t)(r >> 10);
    }
    return NK_OK;
}

int nk_tanh_s16(const nk_sigmoid_params *p, const int16_t *input, int16_t *output)
{
    if (!p || p->size < 0 || (p->size > 0 && (!input || !output)) || !s16_rescale_ok(p, 1))
        return NK_ERR_PARAMS;
    int32_t mult, shift, round;
    s16_rescale(p, &mult, &shift, &round);
    for (int32_t i = 0; i < p->size; ++i) {
        const int32_t v = (input[i] * mult + round) >> shift;
        const uint32_t a = (uint32_t)(v < 0 ? -v : v);
        const uint32_t uh = a >> 8;
        int32_t r;
        if (uh >= 255) {
            r = 0xFFFF << 8;
        } else {
            const uint32_t ua = nk_sigmoid_q16[uh], ub = nk_sigmoid_q16[uh + 1];
            r = (int32_t)((ua << 8) + (a & 0xFFu) * (ub - ua));
        }
        r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
        output[i] = (int16_t)(r >> 8);
    }
    return NK_OK;
}

/* TFLite's LUTLookup for int16: 512 segments of 128 input steps. */
static int32_t s16_lut(int32_t v, const int32_t *lut)
{
    const int32_t idx = 256 + (v >> 7);
    const int32_t off = v & 0x7F;
    const int32_t slope = (int16_t)(lut[idx + 1] - lut[idx]);
    return (int16_t)(lut[idx] + ((slope * off + 64) >> 7));
}

static int32_t s16_clamp16(int32_t v)
{
    return nk_clamp(v, -32768, 32767);
}

int nk_softmax_s16(const nk_softmax_params *p, const int16_t *input, int16_t *output)
{
    if (!p || p->rows < 0 || p->depth < 1 || p->depth > 65536 || !p->exp_lut ||
        !p->recip_lut || p->input_left_shift > 31 || p->input_left_shift < -31 ||
        (p->rows > 0 && (!input || !output)))
        return NK_ERR_PARAMS;
    for (int32_t r = 0; r < p->rows; ++r) {
        const int16_t *x = input + (size_t)r * p->depth;
        int16_t *y = output + (size_t)r * p->depth;
        int32_t max = -32768;
        for (int32_t c = 0; c < p->depth; ++c)
            max = x[c] > max ? x[c] : max;
        int32_t sum = 0; /* Q16.15, at most 65536 * 32767 */
        for (int32_t c = 0; c < p->depth; ++c) {
            const int32_t d = nk_mbqm(x[c] - max, p->input_multiplier, p->input_left_shift);
            const int32_t e = s16_lut(s16_clamp16(d + 32767), p->exp_lut);
            y[c] = (int16_t)e;
            sum += e;
        }
        if (sum <= 0) { /* only with a table that is not exp's */
            for (int32_t c = 0; c < p->depth; ++c)
                y[c] = 0;
            continue;
        }
        const int clz = nk_clz32((uint32_t)sum);
        const int32_t shifted =
            (int32_t)((((int64_t)sum << (clz - 1)) + (1 << 13)) >> 14);
        const int32_t recip =
            s16_lut(s16_clamp16(shifted - ((1 << 15) + (1 << 16))), p->recip_lut);
        const int rs = 31 - clz;
        const int64_t rnd = rs > 0 ? (int64_t)1 << (rs - 1) : 0;
        for (int32_t c = 0; c < p->depth; ++c) {
            const int32_t v = (int32_t)(((int64_t)y[c] * recip + rnd) >> rs);
            y[c] = (int16_t)nk_clamp(v, 0, 32767);
        }
    }
    return NK_OK;
}
