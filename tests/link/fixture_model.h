/* tests/link/fixture_model.h — three tiny hand-written models in the shape
 * of generated code (a neurio_model_desc each), used to drive the REAL
 * device runtime in the link tests without depending on the code
 * generator.  Test fixture, not a mock: the runtime is the real one. */
#ifndef NEURIO_TESTS_LINK_FIXTURE_MODEL_H
#define NEURIO_TESTS_LINK_FIXTURE_MODEL_H

#include "neurio_model_desc.h"

/* "small": in0 int8[1,8], in1 float32[1,2] -> out0 int8[1,4] (pairwise sum
 * + 1, saturated), out1 float32[1,1] (product of in1); 2 layers.  To the
 * layer output hook of a debug build, layer 0 has two outputs (out0, then
 * in1's two floats as they were read), layer 1 one (out1). */
extern const neurio_model_desc fixture_small_desc;
/* "wide": in0 int8[1,300] -> out0 int8[1,1500] (too big for one RESULT,
 * so the host READs it); 1 layer. */
extern const neurio_model_desc fixture_wide_desc;
/* "mid": in0 int8[1,300] -> out0 int8[1,640] (ad01's output size: one
 * RESULT of 688 bytes carries it). */
extern const neurio_model_desc fixture_mid_desc;

/* The fixture for a name, or NULL. */
const neurio_model_desc *fixture_model(const char *name);

/* Inference number (1-based, counted over the process) at which run()
 * blocks forever, 0 = never: simulates a hung device. */
extern unsigned fixture_hang_at;
/* Milliseconds every run() sleeps before computing, 0 = none: a slow but
 * healthy device (an inference much longer than a round trip). */
extern unsigned fixture_slow_ms;

#endif
