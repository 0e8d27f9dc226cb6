/* sdk/src/plan/plan_overlap.c — the overlap table: which ops may write
 * their output over their dying input, and the smallest gap (bytes the
 * output starts below the input) that is safe for every kernel set the
 * generated code may call (it is one C file for all targets: portable C
 * (host, riscv, Cortex-M0/M3), firmware/kernels/arm (cores with the DSP
 * extension), firmware/kernels/mve (Helium)).
 *
 * Each row says how the kernels of that op traverse memory ("walks"):
 *
 *   ROWS(nb)     output pixels in raster order, all channels of a pixel
 *                together, in blocks of at most nb pixels; while on a block
 *                starting at output pixel (oy, ox) the kernel writes only
 *                that block's pixels (and earlier ones) and reads only input
 *                rows from oy * stride_h - pad_top on (nk.h, pixel-block
 *                contract).
 *   PIX(nb, rf)  1x1: output pixels in raster order in blocks of nb pixels
 *                (the first at pixel 0); output pixel q reads input pixel
 *                (oy * stride_h, ox * stride_w) only; rf = 1: a block's
 *                input pixels are all read (copied) before any output of the
 *                block is written; rf = 0: they are read while its outputs
 *                are written.
 *   GROUPS       channel group by channel group over the whole image, a
 *                group's input (every pixel) copied to a buffer before any
 *                output of the group is written, output pixel bytes equal
 *                to input pixel bytes (depth multiplier 1): safe for any gap
 *                that is a multiple of the pixel bytes (an output byte then
 *                lands on the same channel of an earlier pixel, already
 *                copied), whatever the order inside a group.
 *
 *   op                                  portable      arm (DSP)          mve
 *   CONV_2D, > 1 tap, int8/f32          ROWS(1)       ROWS(max(8,2 ow))  ROWS(4)
 *   DEPTHWISE int8, dm 1, 3x3 s1 d1,    ROWS(1)       GROUPS (dw3x3_s1,  GROUPS (a row
 *     pad 1, out = in, c % 4 == 0,                    whole-image        ring per chunk
 *     whole image in the dw3x3_s1                     planes)            of channels)
 *     planes
 *   CONV_2D 1x1 int8, no padding, only  PIX(1, 0)     PIX(2, 1) (nk_conv PIX(4, 1) (four
 *     when the caller runs the row-pair               2d_1x1_s8_rows:    pixels gathered,
 *     kernel (neurio_plan_options.                    row pair widened   then the gemm)
 *     op_rows_1x1; the code generator's               first)
 *     compact mode marks none: its 1x1
 *     layers keep int8 weights and run
 *     the GEMM)
 *
 * The gap is the largest over the columns (ROWS taken at the contract's
 * block, which covers the smaller ones), rounded up to a multiple of the
 * pixel for GROUPS.  Every other op: no overlap (-1).  Kernels whose walk
 * changes must change this table; tests/planner (portable) and
 * test_nk_arm_dsp_qemu (DSP) run the kernels on overlapped buffers at
 * these gaps. */
#include "plan_internal.h"

/* Largest block of consecutive output pixels a conv kernel may have in
 * flight (written, while still reading the block's first row's inputs):
 * twice the output width, at least 8 (nk.h, pixel-block contract). */
static int64_t pl_block_pixels(int64_t out_w)
{
    return 2 * out_w > 8 ? 2 * out_w : 8;
}

typedef struct pl_geom {
    int64_t n, in_h, in_w, out_h, out_w;
    int64_t in_pix, out_pix; /* bytes per pixel */
    int64_t sh, sw, pt, pl;
    int64_t fh, fw, dh, dw;
} pl_geom;

/* The op's shapes and resolved padding (TFLite ComputePaddingHeightWidth,
 * as the code generator); 0 when they are not a plain NHWC conv. */
static int pl_geom_of(const neurio_model *m, const neurio_op *op, pl_geom *g)
{
    if (op->n_inputs < 2 || op->n_outputs != 1 || op->inputs[0] < 0 || op->inputs[1] < 0 ||
        op->outputs[0] < 0)
        return 0;
    const neurio_tensor *x = &m->tensors[op->inputs[0]], *w = &m->tensors[op->inputs[1]];
    const neurio_tensor *y = &m->tensors[op->outputs[0]];
    if (x->rank != 4 || y->rank != 4 || w->rank != 4 || x->dtype != y->dtype)
        return 0;
    const neurio_conv_attr *a = &op->attr.conv;
    const int64_t es = (int64_t)neurio_dtype_size(x->dtype);
    g->n = x->dims[0];
    g->in_h = x->dims[1];
    g->in_w = x->dims[2];
    g->out_h = y->dims[1];
    g->out_w = y->dims[2];
    if (g->n < 1 || y->dims[0] != g->n || g->in_h < 1 || g->out_h < 1 || g->in_w < 1 ||
        x->dims[3] < 1 || g->out_w < 1 || y->dims[3] < 1 || es < 1)
        return 0;
    g->in_pix = x->dims[3] * es;
    g->out_pix = y->dims[3] * es;
    g->sh = a->stride_h > 0 ? a->stride_h : 1;
    g->sw = a->stride_w > 0 ? a->stride_w : 1;
    g->dh = a->dilation_h > 0 ? a->dilation_h : 1;
    g->dw = a->dilation_w > 0 ? a->dilation_w : 1;
    g->fh = w->dims[1] > 0 ? w->dims[1] : 1;
    g->fw = w->dims[2] > 0 ? w->dims[2] : 1;
    g->pt = g->pl = 0;
    if (a->padding == NEURIO_PAD_EXPLICIT) {
        g->pt = a->pad[0];
        g->pl = a->pad[1];
    } else if (a->padding == NEURIO_PAD_SAME) {
        int64_t th = (g->out_h - 1) * g->sh + (g->fh - 1) * g->dh + 1 - g->in_h;
        int64_t tw = (g->out_w - 1) * g->sw + (g->fw - 1) * g->dw + 1 - g->in_w;
        g->pt = th > 0 ? th / 2 : 0;
        g->pl = tw > 0 ? tw / 2 : 0;
    }
    if (g->pt < 0)
        g->pt = 0;
    if (g->pl < 0)
        g->pl = 0;
    return 1;
}

/* ROWS(nb): the smallest gap for every block start (and every batch). */
static int64_t pl_gap_rows(const pl_geom *g, int64_t nb)
{
    const int64_t npix = g->out_h * g->out_w, in_row = g->in_w * g->in_pix;
    int64_t gap = 0;
    for (int64_t b = 0; b < g->n; b++)
        for (int64_t q = 0; q < npix; q++) {
            int64_t end = q + nb < npix ? q + nb : npix;
            int64_t first = (q / g->out_w) * g->sh - g->pt;
            first = first < 0 ? 0 : (first > g->in_h ? g->in_h : first);
            int64_t need = (b * npix + end) * g->out_pix - (b * g->in_h + first) * in_row;
            if (need > gap)
                gap = need;
        }
    return gap;
}

/* Byte offset (in the batch's input) of the input pixel 1x1 output pixel
 * q reads; the batch's end for q == npix. */
static int64_t pl_pix_src(const pl_geom *g, int64_t q)
{
    if (q >= g->out_h * g->out_w)
        return g->in_h * g->in_w * g->in_pix;
    return ((q / g->out_w) * g->sh * g->in_w + (q % g->out_w) * g->sw) * g->in_pix;
}

/* PIX(nb, rf): the smallest gap over every block (and batch). */
static int64_t pl_gap_pix(const pl_geom *g, int64_t nb, int rf)
{
    const int64_t npix = g->out_h * g->out_w, in_img = g->in_h * g->in_w * g->in_pix;
    int64_t gap = 0;
    for (int64_t b = 0; b < g->n; b++)
        for (int64_t q = 0; q < npix; q += nb) {
            int64_t end = q + nb < npix ? q + nb : npix;
            int64_t need = (b * npix + end) * g->out_pix - b * in_img -
                           pl_pix_src(g, rf ? end : q);
            if (need > gap)
                gap = need;
        }
    return gap;
}

/* DEPTHWISE_CONV_2D rows of the table: the shapes on which the DSP kernel
 * takes dw3x3_s1 (firmware/kernels/arm/nk_arm_depthwise_conv2d.c: 3x3,
 * strides and dilations 1, padding one on the top and left, output as
 * large as the input, in_c % 4 == 0, eight words per entry of
 * ceil(w / 2) x (h + 2) entries within its 672-word planes). */
#define PL_DW3_BUF_WORDS 672
static int64_t pl_gap_dw(const neurio_model *m, const neurio_op *op, const pl_geom *g)
{
    const neurio_tensor *x = &m->tensors[op->inputs[0]];
    const int64_t c = x->dims[3];
    if (x->dtype != NEURIO_DT_INT8 || op->attr.conv.depth_multiplier > 1 ||
        g->out_pix != g->in_pix || g->fh != 3 || g->fw != 3 || g->sh != 1 || g->sw != 1 ||
        g->dh != 1 || g->dw != 1 || g->pt != 1 || g->pl != 1 || g->out_h != g->in_h ||
        g->out_w != g->in_w || c % 4 != 0 || 8 * ((g->in_w + 1) / 2) * (g->in_h + 2) >
        PL_DW3_BUF_WORDS)
        return -1;
    int64_t gap = pl_gap_rows(g, 1);           /* portable, dw_general */
    return (gap + g->in_pix - 1) / g->in_pix * g->in_pix; /* GROUPS: whole pixels */
}

int64_t pl_overlap_gap(const neurio_model *m, const neurio_op *op, int rows_1x1)
{
    pl_geom g;
    if ((op->kind != NEURIO_OP_CONV_2D && op->kind != NEURIO_OP_DEPTHWISE_CONV_2D) ||
        !pl_geom_of(m, op, &g))
        return -1;
    const neurio_dtype dt = m->tensors[op->inputs[0]].dtype;
    if (op->kind == NEURIO_OP_DEPTHWISE_CONV_2D)
        return pl_gap_dw(m, op, &g);
    if (dt != NEURIO_DT_INT8 && dt != NEURIO_DT_FLOAT32)
        return -1;
    if (g.fh * g.fw > 1)
        return pl_gap_rows(&g, pl_block_pixels(g.out_w));
    /* 1x1: the DSP default (nk_arm_gemm.c) goes column chunk by column
     * chunk over the whole image, so only the row-pair kernel may overlap */
    if (!rows_1x1 || dt != NEURIO_DT_INT8 || g.pt != 0 || g.pl != 0 ||
        (g.out_h - 1) * g.sh >= g.in_h || (g.out_w - 1) * g.sw >= g.in_w)
        return -1;
    int64_t gap = pl_gap_pix(&g, 1, 0), k;
    if ((k = pl_gap_pix(&g, 2, 1)) > gap)
        gap = k;
    if ((k = pl_gap_pix(&g, 4, 1)) > gap)
        gap = k;
    return gap;
}

int pl_is_1x1_conv(const neurio_model *m, const neurio_op *op)
{
    pl_geom g;
    return op->kind == NEURIO_OP_CONV_2D && pl_geom_of(m, op, &g) && g.fh * g.fw == 1;
}
