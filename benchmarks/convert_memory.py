"""Peak memory and time of checkpoint conversion, streaming vs loading everything.

Writes a real verl FSDP2 checkpoint of a randomly initialised Qwen2 of a few hundred million
parameters (default ~340M: hidden 1024, 24 layers, vocabulary 32k, untied), sharded over 2 gloo ranks
and saved by verl's `FSDPCheckpointManager` in fp32, then converts it to bf16 in fresh processes with:

- ``sparkle``: `sparkle convert --no-validate` (the merge alone);
- ``sparkle+validate``: `sparkle convert` with its default validation (two models built in turn);
- ``plain``: load every shard whole, concatenate, cast, `safetensors.save_file` (a load-everything merge);
- ``verl``: `python -m verl.model_merger merge` (loads every shard, always writes bf16).

For each it prints the wall time, the peak RSS of the process (``ru_maxrss``), the RSS after imports
(``VmHWM`` just before the merge starts) and the ratio peak RSS / output bytes, with and without that
import baseline. The output bytes are the bf16 weights written.

Usage: python benchmarks/convert_memory.py [--layers 24] [--hidden 1024] [--workdir DIR] [--methods ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

METHODS = ("sparkle", "sparkle+validate", "plain", "verl")


def _hwm_bytes() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _plain_merge(actor: Path, output: Path) -> None:
    """Load every shard whole, concatenate the local pieces along dim 0, cast to bf16, save once."""
    import torch
    import torch.distributed.tensor  # DTensor on the weights_only allow-list
    from safetensors.torch import save_file

    world = len(list(actor.glob("model_world_size_*_rank_*.pt")))
    shards = [
        torch.load(actor / f"model_world_size_{world}_rank_{r}.pt", map_location="cpu", weights_only=True)
        for r in range(world)
    ]
    merged = {}
    for key in shards[0]:
        pieces = [s[key]._local_tensor if hasattr(s[key], "_local_tensor") else s[key] for s in shards]
        merged[key] = torch.cat(pieces, dim=0).to(torch.bfloat16)
    output.mkdir(parents=True, exist_ok=True)
    save_file(merged, output / "model.safetensors", metadata={"format": "pt"})


def _child(method: str, actor: Path, output: Path) -> None:
    """Run one method in this (fresh) process and print a JSON line with its figures."""
    # Every method starts from the same imports (torch, transformers, verl), counted as the baseline.
    import torch  # noqa: F401
    import transformers  # noqa: F401
    from verl.model_merger.base_model_merger import ModelMergerConfig
    from verl.model_merger.fsdp_model_merger import FSDPModelMerger

    from sparkle.checkpoint import convert

    baseline = _hwm_bytes()
    start = time.monotonic()
    if method.startswith("sparkle"):
        convert(actor, output, dtype="bf16", validate=method == "sparkle+validate", progress=False, log=None)
    elif method == "plain":
        _plain_merge(actor, output)
    else:
        output.mkdir(parents=True, exist_ok=True)
        config = ModelMergerConfig(
            operation="merge",
            backend="fsdp",
            local_dir=str(actor),
            hf_model_config_path=str(actor / "huggingface"),
            target_dir=str(output),
        )
        FSDPModelMerger(config).merge_and_save()
    seconds = time.monotonic() - start
    weights = sum(p.stat().st_size for p in output.glob("*.safetensors"))
    print(json.dumps({"baseline": baseline, "seconds": seconds, "file_bytes": weights}))


def _run(method: str, actor: Path, output: Path) -> dict[str, float]:
    shutil.rmtree(output, ignore_errors=True)
    env = dict(os.environ, VERL_LOGGING_LEVEL="WARNING", TQDM_DISABLE="1")
    command = [sys.executable, __file__, "--child", method, "--actor", str(actor), "--output", str(output)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    assert process.stdout is not None
    stdout = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"{method}: failed (status {status}); run it alone with --child to see why")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["peak"] = usage.ru_maxrss * 1024  # KiB on Linux
    return result


def _build(workdir: Path, hidden: int, layers: int, vocab: int) -> tuple[Path, int]:
    from sparkle.checkpoint.synthetic import ExperimentJob, build_base_model, write_fsdp_experiments
    from sparkle.tiny_model import synthetic_math_corpus, train_tokenizer

    tokens = len(train_tokenizer(synthetic_math_corpus(200), vocab_size=512))
    base = build_base_model(
        workdir / "base",
        hidden_size=hidden,
        num_layers=layers,
        num_heads=hidden // 64,
        num_kv_heads=max(1, hidden // 256),
        intermediate_size=hidden * 11 // 4,
        extra_vocab=max(0, vocab - tokens),
        tie_word_embeddings=False,
        with_weights=False,
    )
    job = ExperimentJob(workdir / "exp", base, random_init=True, save_contents=("model",), reference=False)
    write_fsdp_experiments([job], world_size=2)
    config = json.loads((base / "config.json").read_text())
    h, i, v, n = config["hidden_size"], config["intermediate_size"], config["vocab_size"], config["num_hidden_layers"]
    kv = config["num_key_value_heads"] * (h // config["num_attention_heads"])
    per_layer = 2 * h * h + 2 * h * kv + h + 2 * kv + 3 * h * i + 2 * h
    return workdir / "exp" / "global_step_1" / "actor", 2 * v * h + n * per_layer + h


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hidden", type=int, default=1024)
    parser.add_argument("--layers", type=int, default=24)
    parser.add_argument("--vocab", type=int, default=32000)
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument("--workdir", type=Path, help="keep the checkpoint here (default: a temporary directory)")
    parser.add_argument("--child", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--actor", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.actor, args.output)
        return 0

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sparkle-convert-bench-"))
    try:
        actor = workdir / "exp" / "global_step_1" / "actor"
        started = time.monotonic()
        if not actor.is_dir():
            actor, params = _build(workdir, args.hidden, args.layers, args.vocab)
        else:
            params = None
        shards = sum(p.stat().st_size for p in actor.glob("model_world_size_*_rank_*.pt"))
        print(f"checkpoint: {actor} ({shards / 1e9:.2f} GB of fp32 shards over 2 ranks", end="")
        print(f", {params / 1e6:.0f}M parameters, built in {time.monotonic() - started:.0f} s)" if params else ")")
        print(
            f"{'method':<18} {'time':>7} {'peak RSS':>9} {'after imports':>13} {'output':>8} {'peak/out':>8} "
            f"{'(peak-imports)/out':>18}"
        )
        for method in args.methods:
            r = _run(method, actor, workdir / f"out-{method}")
            out = r["file_bytes"]
            print(
                f"{method:<18} {r['seconds']:>6.1f}s {r['peak'] / 1e9:>7.2f}GB {r['baseline'] / 1e9:>11.2f}GB "
                f"{out / 1e9:>6.2f}GB {r['peak'] / out:>8.2f} {(r['peak'] - r['baseline']) / out:>18.2f}"
            )
            shutil.rmtree(workdir / f"out-{method}", ignore_errors=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
