"""Sampling time of the CPU miniature's model against the number of sequences per `generate` call.

Mining, the learning-signal probe and the held-out evaluation sample with transformers `generate`
(`sparkle.data.sampler.TransformersSampler`), `samples` sequences per prompt. Larger calls are not
faster here: each decoding step copies the whole key/value cache, so past some size the copies cost
more than the per-call overhead saves. `sparkle.demo.settings.GENERATION_SEQUENCES` is set from this.

Samples the first `--problems` hard problems of the demo `--samples` times each (SPARKLE prompt,
temperature 1.0, 96 new tokens, as mining does) with the model in `--model` (default: a random tiny
model of the demo's shape, which never stops early, so every call runs all 96 steps), for each
`--sequences` size, and prints the median of `--repeats` wall times and the ratio to the fastest.

Usage: python benchmarks/demo_generation_batch.py [--model DIR] [--problems 64] [--samples 16]
       [--sequences 512 256 128 64] [--repeats 1]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sparkle.data.prompts import chat_messages, plain_prompt
from sparkle.data.sampler import SamplingSettings, TransformersSampler
from sparkle.demo.pipeline import random_demo_model
from sparkle.demo.settings import FULL, prompts_per_generate
from sparkle.demo.tasks import hard_problems


def median_seconds(model: Path, prompts: list, samples: int, sequences: int, repeats: int) -> float:
    """Median wall time of sampling `prompts` `samples` times each in calls of about `sequences`."""
    settings = SamplingSettings(
        n=samples, max_new_tokens=96, temperature=1.0, seed=0, batch_size=prompts_per_generate(samples, sequences)
    )
    sampler = TransformersSampler(str(model), settings, device="cpu")
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        sampler.generate(prompts)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--problems", type=int, default=64)
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--sequences", type=int, nargs="+", default=[512, 256, 128, 64])
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    problems = hard_problems(0)[: args.problems]
    model = args.model or random_demo_model(Path(tempfile.mkdtemp(prefix="sparkle-gen-bench-")), FULL, problems)
    prompts = [chat_messages(plain_prompt(p.problem)) for p in problems]
    seconds = {n: median_seconds(model, prompts, args.samples, n, args.repeats) for n in args.sequences}
    fastest = min(seconds.values())
    print(f"{args.problems} problems x {args.samples} samples, model {model}")
    for sequences, value in seconds.items():
        print(f"  {sequences:4d} sequences per call: {value:6.1f} s ({value / fastest:.2f}x the fastest)")


if __name__ == "__main__":
    main()
