#!/usr/bin/python3
"""Train neurio's demo model: a small CNN on the handwritten digits that
Debian's python3-sklearn ships (1797 images of 8x8, 10 classes), exported to
ONNX opset 13, plus the arrays the digits rigs use.

Run with Debian's interpreter (it has torch, onnx, sklearn, numpy):
    /usr/bin/python3 examples/digits/train_digits.py [--out DIR] [--epochs N]

Writes into DIR (default: this script's directory):
    digits.onnx        the float model (input [1,1,8,8] NCHW, output [1,10]
                       softmax probabilities)
    calib.npy          float32 [200,8,8,1] training images for int8 calibration
    test_x.npy         float32 [N,8,8,1] the held-out test split
    test_y.npy         int64 [N] its labels
    float_acc.txt      the float model's test accuracy (PyTorch)

neurio converts rank-4 ONNX inputs from NCHW to its NHWC layout, so the
arrays are NHWC: [N, 8, 8, 1] (for one channel the bytes are the same).
Pixel values 0..16 are scaled to [0, 1].  Everything is seeded, so a rerun
gives the same split; the weights can differ by tiny amounts across
machines (float summation order).
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


class DigitsCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU6(),
            nn.AvgPool2d(2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 2 * 2, 10))

    def forward(self, x):
        return torch.softmax(self.classifier(self.features(x)), dim=1)

    def logits(self, x):
        return self.classifier(self.features(x))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(1)

    d = load_digits()
    x = (d.images.astype(np.float32) / 16.0)[:, None, :, :]  # N,1,8,8
    y = d.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.25, random_state=args.seed,
                                              stratify=y)
    model = DigitsCNN()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    lossf = nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x_tr), torch.from_numpy(y_tr)
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            loss = lossf(model.logits(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(x_te)).argmax(1).numpy()
    acc = float((pred == y_te).mean())
    print(f"float test accuracy (PyTorch): {acc * 100:.2f}% on {len(y_te)} images")

    onnx_path = os.path.join(args.out, "digits.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 8, 8), onnx_path, opset_version=13,
                      input_names=["image"], output_names=["probs"],
                      do_constant_folding=True)
    nhwc = lambda a: np.ascontiguousarray(a.transpose(0, 2, 3, 1))
    np.save(os.path.join(args.out, "calib.npy"), nhwc(x_tr[:200]))
    np.save(os.path.join(args.out, "test_x.npy"), nhwc(x_te))
    np.save(os.path.join(args.out, "test_y.npy"), y_te)
    with open(os.path.join(args.out, "float_acc.txt"), "w") as f:
        f.write(f"{acc:.6f}\n")
    print(f"wrote {onnx_path}, calib.npy, test_x.npy, test_y.npy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
