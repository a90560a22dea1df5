"""`sparkle demo`: the whole two-stage SPARKLE recipe in miniature on a CPU."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from sparkle.demo.settings import FULL, QUICK

DESCRIPTION = """\
Run the SPARKLE recipe end to end on a CPU (about 12 minutes on 2 cores): generated addition
problems (easy one-step ones for stage 1, hard five-step ones for stage 2), a tiny Qwen2
warm-started with verl's SFT trainer by a careless teacher, stage-1 GRPO, conversion, hard-set
mining, hint-augmented stage-2 data and the learning-signal probe, stage-2 GRPO (spk_h_aug),
conversion, and avg@8 evaluation on held-out problems. Uses the same configs, trainer and commands
as the GPU recipe, plus the cpu preset. Writes report.md (results, probe, learning checks),
learning_curves.png, results.json and the converted models (models/) to --output. Exits 1 if a
learning check fails.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `sparkle demo` to the top-level parser."""
    demo = subparsers.add_parser(
        "demo",
        help="the two-stage recipe in miniature on CPU",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument("--output", type=Path, default=Path("runs/demo"), help="output folder (default: runs/demo)")
    demo.add_argument("--quick", action="store_true", help="a smaller run with the same stages (for CI)")
    demo.add_argument("--seed", type=int, default=0, help="seed of the generated data and the model (default: 0)")
    demo.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo and print where its report is."""
    from sparkle.demo.pipeline import run_demo
    from sparkle.demo.report import learning_checks

    settings = replace(QUICK if args.quick else FULL, seed=args.seed)
    results = run_demo(args.output, settings)
    print(f"\nreport: {args.output / 'report.md'} ({results['minutes']} min)")
    checks = learning_checks(results)
    for text, ok in checks.items():
        print(f"  [{'ok' if ok else '--'}] {text}")
    return 0 if all(checks.values()) else 1
