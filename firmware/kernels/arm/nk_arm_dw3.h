/* firmware/kernels/arm/nk_arm_dw3.h — the 3x3 depthwise plane sweeps
 * (internal to nk_arm_depthwise_conv2d.c): the sweep block and, on
 * Thumb-2, the hand-scheduled sweeps of nk_arm_dw3_sweep.c.  Each reads
 * entry rows of the zero-point padded int16 planes (see
 * nk_arm_depthwise_conv2d.c), the filter and bias doubled and the
 * nk_arm_requant_x2 constants from the block, and writes int8 outputs for
 * the activation range [-128, 127]. */
#ifndef NEURIO_NK_ARM_DW3_H
#define NEURIO_NK_ARM_DW3_H

#include <stddef.h>
#include <stdint.h>

/* One sweep: constants first, in the order the assembly loads them (it
 * addresses them from &mult: filter rows b, c below, row a and the bias
 * just below, so one LDMDB loads row a and the bias and one LDM the
 * requantization constants with c_n). */
typedef struct dw3_sweep {
    uint32_t f01b, f12b, f01c, f12c; /* offsets 0..12 */
    uint32_t f01a, f12a;             /* offsets 16, 20 */
    int32_t bias;                    /* offset 24 */
    int32_t mult, hi0, sh;    /* offset 28: nk_arm_requant_x2 mult, c0, e (fast sweeps) */
    int32_t c_n;              /* offset 40: channels (bytes from one output column to the next) */
    const uint32_t *q;        /* offset 44: entry (j, 0) */
    int8_t *o;                /* offset 48: output of row 0, column 2j */
    int32_t n, ostride;       /* offsets 52, 56: rows, bytes per output row */
    int32_t qstep;            /* offset 60: bytes from one output row's entry to the next */
    const uint32_t *q2;       /* offset 64: entry (j + 1, 0).second (stride_w 2 pairs) */
    int32_t shift, lo, hi;    /* for the C sweeps */
} dw3_sweep;

/* 3x3, stride 2 both ways, straight from the NHWC input (no planes,
 * nk_arm_dw3_s2.c); NK_ERR_PARAMS, writing nothing, where it does not
 * apply */
struct nk_conv_params;
int nk_arm_dw3_s2_direct(const struct nk_conv_params *p, const int8_t *input,
                         const int8_t *filter, const int32_t *bias, int8_t *output);

#if defined(__GNUC__) && defined(__thumb2__)
#define NK_ARM_DW3_ASM 1
/* stride_h 1: outputs 2j and 2j+1 of two rows per trip (entry rows 32
 * bytes apart; n / 2 trips, then an odd last row alone) */
void nk_arm_dw3_pair2(const dw3_sweep *s);
/* stride_h 1, one output per row (2j, the last column of an odd width),
 * two rows per trip as above */
void nk_arm_dw3_one_r2(const dw3_sweep *s);
/* stride_h 2 (entry rows 64 bytes apart per output row), one output per row */
void nk_arm_dw3_one2(const dw3_sweep *s);
/* stride_w 2: outputs j and j + 1 per row from entry j and s->q2 */
void nk_arm_dw3_s2pair(const dw3_sweep *s);
void nk_arm_dw3_s2pair2(const dw3_sweep *s);
#else
#define NK_ARM_DW3_ASM 0
#endif

#endif /* NEURIO_NK_ARM_DW3_H */
