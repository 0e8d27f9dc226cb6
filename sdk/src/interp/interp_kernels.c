/* sdk/src/interp/interp_kernels.c — calls the kernel of a lowered op
 * (lower/lower.h) on the interpreter's buffers.  One wrapper per kernel of
 * lower/lower_kernels.h, written by its call shape: a new kernel needs no
 * code here. */
#include "interp_internal.h"

#define IT_CALL_IO(fn, m) return fn(&l->p.m, a[0], a[1]);
#define IT_CALL_IIO(fn, m) return fn(&l->p.m, a[0], a[1], a[2]);
#define IT_CALL_IWBO(fn, m) return fn(&l->p.m, a[0], a[1], a[2], a[3]);
#define IT_CALL_LIST(fn, m) return fn(&l->p.m, (const void *const *)a, a[l->n_args - 1]);
#define IT_CALL_SIZE_IO(fn, m) return fn(l->p.scalar.size, a[0], a[1]);
#define IT_CALL_CLAMP_IO(fn, m) return fn(l->p.scalar.size, l->p.scalar.lo, l->p.scalar.hi, a[0], a[1]);
#define IT_CALL_COPY(fn, m) return fn(a[0], a[1], l->p.scalar.bytes);
#define IT_CALL_SPLIT(fn, m) return fn(&l->p.m, a[0], a + 1);
#define IT_CALL_IIIO(fn, m) return fn(&l->p.m, a[0], a[1], a[2], a[3]);
#define IT_CALL_CODE_IIO(fn, m) return fn(&l->p.m, l->code, a[0], a[1], a[2]);
#define IT_CALL_LIST_RQ(fn, m)                                                                   \
    return fn(&l->p.m, (const nk_concat_requant *)(const void *)l->arrays[1].v, l->code,         \
              (const void *const *)a, a[l->n_args - 1]);
#define IT_CALL_CODE_SIZE_IO(fn, m) return fn(l->code, l->p.scalar.size, a[0], a[1]);

#define IT_WRAP(id, fn, member, shape, groups) \
    static int it_k_##id(const lw_op *l, void *const *a) { IT_CALL_##shape(fn, member) }
LW_KERNELS(IT_WRAP)
#undef IT_WRAP

typedef int (*it_kernel_fn)(const lw_op *l, void *const *a);

static const it_kernel_fn it_kernels[LW_K_COUNT] = {
#define IT_ROW(id, fn, member, shape, groups) [LW_K_##id] = it_k_##id,
    LW_KERNELS(IT_ROW)
#undef IT_ROW
};

int nit_call(const lw_op *l, void *const *args)
{
    if ((unsigned)l->kernel >= LW_K_COUNT)
        return NK_ERR_PARAMS;
    return it_kernels[l->kernel](l, args);
}
