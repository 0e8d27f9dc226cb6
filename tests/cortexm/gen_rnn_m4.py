#!/usr/bin/python3
"""One ONNX graph with an LSTM and a GRU on the same input (ONNX unrolls
them in neurio's importer) for test_cortexm_rnn, with expected outputs from
tests/onnx/gen_rnn_cases.py's numpy reference of ONNX's equations.

Usage: /usr/bin/python3 gen_rnn_m4.py OUTDIR

Writes OUTDIR/rnn_m4.onnx (input x [5, 1, 3]; outputs: the LSTM's Y_h
[1, 1, 8] and the bidirectional GRU's Y_h [2, 1, 6]), OUTDIR/x.npy (16
sequences [16, 5, 1, 3], the calibration set too) and OUTDIR/y0.npy,
OUTDIR/y1.npy (the reference outputs of all 16).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "onnx"))
from gen_rnn_cases import ref  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rs = np.random.default_rng(21)


def u(*shape):
    return rs.uniform(-.5, .5, shape).astype(np.float32)


lw, lr, lb = u(1, 32, 3), u(1, 32, 8), u(1, 64)
gw, gr, gb = u(2, 18, 3), u(2, 18, 6), u(2, 36)
x = rs.uniform(-1, 1, (16, 5, 1, 3)).astype(np.float32)
y0 = np.stack([ref("LSTM", s, lw, lr, lb, None, None, None, ["Sigmoid", "Tanh", "Tanh"],
                   "forward", 0, 0, 8)[1] for s in x])
y1 = np.stack([ref("GRU", s, gw, gr, gb, None, None, None, ["Sigmoid", "Tanh"] * 2,
                   "bidirectional", 0, 0, 6)[1] for s in x])
nodes = [helper.make_node("LSTM", ["x", "lw", "lr", "lb"], ["", "y0"], hidden_size=8),
         helper.make_node("GRU", ["x", "gw", "gr", "gb"], ["", "y1"], hidden_size=6,
                          direction="bidirectional")]
inits = [numpy_helper.from_array(v, k) for k, v in
         dict(lw=lw, lr=lr, lb=lb, gw=gw, gr=gr, gb=gb).items()]
g = helper.make_graph(nodes, "rnn_m4",
                      [helper.make_tensor_value_info("x", TensorProto.FLOAT, [5, 1, 3])],
                      [helper.make_tensor_value_info("y0", TensorProto.FLOAT, [1, 1, 8]),
                       helper.make_tensor_value_info("y1", TensorProto.FLOAT, [2, 1, 6])],
                      inits)
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 14)],
                      producer_name="neurio-tests")
onnx.checker.check_model(m)
onnx.save(m, os.path.join(out, "rnn_m4.onnx"))
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "y0.npy"), y0)
np.save(os.path.join(out, "y1.npy"), y1)
