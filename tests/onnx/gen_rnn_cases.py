#!/usr/bin/python3
"""ONNX LSTM, GRU and RNN cases that the backend node suite lacks (reverse,
bidirectional, layout 1 with several directions, linear_before_reset,
Relu activation, an omitted Y, full-length and partial sequence_lens, clip,
input_forget, the optional activations with activation_alpha/beta), with
expected outputs from a numpy reference of ONNX's operator equations
(float64 arithmetic, rounded to float32 at the end).  Where the ONNX text
leaves a choice open the reference follows onnxruntime: clip bounds every
activation input (the LSTM cell before h too, the state itself unclipped),
input_forget sets f = 1 - i, alpha/beta values are consumed in order by the
activations that take them, and past an entry's sequence length its state
is kept and its Y rows are zero.

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
# name: (function of x, alpha, beta; how many of alpha/beta it takes; defaults)
ACT_AB = {
    "Affine": (lambda x, a, b: a * x + b, 2, (1.0, 0.0)),
    "LeakyRelu": (lambda x, a, b: np.where(x >= 0, x, a * x), 1, (0.01, 0.0)),
    "ThresholdedRelu": (lambda x, a, b: np.where(x > a, x, 0.0), 1, (1.0, 0.0)),
    "ScaledTanh": (lambda x, a, b: a * np.tanh(b * x), 2, (1.0, 1.0)),
    "HardSigmoid": (lambda x, a, b: np.minimum(np.maximum(a * x + b, 0), 1), 2, (0.2, 0.5)),
    "Elu": (lambda x, a, b: np.where(x >= 0, x, a * (np.exp(x) - 1)), 1, (1.0, 0.0)),
    "Softsign": (lambda x, a, b: x / (1 + np.abs(x)), 0, (0.0, 0.0)),
    "Softplus": (lambda x, a, b: np.log(1 + np.exp(x)), 0, (0.0, 0.0)),
}


def act_fns(acts, alpha, beta, clip):
    """Functions of the activation names, alpha/beta consumed in order."""
    al, be, out = list(alpha or []), list(beta or []), []
    for name in acts:
        if name in ACT:
            f = ACT[name]
        else:
            g, uses, (da, db) = ACT_AB[name]
            a = al.pop(0) if uses >= 1 and al else da
            b = be.pop(0) if uses >= 2 and be else db
            f = (lambda g, a, b: lambda x: g(x, a, b))(g, a, b)
        if clip:
            f = (lambda f: lambda x: f(np.clip(x, -clip, clip)))(f)
        out.append(f)
    return out


def ref(kind, x, w, r, b, h0, c0, p, acts, direction, layout, lbr, hs, clip=None,
        input_forget=0, alpha=None, beta=None, lens=None):
    """Y, Y_h, Y_c of ONNX's RNN/GRU/LSTM (x in layout 0)."""
    S, B, _ = x.shape
    nd = 2 if direction == "bidirectional" else 1
    ng = {"RNN": 1, "GRU": 3, "LSTM": 4}[kind]
    na = {"RNN": 1, "GRU": 2, "LSTM": 3}[kind]
    Y = np.zeros((S, nd, B, hs))
    Yh = np.zeros((nd, B, hs))
    Yc = np.zeros((nd, B, hs))
    fns = act_fns(acts, alpha, beta, clip)
    lens = np.full(B, S) if lens is None else np.asarray(lens)
    for d in range(nd):
        rev = direction == "reverse" or d == 1
        f = fns[d * na:(d + 1) * na]
        W, R = w[d].astype(np.float64), r[d].astype(np.float64)
        bb = b[d].astype(np.float64) if b is not None else np.zeros(2 * ng * hs)
        wb, rb = bb[:ng * hs], bb[ng * hs:]
        H = h0[d].astype(np.float64) if h0 is not None else np.zeros((B, hs))
        C = c0[d].astype(np.float64) if c0 is not None else np.zeros((B, hs))
        P = p[d].astype(np.float64) if p is not None else np.zeros(3 * hs)
        for s in range(S):
            t = S - 1 - s if rev else s
            xt = x[t].astype(np.float64)
            H0, C0, m = H, C, (t < lens)[:, None]
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
                ff = 1 - i if input_forget else f[0](a[:, g(2)] + P[g(2)] * C)
                c = f[1](a[:, g(3)])
                C = ff * C + i * c
                o = f[0](a[:, g(1)] + P[g(1)] * C)
                H = o * f[2](C)
            Y[t, d] = np.where(m, H, 0)
            H, C = np.where(m, H, H0), np.where(m, C, C0)
        Yh[d], Yc[d] = H, C
    if layout:
        Y, Yh, Yc = Y.transpose(2, 0, 1, 3), Yh.transpose(1, 0, 2), Yc.transpose(1, 0, 2)
    return [a.astype(np.float32) for a in (Y, Yh, Yc)]


def case(out, name, kind, S=3, B=2, I=3, hs=4, direction="forward", layout=0, lbr=0,
         bias=True, init=True, peep=False, acts=None, omit_y=False, seq_lens=False, seed=0,
         clip=None, input_forget=0, alpha=None, beta=None, lens=None):
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
    Y, Yh, Yc = ref(kind, x, w, r, b, h0, c0, p, all_acts, direction, layout, lbr, hs,
                    clip, input_forget, alpha, beta, lens)

    def lay(a):  # [nd, B, H] states and X in the node's layout
        return a.transpose(1, 0, 2) if layout and a is not None else a
    xin = x.transpose(1, 0, 2) if layout else x
    inits = [numpy_helper.from_array(w, "W"), numpy_helper.from_array(r, "R")]
    ins = ["X", "W", "R", "", "", "", "", ""]
    if bias:
        inits.append(numpy_helper.from_array(b, "B"))
        ins[3] = "B"
    if seq_lens or lens is not None:
        sl = np.full(B, S, np.int32) if lens is None else np.array(lens, np.int32)
        inits.append(numpy_helper.from_array(sl, "seq_lens"))
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
    if clip is not None:
        attrs["clip"] = clip
    if input_forget:
        attrs["input_forget"] = input_forget
    if alpha is not None:
        attrs["activation_alpha"] = alpha
    if beta is not None:
        attrs["activation_beta"] = beta
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
        # clip (small enough to bite), input_forget, alpha/beta activations,
        # partial sequence_lens (forward, reverse, bidirectional)
        case(out, "rnnx_lstm_clip", "LSTM", clip=0.4, peep=True, seed=14),
        case(out, "rnnx_gru_clip_lbr", "GRU", clip=0.3, lbr=1, seed=15),
        case(out, "rnnx_rnn_clip_reverse", "RNN", clip=0.5, direction="reverse", seed=16),
        case(out, "rnnx_lstm_input_forget", "LSTM", input_forget=1, peep=True, seed=17),
        case(out, "rnnx_lstm_acts_ab", "LSTM", acts=["HardSigmoid", "ScaledTanh", "Affine"],
             alpha=[0.3, 1.5, 0.7], beta=[0.4, 0.8, 0.1], direction="bidirectional", seed=18),
        case(out, "rnnx_gru_acts_leaky_elu", "GRU", acts=["LeakyRelu", "Elu"], alpha=[0.2, 0.7],
             seed=19),
        case(out, "rnnx_gru_acts_thresh_softsign", "GRU", acts=["ThresholdedRelu", "Softsign"],
             alpha=[0.1], seed=20),
        case(out, "rnnx_rnn_softplus_defaults", "RNN", acts=["Softplus"], seed=21),
        case(out, "rnnx_lstm_hsig_default_ab", "LSTM", acts=["HardSigmoid", "Tanh", "Softsign"],
             seed=22),
        case(out, "rnnx_lstm_seq_lens_partial", "LSTM", S=5, B=3, lens=[5, 2, 3], seed=23),
        case(out, "rnnx_gru_seq_lens_reverse", "GRU", S=4, B=3, lens=[1, 4, 3],
             direction="reverse", seed=24),
        case(out, "rnnx_rnn_seq_lens_bidir_no_init", "RNN", S=4, B=2, lens=[2, 4],
             direction="bidirectional", init=False, seed=25),
        case(out, "rnnx_lstm_seq_lens_bidir_layout1", "LSTM", S=4, B=2, lens=[3, 1],
             direction="bidirectional", layout=1, peep=True, seed=26),
    ]
    with open(os.path.join(out, "index.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    print(f"{len(rows)} RNN cases in {out}/cases")


if __name__ == "__main__":
    main()
