/* sdk/src/ir/requant_wide.c — the requantization constants of the int16
 * activation ops and LEAKY_RELU, derived as TFLite Micro's Prepare functions
 * derive them (see neurio/requant.h). */
#include <math.h>
#include <stdio.h>

#include "neurio/requant.h"
#include "requant_internal.h"

static int32_t wide_quantize(float f, float scale, int32_t zp, int32_t qmin, int32_t qmax)
{
    const float t = roundf(f / scale);
    const int64_t v = (int64_t)zp + (t > 4294967296.0f ? 4294967296LL
                                     : t < -4294967296.0f ? -4294967296LL : (int64_t)t);
    return (int32_t)(v < qmin ? qmin : (v > qmax ? qmax : v));
}

int neurio_act_range_q(neurio_activation act, float out_scale, int32_t out_zp, int32_t qmin,
                       int32_t qmax, int32_t *act_min, int32_t *act_max, neurio_errbuf *err)
{
    int rc = nrq_check_scale("output scale", out_scale, err);
    if (rc != NEURIO_OK)
        return rc;
    *act_min = qmin;
    *act_max = qmax;
    switch (act) {
    case NEURIO_ACT_NONE:
        return NEURIO_OK;
    case NEURIO_ACT_RELU:
        *act_min = wide_quantize(0.0f, out_scale, out_zp, qmin, qmax);
        return NEURIO_OK;
    case NEURIO_ACT_RELU6:
        *act_min = wide_quantize(0.0f, out_scale, out_zp, qmin, qmax);
        *act_max = wide_quantize(6.0f, out_scale, out_zp, qmin, qmax);
        return NEURIO_OK;
    case NEURIO_ACT_RELU_N1_TO_1:
        *act_min = wide_quantize(-1.0f, out_scale, out_zp, qmin, qmax);
        *act_max = wide_quantize(1.0f, out_scale, out_zp, qmin, qmax);
        return NEURIO_OK;
    }
    return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                       "fused activation %d is not supported (NONE, RELU, RELU6, RELU_N1_TO_1)",
                       (int)act);
}

int neurio_add_params_s16(float in1_scale, float in2_scale, float out_scale, int is_sub,
                          neurio_add_quant *q, neurio_errbuf *err)
{
    const char *op = is_sub ? "SUB" : "ADD";
    char what[40];
    int rc = NEURIO_OK;
    const float sc[3] = {in1_scale, in2_scale, out_scale};
    static const char *const role[3] = {"input 1", "input 2", "output"};
    for (int k = 0; k < 3 && rc == NEURIO_OK; k++) {
        snprintf(what, sizeof what, "%s %s scale", op, role[k]);
        rc = nrq_check_scale(what, sc[k], err);
    }
    if (rc != NEURIO_OK)
        return rc;
    q->left_shift = 15;
    double r1, r2, ro;
    if (is_sub) { /* TFLM sub_common.cc: float arithmetic, then widened */
        const float twice = 2.0f * (in1_scale > in2_scale ? in1_scale : in2_scale);
        r1 = (double)(in1_scale / twice);
        r2 = (double)(in2_scale / twice);
        ro = (double)(twice / ((float)(1 << q->left_shift) * out_scale));
    } else {      /* TFLM add_common.cc: double arithmetic */
        const double twice = 2.0 * (double)(in1_scale > in2_scale ? in1_scale : in2_scale);
        r1 = (double)in1_scale / twice;
        r2 = (double)in2_scale / twice;
        ro = twice / ((double)(1 << q->left_shift) * (double)out_scale);
    }
    if (ro >= 1.0)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "%s output multiplier %g >= 1 (output scale %g is more than 2^-14 "
                           "times smaller than the inputs'); TFLite refuses this too", op, ro,
                           (double)out_scale);
    neurio_quantize_multiplier(r1, &q->in1_mult, &q->in1_shift);
    neurio_quantize_multiplier(r2, &q->in2_mult, &q->in2_shift);
    neurio_quantize_multiplier(ro, &q->out_mult, &q->out_shift);
    return NEURIO_OK;
}

int neurio_leaky_relu_params(float in_scale, float out_scale, float alpha, int32_t *mult_id,
                             int32_t *shift_id, int32_t *mult_alpha, int32_t *shift_alpha,
                             neurio_errbuf *err)
{
    int rc = nrq_check_scale("LEAKY_RELU input scale", in_scale, err);
    if (rc == NEURIO_OK)
        rc = nrq_check_scale("LEAKY_RELU output scale", out_scale, err);
    if (rc != NEURIO_OK)
        return rc;
    if (!(alpha >= 0.0f) || !isfinite(alpha))
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "LEAKY_RELU alpha %g: quantized kernels take a finite alpha >= 0",
                           (double)alpha);
    neurio_quantize_multiplier((double)(in_scale * alpha / out_scale), mult_alpha, shift_alpha);
    neurio_quantize_multiplier((double)(in_scale / out_scale), mult_id, shift_id);
    return NEURIO_OK;
}

int neurio_requant_params(float in_scale, float out_scale, int32_t *mult, int32_t *shift,
                          neurio_errbuf *err)
{
    int rc = nrq_check_scale("QUANTIZE input scale", in_scale, err);
    if (rc == NEURIO_OK)
        rc = nrq_check_scale("QUANTIZE output scale", out_scale, err);
    if (rc != NEURIO_OK)
        return rc;
    neurio_quantize_multiplier((double)in_scale / (double)out_scale, mult, shift);
    if (*shift > 31)
        return neurio_fail(err, NEURIO_ERR_UNSUPPORTED,
                           "QUANTIZE scale ratio %g needs a left shift of %d (> 31)",
                           (double)in_scale / (double)out_scale, *shift);
    return NEURIO_OK;
}
