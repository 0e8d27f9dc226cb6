"""tests/host/make_multi_io.py OUT: a two-input, two-output ONNX graph and
its data for test_host_multi (Debian's python3-onnx and python3-numpy).

  y0 = a + b        (Add)      -> pred.npy
  y1 = a * b + c    (Mul, Add) -> pred_1.npy     (c a constant)

a, b: float32 [1, 6]; 20 samples each (a.npy, b.npy, stored [N, 6]); the
expected outputs y0.npy, y1.npy [N, 6] computed with numpy in float32.

abs_i32.onnx: y = Abs(x) on int32 [1, 6] (x_i32.npy, 4 samples), which
imports but has no device kernel (ABS int32->int32): `neurio check` must
list it and exit 5.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.RandomState(13)
c = rng.uniform(-1, 1, (1, 6)).astype(np.float32)
N = helper.make_node
g = helper.make_graph(
    [N("Add", ["a", "b"], ["y0"]), N("Mul", ["a", "b"], ["ab"]), N("Add", ["ab", "c"], ["y1"])],
    "multi_io",
    [helper.make_tensor_value_info("a", TensorProto.FLOAT, [1, 6]),
     helper.make_tensor_value_info("b", TensorProto.FLOAT, [1, 6])],
    [helper.make_tensor_value_info("y0", TensorProto.FLOAT, [1, 6]),
     helper.make_tensor_value_info("y1", TensorProto.FLOAT, [1, 6])],
    [numpy_helper.from_array(c, "c")])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="neurio-tests")
m.ir_version = 8
onnx.save(m, os.path.join(out, "multi_io.onnx"))
a = rng.uniform(-2, 2, (20, 6)).astype(np.float32)
b = rng.uniform(-2, 2, (20, 6)).astype(np.float32)
np.save(os.path.join(out, "a.npy"), a)
np.save(os.path.join(out, "b.npy"), b)
np.save(os.path.join(out, "b_short.npy"), b[:7])
np.save(os.path.join(out, "y0.npy"), (a + b).astype(np.float32))
np.save(os.path.join(out, "y1.npy"), (a * b + c).astype(np.float32))

g = helper.make_graph([N("Abs", ["x"], ["y"])], "abs_i32",
                      [helper.make_tensor_value_info("x", TensorProto.INT32, [1, 6])],
                      [helper.make_tensor_value_info("y", TensorProto.INT32, [1, 6])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="neurio-tests")
m.ir_version = 8
onnx.save(m, os.path.join(out, "abs_i32.onnx"))
np.save(os.path.join(out, "x_i32.npy"), rng.randint(-100, 100, (4, 6)).astype(np.int32))
