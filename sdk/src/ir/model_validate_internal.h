/* sdk/src/ir/model_validate_internal.h — checks of the stateful and Signal
 * ops (model_validate_state.c) called from neurio_model_validate. */
#ifndef NEURIO_MODEL_VALIDATE_INTERNAL_H
#define NEURIO_MODEL_VALIDATE_INTERNAL_H

#include "neurio/model.h"

/* Shapes, dtypes and attributes of op i (SVDF, LSTM, Signal ops); the
 * message names the op and the tensor. */
int nir_check_state_op(const neurio_model *m, int32_t i, neurio_errbuf *err);

/* 1 when the op reads int8/int16 tensors as plain integers (the Signal
 * ops), so they need no quantization parameters. */
int nir_op_takes_raw_integers(neurio_op_kind k);

#endif
