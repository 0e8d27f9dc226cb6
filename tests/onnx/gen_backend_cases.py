#!/usr/bin/python3
"""Generate the ONNX backend node test cases with Debian's python3-onnx and
convert them for neurio's conformance runner.

Usage: /usr/bin/python3 gen_backend_cases.py OUTDIR

Runs onnx.backend.test's data generator (after restoring the numpy aliases
that numpy 1.24 removed and onnx 1.12 still uses) into OUTDIR/onnx, then
for every node case writes OUTDIR/cases/<case>/:
    model.onnx, in_<i>.npy, out_<i>.npy   (test_data_set_0)
Rank-4 arrays are transposed NCHW -> NHWC, the layout neurio's importer
gives rank-4 graph inputs and outputs.

Parameter inputs (weights, biases, shapes, axes, pads, clip bounds,
quantization scales, batch-norm statistics, divisors, slopes, recurrent
weights, gather indices, resize scales) that the backend tests
feed as graph inputs are frozen into initializers with the case's values,
as a deployed model has them; the data inputs stay inputs.

OUTDIR/index.tsv lists
    case <TAB> opset <TAB> op,op,... <TAB> n_inputs <TAB> n_outputs
"""
import glob
import os
import sys

import numpy as np

for _name, _typ in (("float", float), ("int", int), ("bool", bool), ("object", object),
                    ("complex", complex)):
    if not hasattr(np, _name):
        setattr(np, _name, _typ)

import onnx  # noqa: E402
from onnx import numpy_helper  # noqa: E402
from onnx.backend.test.cmd_tools import main as onnx_cmd  # noqa: E402


def generate(out):
    saved = sys.argv
    sys.argv = ["backend-test-tools", "generate-data", "-o", out]
    try:
        onnx_cmd()
    finally:
        sys.argv = saved


# op -> indices of inputs that are parameters (frozen into initializers)
PARAM_INPUTS = {
    "Conv": (1, 2), "Gemm": (1, 2), "MatMul": (1,), "Reshape": (1,),
    "BatchNormalization": (1, 2, 3, 4), "Clip": (1, 2), "Pad": (1, 2, 3),
    "QuantizeLinear": (1, 2), "DequantizeLinear": (1, 2), "Squeeze": (1,),
    "Unsqueeze": (1,), "Dropout": (1, 2), "Div": (1,),
    "ConvTranspose": (1, 2), "PRelu": (1,), "LSTM": (1, 2, 3, 4, 5, 6, 7),
    "GRU": (1, 2, 3, 4, 5), "RNN": (1, 2, 3, 4, 5), "Slice": (1, 2, 3, 4),
    "Split": (1,), "Gather": (1,), "Resize": (1, 2, 3), "Upsample": (1,), "Expand": (1,), "Tile": (1,),
    "ReduceSum": (1,), "LayerNormalization": (1, 2), "InstanceNormalization": (1, 2),
    "TopK": (1,), "CumSum": (1,), "OneHot": (1, 2),
}


def frozen_names(model):
    names = set()
    graph_inputs = {i.name for i in model.graph.input}
    for n in model.graph.node:
        for k in PARAM_INPUTS.get(n.op_type, ()):
            if k < len(n.input) and n.input[k] in graph_inputs:
                names.add(n.input[k])
    return names


def nhwc(a):
    return np.ascontiguousarray(a.transpose(0, 2, 3, 1)) if a.ndim == 4 else a


def main():
    out = sys.argv[1]
    raw = os.path.join(out, "onnx")
    os.makedirs(raw, exist_ok=True)
    generate(raw)
    cases = os.path.join(out, "cases")
    os.makedirs(cases, exist_ok=True)
    rows = []
    for d in sorted(glob.glob(os.path.join(raw, "node", "test_*"))):
        name = os.path.basename(d)
        try:
            m = onnx.load(os.path.join(d, "model.onnx"))
        except Exception as e:  # unreadable case: listed with no ops
            print(f"skip {name}: {e}", file=sys.stderr)
            continue
        opset = max([o.version for o in m.opset_import if o.domain in ("", "ai.onnx")] or [0])
        ops = sorted({n.op_type if n.domain in ("", "ai.onnx") else n.domain + ":" + n.op_type
                      for n in m.graph.node})
        ds = os.path.join(d, "test_data_set_0")
        ins = sorted(glob.glob(os.path.join(ds, "input_*.pb")),
                     key=lambda p: int(p.rsplit("_", 1)[1][:-3]))
        outs = sorted(glob.glob(os.path.join(ds, "output_*.pb")),
                      key=lambda p: int(p.rsplit("_", 1)[1][:-3]))
        cd = os.path.join(cases, name)
        os.makedirs(cd, exist_ok=True)
        ok = True
        freeze = frozen_names(m)
        input_names = [i.name for i in m.graph.input
                       if i.name not in {t.name for t in m.graph.initializer}]
        n_in = 0
        for kind, files in (("in", ins), ("out", outs)):
            for i, f in enumerate(files):
                t = onnx.TensorProto()
                try:
                    with open(f, "rb") as fh:
                        t.ParseFromString(fh.read())
                    a = numpy_helper.to_array(t)
                except Exception:
                    ok = False  # sequences/optionals: not tensors
                    break
                if kind == "in" and i < len(input_names) and input_names[i] in freeze:
                    m.graph.initializer.append(numpy_helper.from_array(a, input_names[i]))
                    continue
                np.save(os.path.join(cd, f"{kind}_{n_in if kind == 'in' else i}.npy"), nhwc(a))
                if kind == "in":
                    n_in += 1
        if not ok:
            ops.append("<non-tensor io>")
        keep = [i for i in m.graph.input if i.name not in freeze]
        del m.graph.input[:]
        m.graph.input.extend(keep)
        onnx.save(m, os.path.join(cd, "model.onnx"))
        rows.append(f"{name}\t{opset}\t{','.join(ops)}\t{n_in}\t{len(outs)}")
    with open(os.path.join(out, "index.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    print(f"{len(rows)} node cases in {cases}")


if __name__ == "__main__":
    main()
