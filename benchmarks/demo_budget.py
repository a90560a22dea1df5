"""Wall time and peak memory of the CPU miniature against its budget (issue 8: <= 15 min, <= 12 GB).

Runs `sparkle demo [--quick] --seed S --base-seed B` into a temporary folder and prints its wall time, the minutes
of each stage (from results.json), the peak resident memory summed over the whole process tree
(driver, torchrun ranks, Ray workers), and the learning checks.

Usage: python benchmarks/demo_budget.py [--quick] [--seed 0] [--base-seed 0] [--output DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from process_tree import run_measured

from sparkle.demo.report import learning_checks

BUDGET_MINUTES = 15
BUDGET_GIB = 12


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--base-seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    output = args.output or Path(tempfile.mkdtemp(prefix="sparkle-demo-bench-"))
    command = [sys.executable, "-m", "sparkle", "demo", "--output", str(output)]
    command += ["--seed", str(args.seed), "--base-seed", str(args.base_seed)]
    command += ["--quick"] if args.quick else []
    log = output / "demo.log"
    output.mkdir(parents=True, exist_ok=True)
    with log.open("w") as handle:
        run = run_measured(command, stdout=handle, stderr=subprocess.STDOUT)
    results_file = output / "results.json"
    if not results_file.is_file():
        sys.exit(f"the demo failed with status {run.status} before writing results; see {log}")
    results = json.loads(results_file.read_text())
    flags = f"{' --quick' if args.quick else ''} --seed {args.seed} --base-seed {args.base_seed}"
    print(f"sparkle demo{flags} (exit status {run.status})")
    print(f"wall time                    : {run.seconds / 60:.1f} min (budget {BUDGET_MINUTES})")
    for stage, minutes in results["stage_minutes"].items():
        print(f"  {stage:<26} {minutes:5.2f} min")
    print(f"peak RSS, whole process tree : {run.peak_rss / 2**30:.2f} GiB (budget {BUDGET_GIB})")
    for text, ok in learning_checks(results).items():
        print(f"  [{'ok' if ok else '--'}] {text}")


if __name__ == "__main__":
    main()
