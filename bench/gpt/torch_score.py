"""PyTorch scores the same sliding windows as lmkit's GPT scorer, with the same weights.

Reads an lmkit GPT checkpoint folder (model.safetensors under GPT-2's names, config.json) and a file of
token ids (int32, the start prefix included), slides windows of block_size + 1 tokens by `stride` as
lmkit does (each window scores the positions the previous one did not), runs them through a GPT-2 forward
(layer norm, gelu tanh, tied head; learned positions only) in batches of equal-length windows, and prints
one JSON line: tokens scored, nats (-sum ln p), seconds of scoring, threads.

  /usr/bin/python3 bench/gpt/torch_score.py CKPT_DIR IDS_FILE --stride 32 [--threads 1] [--batch 64]
"""
import argparse
import json
import math
import struct
import time

import numpy as np
import torch
import torch.nn.functional as F


def read_safetensors(path):
    """The tensors of a safetensors file as float32 torch tensors, by name."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", f"{name}: {info['dtype']}"
        a, b = info["data_offsets"]
        arr = np.frombuffer(blob, dtype=np.float32, count=(b - a) // 4, offset=8 + n + a)
        out[name] = torch.from_numpy(arr.copy()).reshape(info["shape"])
    return out


def layer_norm(x, w, name, eps):
    return F.layer_norm(x, (x.shape[-1],), w[name + ".weight"], w.get(name + ".bias"), eps)


def linear(x, w, name):
    """GPT-2's Conv1D: weight stored (in, out)."""
    y = x @ w[name + ".weight"]
    b = w.get(name + ".bias")
    return y + b if b is not None else y


def forward(ids, w, cfg):
    """Log-probabilities (n, T, V) of a batch of windows (n, T)."""
    n, T = ids.shape
    H, C = cfg["n_head"], cfg["n_embd"]
    eps = cfg.get("layer_norm_epsilon", 1e-5)
    x = w["wte.weight"][ids] + w["wpe.weight"][:T]
    mask = torch.ones(T, T, dtype=torch.bool).tril()
    for i in range(cfg["n_layer"]):
        p = f"h.{i}."
        q, k, v = linear(layer_norm(x, w, p + "ln_1", eps), w, p + "attn.c_attn").split(C, dim=2)
        q, k, v = (t.view(n, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // H)
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(n, T, C)
        x = x + linear(y, w, p + "attn.c_proj")
        h = F.gelu(linear(layer_norm(x, w, p + "ln_2", eps), w, p + "mlp.c_fc"), approximate="tanh")
        x = x + linear(h, w, p + "mlp.c_proj")
    x = layer_norm(x, w, "ln_f", eps)
    return (x @ w["wte.weight"].T).log_softmax(-1)


def windows(length, first, block, stride):
    """(begin, end, from) of each window over a stream whose scored part starts at `first`."""
    out, begin, nxt = [], 0, first
    while nxt < length:
        end = min(begin + block + 1, length)
        out.append((begin, end, max(nxt, begin + 1)))
        nxt = end
        begin += stride
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ckpt")
    ap.add_argument("ids")
    ap.add_argument("--stride", type=int, required=True)
    ap.add_argument("--first", type=int, default=1, help="stream index of the first scored token (after the prefix)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg = json.load(open(f"{args.ckpt}/config.json"))
    assert not cfg.get("rope") and cfg.get("norm", "layernorm") == "layernorm", "GPT-2 shape only"
    w = read_safetensors(f"{args.ckpt}/model.safetensors")
    stream = torch.from_numpy(np.fromfile(args.ids, dtype=np.int32).astype(np.int64))
    wins = windows(len(stream), args.first, cfg["block_size"], args.stride)
    nats, tokens = 0.0, 0
    start = time.perf_counter()
    with torch.no_grad():
        k = 0
        while k < len(wins):
            T = wins[k][1] - wins[k][0] - 1
            n = 1
            while n < args.batch and k + n < len(wins) and wins[k + n][1] - wins[k + n][0] - 1 == T:
                n += 1
            ids = torch.stack([stream[b : b + T] for b, _, _ in wins[k : k + n]])
            logp = forward(ids, w, cfg)
            for r, (b, e, f) in enumerate(wins[k : k + n]):
                pos = torch.arange(f, e)
                nats -= logp[r, pos - b - 1, stream[pos]].double().sum().item()
                tokens += e - f
            k += n
    seconds = time.perf_counter() - start
    print(json.dumps({"tokens": tokens, "nats": nats, "seconds": seconds, "threads": args.threads}))


if __name__ == "__main__":
    main()
