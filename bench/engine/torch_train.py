#!/usr/bin/env python3
"""PyTorch's side of bench/engine/compare.ts at a given GPT shape: tokens/s of the training step.

The model is nanoGPT's (pre-norm blocks, no biases, tied embeddings, GELU MLP of 4C, causal attention
written out as nanoGPT's fallback path does, since Debian's torch 1.13 has no scaled_dot_product_attention),
dropout 0, AdamW lr 1e-3 betas (0.9, 0.99) weight decay 0.1, gradient clipping at 1.0; characters as
tokens (the vocab - 1 most frequent, id 0 for the rest). tokens/s counts batch * block tokens per step.
Threads: torch's own (OpenMP) and OpenBLAS's both set to --threads (OpenBLAS through its C API after
loading, so no OPENBLAS_* variable changes). Run with /usr/bin/python3 (Debian's python3-torch).

  /usr/bin/python3 bench/engine/torch_train.py --data TEXT --n-layer 6 --n-head 6 --n-embd 384 \
      --block 256 --batch 16 --vocab 65 --steps 5 --warmup 1 --threads 1
"""
import argparse
import collections
import ctypes
import math
import os
import time

ap = argparse.ArgumentParser()
ap.add_argument('--data', required=True)
ap.add_argument('--n-layer', type=int, default=4)
ap.add_argument('--n-head', type=int, default=4)
ap.add_argument('--n-embd', type=int, default=128)
ap.add_argument('--block', type=int, default=64)
ap.add_argument('--batch', type=int, default=12)
ap.add_argument('--vocab', type=int, default=65)
ap.add_argument('--steps', type=int, default=10)
ap.add_argument('--warmup', type=int, default=2)
ap.add_argument('--threads', type=int, default=1)
args = ap.parse_args()
os.environ.setdefault('OMP_NUM_THREADS', str(args.threads))
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')  # spinning OpenMP threads collapse on shared cores

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(0)
try:
    blas = ctypes.CDLL('libblas.so.3')
    blas.openblas_set_num_threads(args.threads)
    blas.openblas_get_corename.restype = ctypes.c_char_p
    core = blas.openblas_get_corename().decode()
except (OSError, AttributeError):
    core = 'unknown'


class Block(nn.Module):
    def __init__(self, C, H):
        super().__init__()
        self.H = H
        self.ln1 = nn.LayerNorm(C)
        self.attn = nn.Linear(C, 3 * C, bias=False)
        self.proj = nn.Linear(C, C, bias=False)
        self.ln2 = nn.LayerNorm(C)
        self.fc = nn.Linear(C, 4 * C, bias=False)
        self.fc2 = nn.Linear(4 * C, C, bias=False)

    def forward(self, x, mask):
        B, T, C = x.shape
        q, k, v = self.attn(self.ln1(x)).split(C, dim=2)
        shape = (B, T, self.H, C // self.H)
        q, k, v = (t.view(shape).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(mask[:, :, :T, :T] == 0, float('-inf')).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        x = x + self.proj(y)
        return x + self.fc2(F.gelu(self.fc(self.ln2(x))))


class GPT(nn.Module):
    def __init__(self, V, T, L, H, C):
        super().__init__()
        self.wte = nn.Embedding(V, C)
        self.wpe = nn.Embedding(T, C)
        self.blocks = nn.ModuleList([Block(C, H) for _ in range(L)])
        self.lnf = nn.LayerNorm(C)
        self.head = nn.Linear(C, V, bias=False)
        self.head.weight = self.wte.weight
        self.register_buffer('mask', torch.tril(torch.ones(T, T)).view(1, 1, T, T))
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0, 0.02)

    def forward(self, idx, tgt):
        T = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(T))
        for b in self.blocks:
            x = b(x, self.mask)
        logits = self.head(self.lnf(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))


B, T, V = args.batch, args.block, args.vocab
text = open(args.data, encoding='utf-8', errors='replace').read()
stoi = {c: i + 1 for i, (c, _) in enumerate(collections.Counter(text).most_common(V - 1))}
data = torch.tensor([stoi.get(c, 0) for c in text], dtype=torch.long)
model = GPT(V, T, args.n_layer, args.n_head, args.n_embd)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.99), weight_decay=0.1)


def step():
    ix = torch.randint(len(data) - T - 1, (B,))
    x = torch.stack([data[i:i + T] for i in ix])
    y = torch.stack([data[i + 1:i + T + 1] for i in ix])
    loss = model(x, y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss.item()


for _ in range(args.warmup):
    step()
t0 = time.perf_counter()
for _ in range(args.steps):
    loss = step()
dt = (time.perf_counter() - t0) / args.steps
params = sum(p.numel() for p in model.parameters())
print(f'torch {torch.__version__} OpenBLAS core {core}, {params} parameters')
print(f'GPT train threads={args.threads}: {dt * 1e3:.2f} ms/step, {B * T / dt:.0f} tokens/s over {args.steps} steps '
      f'(loss {loss:.3f})')
