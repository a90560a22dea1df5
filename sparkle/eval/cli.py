"""`sparkle eval`: evaluate models on the SPARKLE benchmarks with lm-eval; write results, tables and a chart."""

from __future__ import annotations

import argparse
import os
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from sparkle.argtypes import positive_int
from sparkle.errors import UserError

if TYPE_CHECKING:
    from sparkle.eval.runner import Engine

DESCRIPTION = "\n\n".join(
    textwrap.fill(p, width=96)
    for p in (
        "Run the lm-eval tasks of eval/tasks/sparkle for every model x task through lm-eval's Python API, "
        "with the chat template applied and samples logged: N samples per problem (default 8) at temperature "
        "0.6, top_p 1.0, scored by sparkle.reward, reporting avg@N, unbiased pass@k and maj@k.",
        "Each model x task pair goes to DIR/<model name>/<task>/ (results.json: lm-eval's results plus the "
        "settings; samples.jsonl: the logged samples). Pairs already finished in DIR with the same settings "
        "are skipped, so an interrupted run resumes. Then DIR/results.md (the original's table: one row per "
        "model, one column per benchmark, plus Avg.; then pass@k and maj@k), DIR/results.csv (every metric) "
        "and DIR/results.png (grouped bars) are written for the models and tasks of this command.",
        "Tasks: all (aime2024 amc2023 math500 gsm8k_spk olympiad_bench, from the hub), all_local (the *_local "
        "variants, reading the files of `sparkle data benchmarks` from --benchmarks-dir), or task names.",
        "Backends: vllm (GPU; tensor and data parallelism; each model in a fresh process) or hf (transformers; "
        "CPU or GPU). The default is vllm when CUDA and vLLM are available, else hf. Every prompt is checked to "
        "fit beside --max-gen-toks in the model's context before anything is generated.",
    )
)

EPILOG = textwrap.dedent(
    """\
    examples:
      sparkle eval --models Qwen/Qwen2.5-Math-7B models/stage1 models/stage2-aug \\
          --names base stage1 stage2-aug --tasks all --tensor-parallel-size 4 --output outputs/eval
      sparkle data benchmarks --output data && \\
      sparkle eval --models models/tiny --tasks all_local --backend hf --samples 4 --limit 5 --output /tmp/ev
    """
)


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from err
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {value}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `sparkle eval` to the top-level parser."""
    parser = subparsers.add_parser(
        "eval",
        help="evaluate models on the SPARKLE benchmarks (lm-eval; avg@k, pass@k, maj@k; tables and a chart)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_arguments(parser)
    parser.add_argument(
        "--tasks", nargs="+", required=True, metavar="TASK", help="all, all_local, or task names (spaces or commas)"
    )
    parser.add_argument("--output", required=True, type=Path, metavar="DIR", help="results directory")
    add_sampling_arguments(parser, unit="problem")
    parser.add_argument(
        "--limit", type=positive_int, metavar="N", help="evaluate only the first N problems of each task"
    )
    parser.add_argument(
        "--rerun", action="store_true", help="evaluate pairs again even if DIR has them (replacing them)"
    )
    data = parser.add_argument_group("task files")
    data.add_argument(
        "--benchmarks-dir",
        type=Path,
        metavar="DIR",
        help="folder of the *_local tasks' files, the eval/ folder of `sparkle data benchmarks` "
        "(default: $SPARKLE_BENCHMARKS_DIR, else data/eval)",
    )
    add_include_path_argument(data)
    add_engine_arguments(parser)
    parser.set_defaults(func=run_eval_command)


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """``--models`` and ``--names`` (shared with `sparkle analyze`)."""
    parser.add_argument("--models", nargs="+", required=True, metavar="MODEL", help="model directories or hub ids")
    parser.add_argument(
        "--names", nargs="+", metavar="NAME", help="row names for the models (default: last path component)"
    )


def add_sampling_arguments(parser: argparse.ArgumentParser, unit: str) -> None:
    """``--samples``, ``--max-gen-toks`` and ``--seed`` (shared with `sparkle analyze`); `unit` is what is sampled."""
    parser.add_argument(
        "--samples", type=positive_int, metavar="N", default=8, help=f"samples per {unit}, the k of avg@k (default: 8)"
    )
    parser.add_argument(
        "--max-gen-toks",
        type=positive_int,
        metavar="N",
        help="new tokens per sample (default: the tasks' 3000, which fits Qwen2.5-Math-7B's 4,096 positions)",
    )
    parser.add_argument("--seed", type=int, metavar="N", default=1234, help="sampling seed (default: 1234)")


def add_include_path_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--include-path`` (shared with `sparkle analyze`)."""
    parser.add_argument(
        "--include-path",
        type=Path,
        metavar="DIR",
        help="lm-eval task folder (default: eval/tasks of this repository)",
    )


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """``--backend`` and the engine options (shared with `sparkle analyze`); read back by `engine_from_args`."""
    engine = parser.add_argument_group("engine")
    engine.add_argument(
        "--backend", choices=("auto", "vllm", "hf"), default="auto", help="generation backend (default: auto)"
    )
    engine.add_argument(
        "--tensor-parallel-size", type=positive_int, metavar="N", default=1, help="vllm: GPUs per model copy"
    )
    engine.add_argument(
        "--data-parallel-size",
        type=positive_int,
        metavar="N",
        default=1,
        help="vllm: model copies (needs ray when > 1)",
    )
    engine.add_argument(
        "--gpu-memory-utilization",
        type=_fraction,
        metavar="F",
        default=0.9,
        help="vllm: share of GPU memory (default: 0.9)",
    )
    engine.add_argument(
        "--max-model-len",
        type=positive_int,
        metavar="N",
        help="context length (default: the model's max_position_embeddings)",
    )
    engine.add_argument(
        "--dtype",
        choices=("auto", "float32", "bfloat16", "float16"),
        help="weights dtype (default: float32 for hf on CPU, else auto)",
    )
    engine.add_argument("--batch-size", metavar="N", help="requests per batch (default: 16 for hf, auto for vllm)")
    engine.add_argument("--device", help="hf: torch device (default: cuda if available, else cpu)")


def choose_backend(requested: str) -> str:
    """`auto` is vllm when CUDA and vLLM are both available, else hf; vllm without vLLM is an error."""
    import importlib.util

    has_vllm = importlib.util.find_spec("vllm") is not None
    if requested == "vllm" and not has_vllm:
        raise UserError("vLLM is not installed (pip install -e '.[gpu]'); use --backend hf to run on transformers")
    if requested != "auto":
        return requested
    import torch

    return "vllm" if has_vllm and torch.cuda.is_available() else "hf"


def engine_from_args(args: argparse.Namespace) -> Engine:
    """The `Engine` of the options of `add_engine_arguments`; inconsistent options are a `UserError`."""
    from sparkle.eval.runner import Engine

    backend = choose_backend(args.backend)
    device = args.device
    if backend == "hf" and device is None:
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
    if backend == "vllm" and (args.device or "cuda") != "cuda":
        raise UserError("--device applies to the hf backend only")
    if backend == "hf" and (args.tensor_parallel_size > 1 or args.data_parallel_size > 1):
        raise UserError("--tensor-parallel-size and --data-parallel-size need --backend vllm")
    return Engine(
        backend=backend,
        dtype=args.dtype or ("float32" if backend == "hf" and device == "cpu" else "auto"),
        device=device,
        batch_size=args.batch_size or ("16" if backend == "hf" else "auto"),
        tensor_parallel_size=args.tensor_parallel_size,
        data_parallel_size=args.data_parallel_size,
        gpu_memory_utilization=args.gpu_memory_utilization,
        max_model_len=args.max_model_len,
    )


def run_eval_command(args: argparse.Namespace) -> int:
    """Run `sparkle eval`; `UserError` propagates to `sparkle.cli.main` (one line, exit 2)."""
    from sparkle.eval.report import write_report
    from sparkle.eval.runner import EvalSettings, TaskSource, model_specs, resolve_tasks, run_eval

    tasks = resolve_tasks(args.tasks)
    models = model_specs(args.models, args.names)
    engine = engine_from_args(args)
    settings = EvalSettings(samples=args.samples, limit=args.limit, max_gen_toks=args.max_gen_toks, seed=args.seed)
    source = TaskSource(benchmarks_dir=args.benchmarks_dir.resolve() if args.benchmarks_dir else None)
    if args.include_path is not None:
        source.include_path = args.include_path.resolve()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    print(
        f"sparkle eval: {len(models)} model(s) x {len(tasks)} task(s), backend {engine.backend}, {args.samples} samples"
    )
    status = run_eval(models, tasks, args.output, settings, engine, source, rerun=args.rerun)
    paths = write_report(args.output, models, tasks)
    done = sum(s == "done" for s in status.values())
    print(f"evaluated {done} pair(s), skipped {len(status) - done} finished before")
    print((args.output / "results.md").read_text(encoding="utf-8").split("\n## ")[0].rstrip())
    for path in paths.values():
        print(f"wrote {path}")
    return 0
