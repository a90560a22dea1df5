"""`sparkle train stage1|stage2`: check inputs, then launch verl's GRPO trainer with a stage config."""

from __future__ import annotations

import argparse
from pathlib import Path

from omegaconf import DictConfig

from sparkle.errors import UserError
from sparkle.train.configs import CPU_PRESET, STAGE_CONFIGS, compose, config_dir
from sparkle.train.launch import build_launch, run
from sparkle.train.preflight import preflight
from sparkle.train.resume import describe, latest_step, resume_point

DESCRIPTION = """\
Launch SparkleRL training on verl (python -m verl.trainer.main_ppo) with a stage config from configs/.

  stage1                 GRPO on dsr40k, reward spk_h (configs/stage_one.yaml)
  stage2 --aug           GRPO on hint-augmented hardmath, reward spk_h_aug (stage_two_aug.yaml; default)
  stage2 --hard / --mix  the hard-only and mixed stage-2 variants

--model takes an HF model directory or hub id; for stage2 it may also be a stage-1 experiment
directory, whose latest checkpoint is converted to an HF model first. --cpu adds the CPU preset
(configs/preset/cpu.yaml). Anything after the options is passed to verl as Hydra overrides, e.g.
trainer.total_training_steps=10 data.train_batch_size=64. Before launching, the data files, the model
directory, prompt lengths and the model's context length are checked.

usage: sparkle train {stage1,stage2} [--aug|--hard|--mix] --model MODEL [--cpu] [overrides ...]
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `sparkle train` to the top-level parser."""
    train = subparsers.add_parser(
        "train",
        help="launch stage-1 or stage-2 GRPO on verl",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    train.add_argument("stage", choices=("stage1", "stage2"), help="which stage to train")
    variant = train.add_mutually_exclusive_group()
    for name in ("aug", "hard", "mix"):
        variant.add_argument(f"--{name}", dest="variant", action="store_const", const=name, help=f"stage-2 {name} data")
    train.add_argument("--model", required=True, help="HF model dir or hub id (stage2: or a stage-1 experiment dir)")
    train.add_argument("--cpu", action="store_true", help="run on CPU with Sparkle's verl plugin")
    train.add_argument("--config-dir", type=Path, help="folder of stage configs (default: the repository's configs/)")
    train.add_argument("--skip-prompt-check", action="store_true", help="do not tokenize the data to check lengths")
    train.add_argument("--dry-run", action="store_true", help="check and print the command, do not run it")
    train.set_defaults(func=run_train, forwards_overrides=True)


def resolve_model(stage: str, model: str, dtype: str = "bf16") -> str:
    """The HF model to train: `model` itself, or for stage 2 the converted latest stage-1 checkpoint
    (written once to `<experiment>/hf_global_step_N` in `dtype`)."""
    path = Path(model).expanduser()
    step = latest_step(path) if path.is_dir() else None
    if step is None:
        return model
    if stage != "stage2":
        raise UserError(f"--model {model} is an experiment directory; stage1 needs an HF model")
    from sparkle.checkpoint import convert_checkpoint

    target = path / f"hf_global_step_{step}"
    if not (target / "config.json").is_file():
        print(f"converting {path} (global_step_{step}) -> {target}")
        convert_checkpoint(path, target, dtype=dtype)
    return str(target)


def run_train(args: argparse.Namespace) -> int:
    """Compose, check and launch one stage."""
    if args.stage == "stage1" and args.variant:
        raise UserError("--aug/--hard/--mix apply to stage2 only")
    variant = args.variant or "aug" if args.stage == "stage2" else None
    config_name = STAGE_CONFIGS[(args.stage, variant)]
    directory = config_dir(args.config_dir)
    model = resolve_model(args.stage, args.model, dtype="fp32" if args.cpu else "bf16")
    overrides = [f"actor_rollout_ref.model.path={model}", *args.overrides]
    composed = compose(directory, config_name, ([CPU_PRESET] if args.cpu else []) + overrides)
    preflight(composed, check_prompts=not args.skip_prompt_check)
    report_resume(composed)
    launch = build_launch(directory, config_name, overrides, cpu=args.cpu)
    print(launch.shell())
    return 0 if args.dry_run else run(launch)


def report_resume(config: DictConfig) -> None:
    """Print where a `resume_mode=auto` run will resume from, if it will."""
    if str(config.trainer.resume_mode) != "auto":
        return
    import pyarrow.parquet as pq

    files = config.data.train_files
    rows = sum(pq.ParquetFile(f).metadata.num_rows for f in ([files] if isinstance(files, str) else files))
    point = resume_point(config.trainer.default_local_dir, rows, int(config.data.train_batch_size))
    if point is not None:
        print(describe(point))
