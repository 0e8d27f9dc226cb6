#!/usr/bin/python3
"""ONNX LSTM, GRU and RNN cases that the backend node suite lacks (reverse,
bidirectional, layout 1 with several directions, linear_before_reset,
Relu activation, an omitted Y, full-length sequence_lens), with expected
outputs from a numpy reference of ONNX's operator equations (float64
arithmetic, rounded to float32 at the end).

Usage: /usr/bin/python3 gen_rnn_cases.py OUTDIR

Writes OUTDIR/cases/<case>/{model.onnx,in_0.npy,out_<k>.npy} and
OUTDIR/index.tsv in gen_backend_cases.py's format (rank-4 arrays NHWC), so
test_onnx_conformance runs them (NEURIO_CONF_GEN=gen_rnn_cases.py).
"""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

ACT = {"Sigmoid": lambda x: 1 / (1 + np.exp(-x)), "Tanh": np.tanh,
       "Relu": lambda x: np.maximum(x, 0)}


def ref(kind, x, w, r, b, h0, c0, p, acts, direction, layout, lbr, hs):
    """Y, Y_h, Y_c of ONNX's RNN/GRU/LSTM (x in layout 0)."""
    S, B, _ = x.shape
    nd = 2 if direction == "bidirectional" else 1
    ng = {"RNN": 1, "GRU": 3, "LSTM": 4}[kind]
    na = {"RNN": 1, "GRU": 2, "LSTM": 3}[kind]
    Y = np.zeros((S, nd, B, hs))
    Yh = np.zeros((nd, B, hs))
    Yc = np.zeros((nd, B, hs))
    for d in range(nd):
        rev = direction == "reverse" or d == 1
        f = [ACT[a] for a in acts[d * na:(d + 1) * na]]
        W, R = w[d].astype(np.float64), r[d].astype(np.float64)
        bb = b[d].astype(np.float64) if b is not None else np.zeros(2 * ng * hs)
        wb, rb = bb[:ng * hs], bb[ng * hs:]
        H = h0[d].astype(np.float64) if h0 is not None else np.zeros((B, hs))
        C = c0[d].astype(np.float64) if c0 is not None else np.zeros((B, hs))
        P = p[d].astype(np.float64) if p is not None else np.zeros(3 * hs)
        for s in range(S):
            t = S - 1 - s if rev else s
            xt = x[t].astype(np.float64)
            g = lambda k: slice(k * hs, (k + 1) * hs)  # noqa: E731
            if kind == "RNN":
                H = f[0](xt @ W.T + H @ R.T + wb + rb)
            elif kind == "GRU":
                z = f[0](xt @ W[g(0)].T + H @ R[g(0)].T + wb[g(0)] + rb[g(0)])
                rr = f[0](xt @ W[g(1)].T + H @ R[g(1)].T + wb[g(1)] + rb[g(1)])
                if lbr:
                    n = f[1](xt @ W[g(2)].T + rr * (H @ R[g(2)].T + rb[g(2)]) + wb[g(2)])
                else:
                    n = f[1](xt @ W[g(2)].T + (rr * H) @ R[g(2)].T + rb[g(2)] + wb[g(2)])
                H = (1 - z) * n + z * H
            else:
                a = xt @ W.T + H @ R.T + wb + rb
                i = f[0](a[:, g(0)] + P[g(0)] * C)
                ff = f[0](a[:, g(2)] + P[g(2)] * C)
                c = f[1](a[:, g(3)])
                C = ff * C + i * c
                o = f[0](a[:, g(1)] + P[g(1)] * C)
                H = o * f[2](C)
            Y[t, d] = H
        Yh[d], Yc[d] = H, C
    if layout:
        Y, Yh, Yc = Y.transpose(2, 0, 1, 3), Yh.transpose(1, 0, 2), Yc.transpose(1, 0, 2)
    return [a.astype(np.float32) for a in (Y, Yh, Yc)]


def case(out, name, kind, S=3, B=2, I=3, hs=4, direction="forward", layout=0, lbr=0,
         bias=True, init=True, peep=False, acts=None, omit_y=False, seq_lens=False, seed=0):
    rng = np.random.default_rng(seed)
    nd = 2 if direction == "bidirectional" else 1
    ng = {"RNN": 1, "GRU": 3, "LSTM": 4}[kind]
    na = {"RNN": 1, "GRU": 2, "LSTM": 3}[kind]
    dflt = {"RNN": ["Tanh"], "GRU": ["Sigmoid", "Tanh"], "LSTM": ["Sigmoid", "Tanh", "Tanh"]}
    all_acts = (acts or dflt[kind]) * nd

    def rnd(*shape):
        return rng.uniform(-1, 1, shape).astype(np.float32)
    x = rnd(S, B, I)
    w, r = rnd(nd, ng * hs, I), rnd(nd, ng * hs, hs)
    b = rnd(nd, 2 * ng * hs) if bias else None
    h0 = rnd(nd, B, hs) if init else None
    c0 = rnd(nd, B, hs) if init and kind == "LSTM" else None
    p = rnd(nd, 3 * hs) if peep else None
    Y, Yh, Yc = ref(kind, x, w, r, b, h0, c0, p, all_acts, direction, layout, lbr, hs)

    def lay(a):  # [nd, B, H] states and X in the node's layout
        return a.transpose(1, 0, 2) if layout and a is not None else a
    xin = x.transpose(1, 0, 2) if layout else x
    inits = [numpy_helper.from_array(w, "W"), numpy_helper.from_array(r, "R")]
    ins = ["X", "W", "R", "", "", "", "", ""]
    if bias:
        inits.append(numpy_helper.from_array(b, "B"))
        ins[3] = "B"
    if seq_lens:
        inits.append(numpy_helper.from_array(np.full(B, S, np.int32), "seq_lens"))
        ins[4] = "seq_lens"
    if init:
        inits.append(numpy_helper.from_array(lay(h0), "initial_h"))
        ins[5] = "initial_h"
        if kind == "LSTM":
            inits.append(numpy_helper.from_array(lay(c0), "initial_c"))
            ins[6] = "initial_c"
    if peep:
        inits.append(numpy_helper.from_array(p, "P"))
        ins[7] = "P"
    while ins and ins[-1] == "":
        ins.pop()
    outs = ["" if omit_y else "Y", "Y_h"] + (["Y_c"] if kind == "LSTM" else [])
    attrs = dict(hidden_size=hs, direction=direction)
    if layout:
        attrs["layout"] = layout
    if lbr:
        attrs["linear_before_reset"] = lbr
    if acts:
        attrs["activations"] = all_acts
    node = helper.make_node(kind, ins, outs, **attrs)
    vals = {"Y": Y, "Y_h": Yh, "Y_c": Yc}
    gout = [helper.make_tensor_value_info(o, TensorProto.FLOAT, vals[o].shape) for o in outs if o]
    graph = helper.make_graph([node], name, [helper.make_tensor_value_info(
        "X", TensorProto.FLOAT, xin.shape)], gout, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    onnx.checker.check_model(model)
    d = os.path.join(out, "cases", name)
    os.makedirs(d, exist_ok=True)
    onnx.save(model, os.path.join(d, "model.onnx"))
    np.save(os.path.join(d, "in_0.npy"), xin)
    k = 0
    for o in outs:
        if o:
            a = vals[o]
            np.save(os.path.join(d, f"out_{k}.npy"),
                    np.ascontiguousarray(a.transpose(0, 2, 3, 1)) if a.ndim == 4 else a)
            k += 1
    return f"{name}\t14\t{kind}\t1\t{k}"


def main():
    out = sys.argv[1]
    rows = [
        case(out, "rnnx_lstm_reverse", "LSTM", direction="reverse", peep=True, seed=1),
        case(out, "rnnx_lstm_bidirectional", "LSTM", direction="bidirectional", peep=True, seed=2),
        case(out, "rnnx_lstm_bidirectional_layout1", "LSTM", direction="bidirectional",
             layout=1, init=False, seed=3),
        case(out, "rnnx_lstm_y_h_only", "LSTM", bias=False, omit_y=True, seed=4),
        case(out, "rnnx_lstm_seq_lens", "LSTM", seq_lens=True, S=4, seed=5),
        case(out, "rnnx_gru_reverse", "GRU", direction="reverse", seed=6),
        case(out, "rnnx_gru_bidirectional", "GRU", direction="bidirectional", seed=7),
        case(out, "rnnx_gru_lbr_bidirectional", "GRU", direction="bidirectional", lbr=1, seed=8),
        case(out, "rnnx_gru_lbr_no_init", "GRU", lbr=1, init=False, seed=9),
        case(out, "rnnx_gru_layout1_reverse", "GRU", direction="reverse", layout=1, seed=10),
        case(out, "rnnx_rnn_bidirectional", "RNN", direction="bidirectional", seed=11),
        case(out, "rnnx_rnn_reverse_relu", "RNN", direction="reverse", acts=["Relu"], seed=12),
        case(out, "rnnx_rnn_layout1_bidirectional", "RNN", direction="bidirectional", layout=1,
             bias=False, seed=13),
    ]
    with open(os.path.join(out, "index.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    print(f"{len(rows)} RNN cases in {out}/cases")


if __name__ == "__main__":
    main()
