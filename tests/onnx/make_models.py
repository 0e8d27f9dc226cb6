#!/usr/bin/python3
"""Generate small ONNX graphs for tests/onnx and their expected outputs.

Usage: /usr/bin/python3 make_models.py OUTDIR

For each case writes <case>.onnx, <case>_in.npy and <case>_out.npy.  The
arrays are in neurio's layout: rank-4 tensors NHWC (the importer converts
NCHW graphs), others as in ONNX.  Expected outputs are computed with torch
(a reference independent of neurio).
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(1234)


def f32(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def nhwc(a):
    return np.ascontiguousarray(a.transpose(0, 2, 3, 1)) if a.ndim == 4 else a


def save(name, nodes, inits, x, y, in_shape, out_shape, opset=13):
    g = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(in_shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(out_shape))],
        [numpy_helper.from_array(v, k) for k, v in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)],
                          producer_name="neurio-tests")
    m.ir_version = 8
    onnx.save(m, os.path.join(OUT, name + ".onnx"))
    if x is not None:
        np.save(os.path.join(OUT, name + "_in.npy"), nhwc(x).astype(np.float32))
        np.save(os.path.join(OUT, name + "_out.npy"), nhwc(np.asarray(y, np.float32)))


T = torch.from_numpy
N = helper.make_node

# conv + batch-norm + relu, NCHW
x = f32(1, 3, 6, 6)
w, b = f32(4, 3, 3, 3), f32(4)
sc, bi, mu, var = f32(4), f32(4), f32(4), (np.abs(f32(4)) + 0.5)
y = F.conv2d(T(x), T(w), T(b), padding=1)
y = F.batch_norm(y, T(mu), T(var), T(sc), T(bi), eps=1e-3)
y = F.relu(y).numpy()
save("conv_bn", [
    N("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
    N("BatchNormalization", ["c", "sc", "bi", "mu", "var"], ["n"], epsilon=1e-3),
    N("Relu", ["n"], ["y"])],
    dict(w=w, b=b, sc=sc, bi=bi, mu=mu, var=var), x, y, x.shape, y.shape)

# depthwise (group = C, multiplier 2), stride 2, asymmetric pads, Clip(0,6)
x = f32(1, 4, 7, 7) * 3
w, b = f32(8, 1, 3, 3), f32(8)
y = F.conv2d(F.pad(T(x), (0, 1, 0, 1)), T(w), T(b), stride=2, groups=4)
y = torch.clamp(y, 0, 6).numpy()
save("depthwise", [
    N("Conv", ["x", "w", "b"], ["c"], pads=[0, 0, 1, 1], strides=[2, 2], group=4),
    N("Clip", ["c", "lo", "hi"], ["y"])],
    dict(w=w, b=b, lo=np.array(0, np.float32), hi=np.array(6, np.float32)), x, y, x.shape, y.shape)

# max pool with padding, average pool, global average pool, flatten
x = f32(1, 3, 8, 8)
y = F.max_pool2d(T(x), 3, 2, padding=1)
y = F.avg_pool2d(y, 2, 1)
y = y.mean(dim=(2, 3)).numpy()
save("pools", [
    N("MaxPool", ["x"], ["p1"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
    N("AveragePool", ["p1"], ["p2"], kernel_shape=[2, 2]),
    N("GlobalAveragePool", ["p2"], ["g"]),
    N("Flatten", ["g"], ["y"])], {}, x, y, x.shape, y.shape)

# broadcasting against NCHW constants
x = f32(1, 3, 4, 4)
c1, c2, c3 = f32(3, 1, 1), np.array(1.5, np.float32), f32(1, 3, 1, 1)
y = ((x + c1) * c2 - c3) / 2.0
save("broadcast", [
    N("Add", ["x", "c1"], ["a"]), N("Mul", ["a", "c2"], ["m"]),
    N("Sub", ["m", "c3"], ["s"]), N("Div", ["s", "two"], ["y"])],
    dict(c1=c1, c2=c2, c3=c3, two=np.array([2.0], np.float32)), x, y, x.shape, y.shape)

# concat on channels + constant pad
x = f32(1, 2, 4, 4)
r = np.maximum(x, 0)
cat = np.concatenate([x, r], axis=1)
y = np.pad(cat, [(0, 0), (0, 0), (1, 2), (2, 1)])
save("concat_pad", [
    N("Relu", ["x"], ["r"]), N("Concat", ["x", "r"], ["cat"], axis=1),
    N("Pad", ["cat", "pads"], ["y"], mode="constant")],
    dict(pads=np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64)), x, y, x.shape, y.shape)

# matmul + add, gemm (transB, alpha, beta), softmax
x = f32(2, 5)
wm, ba, wg, cg = f32(5, 6), f32(6), f32(4, 6), f32(4)
h = x @ wm + ba
g = 0.5 * h @ wg.T + 2.0 * cg
y = torch.softmax(T(g.astype(np.float32)), dim=-1).numpy()
save("matmul_gemm", [
    N("MatMul", ["x", "wm"], ["h0"]), N("Add", ["h0", "ba"], ["h"]),
    N("Gemm", ["h", "wg", "cg"], ["g"], transB=1, alpha=0.5, beta=2.0),
    N("Softmax", ["g"], ["y"], axis=-1)],
    dict(wm=wm, ba=ba, wg=wg, cg=cg), x, y, x.shape, y.shape)

# transposes, reshape, squeeze/unsqueeze
x = f32(1, 2, 3, 4)
t = x.transpose(0, 2, 3, 1).reshape(1, 12, 2).transpose(0, 2, 1)
y = t
save("reshape_transpose", [
    N("Transpose", ["x"], ["t1"], perm=[0, 2, 3, 1]),
    N("Reshape", ["t1", "shp"], ["r"]),
    N("Transpose", ["r"], ["t2"], perm=[0, 2, 1]),
    N("Unsqueeze", ["t2", "ax"], ["u"]),
    N("Squeeze", ["u", "ax"], ["y"])],
    dict(shp=np.array([1, 12, -1], np.int64), ax=np.array([0], np.int64)),
    x, y, x.shape, y.shape)

# unary ops on a [N, C] tensor
x = f32(2, 7) * 2
y = np.clip(np.tanh(1 / (1 + np.exp(-x)) * 3), -0.5, 0.9)
save("unary", [
    N("Sigmoid", ["x"], ["s"]), N("Mul", ["s", "three"], ["m"]), N("Tanh", ["m"], ["t"]),
    N("Clip", ["t", "lo", "hi"], ["y"])],
    dict(three=np.array(3, np.float32), lo=np.array(-0.5, np.float32),
         hi=np.array(0.9, np.float32)), x, y, x.shape, y.shape)

# QDQ (QuantizeLinear/DequantizeLinear) conv: imported as an int8 conv
x = f32(1, 2, 5, 5)
xs, xz = np.float32(0.02), np.int8(3)
w = f32(3, 2, 3, 3) * 0.5
ws = (np.abs(w).reshape(3, -1).max(1) / 127).astype(np.float32)
wq = np.clip(np.round(w / ws[:, None, None, None]), -127, 127).astype(np.int8)
b = f32(3) * 0.1
bq = np.round(b / (xs * ws)).astype(np.int32)
ys, yz = np.float32(0.05), np.int8(-10)


def qdq(v, s, z):
    return (np.clip(np.round(v / s) + z, -128, 127) - z) * s


xd = qdq(x, xs, xz).astype(np.float32)
wd = (wq.astype(np.float32) * ws[:, None, None, None]).astype(np.float32)
bd = (bq * (xs * ws)).astype(np.float32)
c = F.conv2d(T(xd), T(wd), T(bd), padding=1).numpy()
y = qdq(c, ys, yz)
save("qdq_conv", [
    N("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
    N("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
    N("DequantizeLinear", ["wq", "ws", "wz"], ["wd"], axis=0),
    N("DequantizeLinear", ["bq", "bs", "bz"], ["bd"], axis=0),
    N("Conv", ["xd", "wd", "bd"], ["c"], pads=[1, 1, 1, 1]),
    N("QuantizeLinear", ["c", "ys", "yz"], ["cq"]),
    N("DequantizeLinear", ["cq", "ys", "yz"], ["y"])],
    dict(xs=np.array(xs), xz=np.array(xz), wq=wq, ws=ws, wz=np.zeros(3, np.int8),
         bq=bq, bs=(xs * ws).astype(np.float32), bz=np.zeros(3, np.int32),
         ys=np.array(ys), yz=np.array(yz)), x, y, x.shape, y.shape)

# QDQ with uint8 activations (onnxruntime's default) around an int8 Gemm
x = f32(1, 6)
xs, xz = np.float32(0.02), np.uint8(128)
w = f32(4, 6) * 0.5
ws = np.float32(np.abs(w).max() / 127)
wq = np.clip(np.round(w / ws), -127, 127).astype(np.int8)
b = f32(4) * 0.1
bq = np.round(b / (xs * ws)).astype(np.int32)
ys, yz = np.float32(0.03), np.uint8(100)


def qdq_u8(v, s, z):
    return (np.clip(np.round(v / s) + int(z), 0, 255) - int(z)) * s


xd = qdq_u8(x, xs, xz).astype(np.float32)
g = xd @ (wq.astype(np.float32) * ws).T + bq.astype(np.float32) * (xs * ws)
y = qdq_u8(g, ys, yz)
save("qdq_gemm_u8", [
    N("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
    N("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
    N("DequantizeLinear", ["wq", "ws", "wz"], ["wd"]),
    N("DequantizeLinear", ["bq", "bs", "bz"], ["bd"]),
    N("Gemm", ["xd", "wd", "bd"], ["g"], transB=1),
    N("QuantizeLinear", ["g", "ys", "yz"], ["gq"]),
    N("DequantizeLinear", ["gq", "ys", "yz"], ["y"])],
    dict(xs=np.array(xs), xz=np.array(xz), wq=wq, ws=np.array(ws), wz=np.array(0, np.int8),
         bq=bq, bs=np.array(xs * ws, np.float32), bz=np.array(0, np.int32),
         ys=np.array(ys), yz=np.array(yz)), x, y, x.shape, y.shape)

# LSTM (unrolled by the importer), float and int8 after calibration:
# expected outputs from gen_rnn_cases.py's numpy reference of ONNX's
# equations; lstm_calib.npy = 64 calibration samples, lstm_in.npy sample 0.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_rnn_cases import ref as rnn_ref  # noqa: E402
rs = np.random.default_rng(7)
lw, lr = rs.uniform(-.5, .5, (1, 32, 3)).astype(np.float32), rs.uniform(-.5, .5, (1, 32, 8)).astype(np.float32)
lb = rs.uniform(-.5, .5, (1, 64)).astype(np.float32)
cal = rs.uniform(-1, 1, (64, 5, 1, 3)).astype(np.float32)
ly = np.stack([rnn_ref("LSTM", c, lw, lr, lb, None, None, None, ["Sigmoid", "Tanh", "Tanh"],
                       "forward", 0, 0, 8)[1] for c in cal])
save("lstm", [N("LSTM", ["x", "lw", "lr", "lb"], ["", "y"], hidden_size=8)],
     dict(lw=lw, lr=lr, lb=lb), cal[0], ly[0], (5, 1, 3), (1, 1, 8))
np.save(os.path.join(OUT, "lstm_calib.npy"), cal)
np.save(os.path.join(OUT, "lstm_calib_out.npy"), ly)
# bidirectional GRU with its whole Y (CONCATENATION of the steps), same use
gw, gr = rs.uniform(-.5, .5, (2, 18, 3)).astype(np.float32), rs.uniform(-.5, .5, (2, 18, 6)).astype(np.float32)
gb = rs.uniform(-.5, .5, (2, 36)).astype(np.float32)
gy = np.stack([rnn_ref("GRU", c, gw, gr, gb, None, None, None, ["Sigmoid", "Tanh"] * 2,
                       "bidirectional", 0, 0, 6)[0] for c in cal])
save("gru", [N("GRU", ["x", "gw", "gr", "gb"], ["y"], hidden_size=6, direction="bidirectional")],
     dict(gw=gw, gr=gr, gb=gb), cal[0], gy[0], (5, 1, 3), (5, 2, 1, 6))
np.save(os.path.join(OUT, "gru_calib_out.npy"), np.ascontiguousarray(gy.transpose(0, 1, 3, 4, 2)))

# error cases
save("unsupported_op", [N("Relu", ["x"], ["r"], name="first"),
                        N("Hardmax", ["r"], ["y"], name="the_hardmax")],
     {}, None, None, (1, 4), (1, 4))
save("opset5", [N("Relu", ["x"], ["y"])], {}, None, None, (1, 4), (1, 4), opset=5)
print("ok", OUT)
