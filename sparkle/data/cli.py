"""`sparkle data ...`: build the training and evaluation sets.

Subcommands: ``stage1``, ``stage2``, ``hard``, ``mix``, ``mine-hard`` and ``benchmarks``. Every one
takes ``--source`` (a hub id, or a local .parquet/.jsonl/.json file or dataset folder) and
``--output DIR`` (default ``data/``); bad rows stop the command with the file, row and field named,
unless ``--skip-invalid`` (then they are dropped, counted and listed in the report). Outputs are
written atomically and are byte-identical across re-runs with the same inputs.
"""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

from sparkle.argtypes import positive_int
from sparkle.errors import UserError

DEFAULT_OUTPUT = "data"

GROUP_DESCRIPTION = (
    "Build the training and evaluation sets. Every subcommand takes --source (a hub id, or a local "
    ".parquet/.jsonl/.json file or dataset folder) and --output DIR (default: data). Bad rows stop the "
    "command with the file, row and field named, unless --skip-invalid (then they are dropped, counted "
    "and listed in the report). Outputs are written atomically and are byte-identical across re-runs."
)


def _describe(*paragraphs: str) -> str:
    """Paragraphs wrapped for `RawDescriptionHelpFormatter` (which keeps the blank lines between them)."""
    return "\n\n".join(textwrap.fill(p, width=96) for p in paragraphs)


def _fractions(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from err
    if not values or not all(0 < v <= 1 for v in values):
        raise argparse.ArgumentTypeError(f"fractions must be in (0, 1], got {text!r}")
    return values


def _common(parser: argparse.ArgumentParser, default_source: str, source_help: str = "") -> None:
    parser.add_argument(
        "--source",
        default=default_source,
        help=source_help
        or f"hub dataset id, or a local .parquet/.jsonl/.json file or dataset folder (default: {default_source})",
    )
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="output directory (default: data)")
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="drop bad rows (missing/empty fields, wrong types, duplicates, unreadable answers) and list "
        "them in the report instead of stopping",
    )
    parser.add_argument(
        "--no-answer-check",
        dest="check_answers",
        action="store_false",
        help="do not check that sparkle.reward can read every gold answer",
    )


def _seed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=10000, help="shuffle seed (default: 10000, the original's)")


def run_stage1(args: argparse.Namespace) -> int:
    from sparkle.data.stage1 import prepare_stage1

    prepare_stage1(
        args.output,
        source=args.source,
        val_source=None if args.no_val else args.val_source,
        name=args.name,
        val_name=args.val_name,
        skip_invalid=args.skip_invalid,
        check_answers=args.check_answers,
    )
    return 0


def run_stage2(args: argparse.Namespace) -> int:
    from sparkle.data.stage2 import HintConfig, prepare_stage2
    from sparkle.data.tokens import load_tokenizer

    try:
        config = HintConfig(
            style=args.hint_style,
            aug_version=args.aug_version,
            levels=args.levels,
            fractions=args.fractions,
            hint_source=args.hint_source,
        )
    except ValueError as err:
        raise UserError(str(err)) from err
    tokenizer = load_tokenizer(args.tokenizer) if args.tokenizer else None
    prepare_stage2(
        args.output,
        source=args.source,
        name=args.name,
        config=config,
        tokenizer=tokenizer,
        max_prompt_length=args.max_prompt_length,
        overlong=args.overlong,
        seed=args.seed,
        skip_invalid=args.skip_invalid,
        check_answers=args.check_answers,
    )
    return 0


def run_hard(args: argparse.Namespace) -> int:
    from sparkle.data.variants import prepare_hard

    prepare_hard(
        args.output,
        source=args.source,
        name=args.name,
        seed=args.seed,
        skip_invalid=args.skip_invalid,
        check_answers=args.check_answers,
    )
    return 0


def run_mix(args: argparse.Namespace) -> int:
    from sparkle.data.variants import prepare_mix

    prepare_mix(
        args.output,
        source=args.source,
        stage1_source=args.stage1_source,
        stage1_share=args.stage1_share,
        name=args.name,
        seed=args.seed,
        skip_invalid=args.skip_invalid,
        check_answers=args.check_answers,
    )
    return 0


def run_mine_hard(args: argparse.Namespace) -> int:
    from sparkle.data.mining import mine_hard, parse_levels, probe_signal
    from sparkle.data.sampler import SamplingSettings

    settings = SamplingSettings(
        n=args.samples,
        max_new_tokens=args.max_new_tokens,
        temperature=args.temperature,
        seed=args.seed,
        batch_size=args.batch_size,
    )
    common: dict[str, Any] = {
        "model": args.model,
        "settings": settings,
        "backend": args.backend,
        "limit": args.limit,
        "skip_invalid": args.skip_invalid,
        "check_answers": args.check_answers,
    }
    if args.levels is not None:
        probe_signal(args.input, args.output, levels=parse_levels(args.levels), mode=args.mode or "spk_h_aug", **common)
    else:
        mine_hard(
            args.input,
            args.output,
            max_pass_rate=args.max_pass_rate,
            mode=args.mode or "spk_h",
            name=args.name,
            **common,
        )
    return 0


def run_benchmarks(args: argparse.Namespace) -> int:
    from sparkle.data.benchmarks import BENCHMARKS, prepare_benchmarks

    names = tuple(n.strip() for n in args.only.split(",") if n.strip()) if args.only else BENCHMARKS
    prepare_benchmarks(
        args.output,
        source=args.source,
        names=names,
        fine_grained_source=None if args.no_fine_grained else args.fine_grained_source,
        fine_grained_config=args.fine_grained_config,
        skip_invalid=args.skip_invalid,
        check_answers=args.check_answers,
    )
    return 0


def register(subparsers: Any) -> None:
    """Add the `data` command group to the top-level subparsers."""
    from sparkle.data.benchmarks import BENCHMARKS, DEFAULT_ORG, FINE_GRAINED_CONFIGS, FINE_GRAINED_SOURCE
    from sparkle.data.stage1 import DEFAULT_SOURCE as STAGE1_SOURCE
    from sparkle.data.stage1 import DEFAULT_VAL_SOURCE
    from sparkle.data.stage2 import AUG_VERSIONS, HINT_STYLES
    from sparkle.data.stage2 import DEFAULT_SOURCE as STAGE2_SOURCE

    fmt = argparse.RawDescriptionHelpFormatter
    data = subparsers.add_parser(
        "data",
        help="build training and evaluation data",
        description=_describe(GROUP_DESCRIPTION),
        formatter_class=fmt,
    )
    commands = data.add_subparsers(dest="data_command", metavar="SUBCOMMAND")
    data.set_defaults(func=lambda _args: data.print_help() or 2)

    p = commands.add_parser(
        "stage1",
        help="stage-1 training set (dsr40k) and validation set (AIME 2024)",
        description=_describe(
            "Write sparkle_dsr40k.parquet/.jsonl (plain prompt, one row per problem) and "
            "sparkle_aime2024.parquet/.jsonl, plus sparkle_dsr40k.report.json."
        ),
        formatter_class=fmt,
    )
    _common(
        p,
        STAGE1_SOURCE,
        f"training problems (problem, solution, answer): hub id or local file/folder (default: {STAGE1_SOURCE})",
    )
    p.add_argument("--val-source", default=DEFAULT_VAL_SOURCE, help=f"validation set (default: {DEFAULT_VAL_SOURCE})")
    p.add_argument("--no-val", action="store_true", help="do not build the validation set")
    p.add_argument("--name", default="dsr40k", help="data_source / file name suffix (default: dsr40k)")
    p.add_argument("--val-name", default="aime2024", help="validation data_source suffix (default: aime2024)")
    p.set_defaults(func=run_stage1)

    p = commands.add_parser(
        "stage2",
        help="stage-2 hard problems augmented with partial-solution hints",
        description=_describe(
            "Write sparkle_hardmath_aug_{all|first_half}_train.parquet/.jsonl/.report.json: level 0 (no "
            "hint) plus cumulative hint levels placed after 'Assistant: <think>' in the prompt, shuffled "
            "with --seed.",
            "--aug-version first_half keeps 2 chunks. As measured on the original, in the paragraph, "
            "numbered and header branches of the split these 2 chunks still cover the WHOLE trace; only the "
            "bullet and sentence fallbacks give a true first half.",
            "With --tokenizer, each chat-templated prompt is measured as verl measures it; prompts longer "
            "than --max-prompt-length are trimmed at a step boundary (or dropped with --overlong drop) and "
            "every trim/drop is counted per level in the printed and saved report.",
        ),
        formatter_class=fmt,
    )
    _common(
        p,
        STAGE2_SOURCE,
        f"hard problems (problem, solution, CoT, answer): hub id or local file/folder (default: {STAGE2_SOURCE})",
    )
    p.add_argument(
        "--aug-version",
        "--aug_version",
        choices=AUG_VERSIONS,
        default="all",
        help="all: up to LEVELS chunks; first_half: up to LEVELS//2 chunks (default: all)",
    )
    p.add_argument(
        "--levels",
        type=positive_int,
        default=4,
        help="number of chunks to split each trace into (the original's target_steps; default 4)",
    )
    p.add_argument(
        "--hint-style",
        choices=HINT_STYLES,
        default="sparkle",
        help="sparkle: cumulative chunks of the split trace; fraction: the first p%% of the "
        "trace text, QuestA-style (default: sparkle)",
    )
    p.add_argument(
        "--fractions",
        type=_fractions,
        default=(0.25, 0.5),
        help="hint fractions for --hint-style fraction, e.g. 0.5,0.25 (default: 0.25,0.5)",
    )
    p.add_argument(
        "--hint-source",
        choices=("CoT", "solution"),
        default="CoT",
        help="field to take hints from first, the other being the fallback (default: CoT)",
    )
    p.add_argument(
        "--tokenizer", help="tokenizer (folder or hub id) of the model to train; enables the prompt-length check"
    )
    p.add_argument(
        "--max-prompt-length",
        type=positive_int,
        default=1024,
        help="verl data.max_prompt_length in tokens (default: 1024)",
    )
    p.add_argument(
        "--overlong",
        choices=("trim", "drop"),
        default="trim",
        help="what to do with an overlong hinted prompt (default: trim at a step boundary)",
    )
    p.add_argument("--name", default="hardmath", help="data_source / file name suffix (default: hardmath)")
    _seed(p)
    p.set_defaults(func=run_stage2)

    p = commands.add_parser(
        "hard",
        help="stage-2 'hard' set: the hard problems without hints",
        description=_describe(
            "Write sparkle_hardmath_hard_train.parquet/.jsonl/.report.json: each hard problem once, "
            "plain prompt, stage-2 extra_info at level 0, shuffled with --seed."
        ),
        formatter_class=fmt,
    )
    _common(p, STAGE2_SOURCE)
    p.add_argument("--name", default="hardmath", help="data_source / file name suffix (default: hardmath)")
    _seed(p)
    p.set_defaults(func=run_hard)

    p = commands.add_parser(
        "mix",
        help="stage-2 'mix' set: hard problems plus a share of stage-1 problems",
        description=_describe(
            "Write sparkle_hardmath_mix_train.parquet/.jsonl/.report.json: every hard problem plus "
            "stage-1 problems (not in the hard set) drawn with --seed so that they make up "
            "--stage1-share of the result."
        ),
        formatter_class=fmt,
    )
    _common(p, STAGE2_SOURCE)
    p.add_argument("--stage1-source", default=STAGE1_SOURCE, help=f"stage-1 problems (default: {STAGE1_SOURCE})")
    p.add_argument(
        "--stage1-share",
        type=float,
        default=0.5,
        help="share of the mix made of stage-1 problems, in [0, 1) (default: 0.5)",
    )
    p.add_argument("--name", default="hardmath", help="data_source / file name suffix (default: hardmath)")
    _seed(p)
    p.set_defaults(func=run_mix)

    p = commands.add_parser(
        "mine-hard",
        help="sample a model to find hard problems; with --levels, probe learning signal per hint level",
        description=_describe(
            "Sample --samples responses per problem (vLLM on GPU when installed, else transformers "
            "generate), score them with sparkle.reward (acc), and write the problems with pass rate <= "
            "--max-pass-rate to OUTPUT/NAME.parquet (hard-set schema plus pass_rate; usable as "
            "'sparkle data stage2 --source'), every pass rate to NAME.pass_rates.jsonl, and "
            "NAME.report.json.",
            "With --levels on an augmented stage-2 set (the learning-signal probe): print the pass rate "
            "per hint level and the share of prompt groups whose rewards are all equal (no GRPO "
            "signal), and write OUTPUT/<input>.signal_probe.json.",
        ),
        formatter_class=fmt,
    )
    p.add_argument("--model", required=True, help="model folder or hub id to sample")
    p.add_argument(
        "--input",
        "--source",
        dest="input",
        required=True,
        help="verl parquet (e.g. data/sparkle_dsr40k.parquet) or raw problem/answer rows: any --source form",
    )
    p.add_argument("--output", default=DEFAULT_OUTPUT, help="output directory (default: data)")
    p.add_argument("--samples", type=positive_int, default=16, help="samples per problem (default: 16)")
    p.add_argument(
        "--max-pass-rate",
        type=float,
        default=0.0,
        help="keep problems with pass rate <= this (default: 0, never solved)",
    )
    p.add_argument(
        "--max-new-tokens",
        type=positive_int,
        default=3000,
        help="response length cap (default: 3000, the original's max_response_length)",
    )
    p.add_argument("--temperature", type=float, default=0.6, help="sampling temperature (default: 0.6)")
    p.add_argument("--batch-size", type=positive_int, default=4, help="prompts per generate call (default: 4)")
    p.add_argument(
        "--backend",
        choices=("auto", "transformers", "vllm"),
        default="auto",
        help="auto: vLLM when importable with a GPU, else transformers",
    )
    p.add_argument("--limit", type=positive_int, help="only the first N problems (per level with --levels)")
    p.add_argument(
        "--levels",
        nargs="?",
        const="all",
        default=None,
        help="probe mode: 'all' (the default when given bare) or comma-separated hint levels",
    )
    p.add_argument("--mode", help="reward mode (default: spk_h; spk_h_aug with --levels)")
    p.add_argument("--name", default="mined_hard", help="output file stem (default: mined_hard)")
    p.add_argument("--seed", type=int, default=0, help="sampling seed (default: 0)")
    p.add_argument("--skip-invalid", action="store_true", help="drop bad rows and list them in the report")
    p.add_argument(
        "--no-answer-check",
        dest="check_answers",
        action="store_false",
        help="do not check that sparkle.reward can read every gold answer",
    )
    p.set_defaults(func=run_mine_hard)

    p = commands.add_parser(
        "benchmarks",
        help="the five evaluation sets and the fine-grained sparkle_preview set",
        description=_describe(
            "For each of " + ", ".join(BENCHMARKS) + ": sparkle_<name>.parquet/.jsonl (verl validation "
            "rows) and eval/<name>.jsonl (problem, answer, answers; for the lm-eval tasks). Plus "
            "eval/sparkle_preview.jsonl: the fine-grained benchmark grouped per problem, with its "
            "ordered subproblem chain."
        ),
        formatter_class=fmt,
    )
    _common(
        p,
        DEFAULT_ORG,
        "hub organisation holding the sets as <org>/<name>, or a local folder with "
        f"<name>.jsonl/.json/.parquet or <name>/ per benchmark (default: {DEFAULT_ORG})",
    )
    p.add_argument("--only", help="comma-separated subset of: " + ", ".join(BENCHMARKS))
    p.add_argument(
        "--fine-grained-source",
        default=FINE_GRAINED_SOURCE,
        help=f"sparkle_preview hub id or local file/folder (default: {FINE_GRAINED_SOURCE})",
    )
    p.add_argument(
        "--fine-grained-config",
        default="all",
        choices=FINE_GRAINED_CONFIGS,
        help="hub config of sparkle_preview (default: all)",
    )
    p.add_argument("--no-fine-grained", action="store_true", help="skip the fine-grained set")
    p.set_defaults(func=run_benchmarks)
