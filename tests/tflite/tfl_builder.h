/* tests/tflite/tfl_builder.h — a tiny FlatBuffer writer for tests, and a
 * TFLite model builder on top of it, so tests can make small (valid or
 * deliberately broken) .tflite files by hand.
 *
 * Layout choice: parents are written before their children (references are
 * forward uoffsets, as the format requires), each vtable right before its
 * table; a node referenced twice is written once (shared/overlapping tables).
 * Field numbers are those of the public TFLite schema. */
#ifndef NEURIO_TESTS_TFL_BUILDER_H
#define NEURIO_TESTS_TFL_BUILDER_H

#include <stddef.h>
#include <stdint.h>

typedef struct fbn fbn;

/* Nodes live until fbt_finish() / fbt_reset(). */
fbn *fbt_table(void);
void fbt_u8(fbn *t, int field, uint8_t v);
void fbt_i32(fbn *t, int field, int32_t v);
void fbt_u32(fbn *t, int field, uint32_t v);
void fbt_u64(fbn *t, int field, uint64_t v);
void fbt_f32(fbn *t, int field, float v);
void fbt_ref(fbn *t, int field, fbn *child);
fbn *fbt_vec(const void *data, uint32_t n, size_t elem);   /* scalars */
fbn *fbt_vec_tables(fbn *const *items, uint32_t n);
fbn *fbt_string(const char *s);

/* Serialize with the root uoffset at byte 0 and `ident` at bytes 4..8.
 * Returns a malloc'ed buffer (caller frees) and frees every node. */
uint8_t *fbt_finish(fbn *root, const char *ident, size_t *len);
void fbt_reset(void);

/* --- TFLite models ------------------------------------------------------ */

enum { TT_FLOAT32 = 0, TT_FLOAT16 = 1, TT_INT32 = 2, TT_UINT8 = 3, TT_INT64 = 4,
       TT_INT16 = 7, TT_INT8 = 9, TT_INT4 = 17 };

typedef struct tspec {
    const char *name;
    int8_t type;
    int32_t rank;
    int32_t dims[8];
    const void *data;       /* constant bytes or NULL                  */
    uint32_t data_len;
    int n_quant;            /* 0 = none                                */
    float scale[64];        /* per-channel: up to 64 channels          */
    int64_t zero_point[64];
    int32_t quant_dim;
} tspec;

typedef struct ospec {
    int32_t code;           /* BuiltinOperator                         */
    const char *custom;     /* custom_code (for CUSTOM = 32)           */
    uint8_t opt_type;       /* BuiltinOptions union type, 0 = none     */
    fbn *opt;               /* options table or NULL                   */
    int n_in, n_out;
    int32_t in[8], out[4];
} ospec;

typedef struct tfl_build_opts {
    int only_deprecated_code;  /* write deprecated_builtin_code only  */
    int only_builtin_code;     /* write builtin_code only             */
    int n_subgraphs;           /* 0 means 1                           */
    int external_buffers;      /* large-model form: data after the fb */
    uint32_t version;          /* 0 means 3                           */
    int metadata;              /* add a metadata buffer (Model.metadata
                                  and the deprecated metadata_buffer)  */
} tfl_build_opts;

/* Build a model: tensors t[0..nt), operators o[0..no) (operator i uses
 * operator code i), graph inputs/outputs.  opts may be NULL.  Returns a
 * malloc'ed file image. */
uint8_t *tfl_build(const tspec *t, int nt, const ospec *o, int no, const int32_t *gin,
                   int ngin, const int32_t *gout, int ngout, const tfl_build_opts *opts,
                   size_t *len);

/* A small valid float model: input [1,4] -> FULLY_CONNECTED (weights [3,4],
 * bias [3], relu) -> [1,3] -> SOFTMAX -> [1,3].  12 MACs, 15 params. */
uint8_t *tfl_build_fc_model(size_t *len);

/* A small int8 model exercising CONV_2D (SAME, stride 2), DEPTHWISE_CONV_2D,
 * PAD, MAX_POOL_2D, MEAN, CONCATENATION, TRANSPOSE, QUANTIZE/DEQUANTIZE,
 * ADD, LOGISTIC... (see the .c for the exact graph). */
uint8_t *tfl_build_conv_model(size_t *len);

#endif
