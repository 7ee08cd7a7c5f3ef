#!/usr/bin/env python3
"""Writes the PyTorch fixtures of Tests/Serving/ModelFiles/PyTorchImportTests: a small Wide ResNet and a small MLP with
batch norm, built as PyTorch modules whose state_dict names are RocketNet's, with the logits PyTorch computes
on a fixed input. Run from this folder with Debian's python3-torch (apt-get install -y python3-torch):

    /usr/bin/python3 make_fixtures.py

The safetensors files are written here by a few lines that follow the format's specification (the
`safetensors` Python package is not in Debian 12); the tensors, their names and the logits are PyTorch's.
To exercise every float type RocketNet reads, the WRN's convolutions are stored as BF16, its batch-norm
tensors as F16 and the MLP as F64, each rounded to that type inside the model before the logits are computed
(so the stored values are exactly the ones used). BatchNorm's num_batches_tracked counters stay I64.
"""
import json
import struct

import torch
from torch import nn

torch.manual_seed(20261202)


class WideBlock(nn.Module):
    """RocketNet's WideBlock: o1 = relu(bn0(x)); out = conv1(relu(bn1(conv0(o1)))) + (proj(o1) or x)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn0 = nn.BatchNorm2d(cin)
        self.conv0 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv1 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.proj = nn.Conv2d(cin, cout, 1, stride, 0, bias=False) if cin != cout else None

    def forward(self, x):
        o1 = torch.relu(self.bn0(x))
        y = self.conv1(torch.relu(self.bn1(self.conv0(o1))))
        return y + (self.proj(o1) if self.proj is not None else x)


class WideResNet(nn.Module):
    """RocketNet's WideResNet names: stem, group{g}.block{b}, bn, fc (depth 10, widen 1: one block per group)."""

    def __init__(self, depth=10, widen=1, classes=3, cin=3):
        super().__init__()
        blocks = (depth - 4) // 6
        widths = [16 * widen, 32 * widen, 64 * widen]
        self.stem = nn.Conv2d(cin, 16, 3, 1, 1, bias=False)
        previous = 16
        for g, (width, stride) in enumerate(zip(widths, [1, 2, 2])):
            group = nn.Module()
            for b in range(blocks):
                setattr(group, f"block{b}", WideBlock(previous if b == 0 else width, width, stride if b == 0 else 1))
            setattr(self, f"group{g}", group)
            previous = width
        self.bn = nn.BatchNorm2d(previous)
        self.fc = nn.Linear(previous, classes)

    def forward(self, x):
        h = self.stem(x)
        for g in range(3):
            group = getattr(self, f"group{g}")
            for block in group.children():
                h = block(h)
        return self.fc(torch.relu(self.bn(h)).mean(dim=(2, 3)))


class MlpWithBatchNorm(nn.Module):
    """The booster of RocketNet's 'mlp in=6 shared=5 booster=7x4 light= classes=3 booster-bn=1' pair:
    trunk = Linear(6,5), ReLU; head = Linear(5,7), BatchNorm1d, ReLU, Linear(7,4), BatchNorm1d, ReLU, Linear(4,3)."""

    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(6, 5), nn.ReLU())
        self.head = nn.Sequential(nn.Linear(5, 7), nn.BatchNorm1d(7), nn.ReLU(), nn.Linear(7, 4), nn.BatchNorm1d(4), nn.ReLU(),
                                  nn.Linear(4, 3))

    def forward(self, x):
        return self.head(self.trunk(x))


def settle_batch_norm(model, inputs):
    """A few training-mode passes so the running statistics are not the initial 0 and 1, and random affine parameters."""
    model.train()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
        for _ in range(5):
            model(inputs)
    model.eval()


DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}


def save_file(tensors, path, metadata=None):
    """safetensors format: 8-byte little-endian header length, a JSON header padded with spaces to 8 bytes, the data."""
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        data = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


def round_to(model, dtype, predicate):
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if t.is_floating_point() and predicate(name):
                t.copy_(t.to(dtype).to(torch.float32))


# Wide ResNet: input [4, 3, 8, 8].
wrn = WideResNet()
wrn_input = torch.randn(4, 3, 8, 8)
settle_batch_norm(wrn, torch.randn(16, 3, 8, 8))
is_conv = lambda n: "conv" in n or "proj" in n or n.startswith("stem")
is_bn = lambda n: "bn" in n
round_to(wrn, torch.bfloat16, is_conv)
round_to(wrn, torch.float16, is_bn)
with torch.no_grad():
    wrn_logits = wrn(wrn_input)
state = {n: (t.to(torch.bfloat16) if is_conv(n) else t.to(torch.float16) if is_bn(n) and t.is_floating_point() else t)
         for n, t in wrn.state_dict().items()}
save_file(state, "wrn10-1.safetensors", {"format": "pt"})
save_file({"input": wrn_input, "logits": wrn_logits}, "wrn10-1.expected.safetensors")

# MLP with batch norm: input [5, 6].
mlp = MlpWithBatchNorm()
mlp_input = torch.randn(5, 6)
settle_batch_norm(mlp, torch.randn(32, 6))
with torch.no_grad():
    mlp_logits = mlp(mlp_input)
save_file({n: (t.to(torch.float64) if t.is_floating_point() else t) for n, t in mlp.state_dict().items()}, "mlp-bn.safetensors", {"format": "pt"})
save_file({"input": mlp_input, "logits": mlp_logits}, "mlp-bn.expected.safetensors")
print("wrote wrn10-1 and mlp-bn fixtures with", torch.__version__)
