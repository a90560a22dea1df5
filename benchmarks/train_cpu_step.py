"""GRPO step time and memory of the CPU backend: the real verl 0.9.1 trainer on 2 gloo ranks.

Builds a tiny random Qwen2 (hidden 128, 2 layers, BPE vocab 1024) and the stage-1 sample data, runs
`sparkle train stage1 --cpu` for --steps steps (4 prompts x 4 rollouts, 64 response tokens), and
prints:
- the median step time after the first (warm-up) step;
- the share of step time in rollout (timing_s/gen, which includes reward scoring in verl's agent
  loop), reward (timing_s/reward, when verl reports it separately), old/ref log-probs and the
  actor update;
- peak resident memory summed over the whole process tree (driver, Ray, workers, rollout servers).

Usage: python benchmarks/train_cpu_step.py [--steps 6] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from process_tree import run_measured

from sparkle.tiny_model import build_tiny_model

REPO = Path(__file__).resolve().parents[1]
PHASES = {
    "rollout (gen)": "timing_s/gen",
    "reward": "timing_s/reward",
    "old log-prob": "timing_s/old_log_prob",
    "ref log-prob": "timing_s/ref",
    "actor update": "timing_s/update_actor",
    "weight sync": "timing_s/update_weights",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="sparkle-bench-"))
    model = build_tiny_model(work / "model")
    data = work / "data"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sparkle",
            "data",
            "stage1",
            "--source",
            str(REPO / "data/samples/dsr40k.jsonl"),
            "--val-source",
            str(REPO / "data/samples/benchmarks/aime2024.jsonl"),
            "--output",
            str(data),
        ],
        check=True,
        capture_output=True,
    )
    metrics_file = work / "metrics.jsonl"
    command = [
        sys.executable,
        "-m",
        "sparkle",
        "train",
        "stage1",
        "--model",
        str(model),
        "--cpu",
        f"data.train_files={data / 'sparkle_dsr40k.parquet'}",
        f"data.val_files={data / 'sparkle_aime2024.parquet'}",
        "data.train_batch_size=4",
        "data.max_prompt_length=512",
        "data.max_response_length=64",
        "actor_rollout_ref.rollout.n=4",
        "actor_rollout_ref.actor.ppo_mini_batch_size=4",
        f"trainer.total_training_steps={args.steps}",
        "trainer.val_before_train=false",
        "trainer.test_freq=-1",
        "trainer.save_freq=-1",
        f"trainer.default_local_dir={work / 'ckpt'}",
        "trainer.logger=[console,file]",
        f"+ray_kwargs.ray_init.runtime_env.env_vars.VERL_FILE_LOGGER_PATH={metrics_file}",
    ]
    run = run_measured(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if run.status != 0:
        sys.exit(f"training failed with status {run.status}; rerun the command by hand:\n{' '.join(command)}")
    rows = [json.loads(line)["data"] for line in metrics_file.read_text().splitlines()]
    steady = rows[1:] or rows
    step = statistics.median(r["timing_s/step"] for r in steady)
    print(f"{len(rows)} steps, tiny Qwen2 (hidden 128, 2 layers), 2 ranks, 4 prompts x 4 rollouts x 64 tokens")
    print(f"median step time after warm-up : {step:.2f} s   (first step {rows[0]['timing_s/step']:.2f} s)")
    for name, key in PHASES.items():
        if all(key in r for r in steady):
            share = statistics.median(r[key] / r["timing_s/step"] for r in steady)
            print(f"  {name:<15} {share:6.1%} of the step")
    print(f"peak RSS, whole process tree   : {run.peak_rss / 2**30:.2f} GiB")
    print(f"wall time incl. Ray start-up   : {run.seconds:.0f} s")


if __name__ == "__main__":
    main()
