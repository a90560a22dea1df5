"""`sparkle analyze`: SPARKLE's fine-grained analysis (plans, knowledge, subproblem chains, difficulty, domain)."""

from __future__ import annotations

import argparse
import os
import textwrap
from pathlib import Path

from sparkle.argtypes import positive_int
from sparkle.data.benchmarks import FINE_GRAINED_CONFIGS
from sparkle.eval.cli import (
    add_engine_arguments,
    add_include_path_argument,
    add_model_arguments,
    add_sampling_arguments,
    engine_from_args,
)

DESCRIPTION = "\n\n".join(
    textwrap.fill(p, width=96)
    for p in (
        "Run SPARKLE's fine-grained analysis (Wang et al. 2025) for every model on the annotated benchmark "
        "sparkle_preview: each problem under four conditions, each an lm-eval task of eval/tasks/sparkle run "
        "with the chat template, N samples per query (default 8) at temperature 0.6, graded by sparkle.reward.",
        "Conditions: vanilla (the training prompt), plan (the problem plus its planning skeleton), knowledge "
        "(the problem plus its knowledge base), subproblems (every subproblem of the problem's chain, in order; "
        "each query is the row's augmented_problem: the earlier subproblems with their reference answers, then "
        "the current question; graded against subproblem_answer). The prompts are the original's "
        "doc_to_text, doc_to_text_plan, doc_to_text_knowledge and doc_to_text_subproblem.",
        "Chain metric: chain run j of a problem is the j-th sample of every subproblem; it succeeds when all "
        "are correct. A problem's chain success is the share of its N runs that succeed; a benchmark's is the "
        "mean over its problems, compared with the vanilla avg@N of the same problems. Step accuracy (avg@N per "
        "subproblem) is reported per benchmark and per chain position.",
        "Outputs in DIR: analysis.md (tables in the paper's shape: per benchmark without -> with plan, without "
        "-> with knowledge, original -> chain; step accuracy; by difficulty level 1-10 and by top-level domain, "
        "vanilla and the change each condition brings), analysis.json (everything, per problem too), "
        "analysis.csv (every aggregated value), conditions.png (grouped bars per benchmark per condition) and "
        "difficulty_deltas.png. Each model x condition pair is kept in DIR/<model>/sparkle_preview_<condition>"
        "_local/ (lm-eval's results and logged samples); the checked benchmark is DIR/benchmark/"
        "sparkle_preview.jsonl.",
        "Resuming: pairs finished in DIR with the same settings (model, samples, max-gen-toks, seed and the "
        "benchmark file's SHA-256, which --limit and --skip-invalid change) are skipped; a pair made with other "
        "settings is an error unless --rerun.",
        "Input checks: a problem with a missing or empty field (planning, knowledge, any subproblem field), rows "
        "of one problem that disagree, or a broken chain (subproblem_sequence not contiguous, row count not "
        "total_subproblems) stops the command naming the file, row, field and problem ids; --skip-invalid "
        "leaves such problems out of every condition and lists them, with counts, in analysis.json.",
    )
)

EPILOG = textwrap.dedent(
    """\
    examples:
      sparkle analyze --models Qwen/Qwen2.5-Math-7B models/stage1 models/stage2-aug \\
          --names base stage1 stage2-aug --benchmark sparkle_preview --tensor-parallel-size 4 --output outputs/analysis
      sparkle analyze --models models/tiny --benchmark data/samples/sparkle_preview.jsonl --backend hf \\
          --samples 2 --max-gen-toks 32 --output /tmp/analysis
    """
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `sparkle analyze` to the top-level parser."""
    parser = subparsers.add_parser(
        "analyze",
        help="fine-grained analysis: plans, knowledge, subproblem chains, difficulty and domain breakdowns",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_arguments(parser)
    parser.add_argument(
        "--benchmark",
        default="sparkle_preview",
        metavar="NAME|PATH",
        help="sparkle_preview (the hub set sparkle-reasoning/sparkle_preview), another hub id, or a local "
        ".jsonl/.json/.parquet file or folder in its schema (default: sparkle_preview)",
    )
    parser.add_argument(
        "--config",
        default="all",
        choices=FINE_GRAINED_CONFIGS,
        help="hub config of the benchmark (default: all)",
    )
    parser.add_argument(
        "--conditions",
        nargs="+",
        default=["all"],
        metavar="NAME",
        help="all, or some of vanilla plan knowledge subproblems (default: all)",
    )
    parser.add_argument("--output", required=True, type=Path, metavar="DIR", help="results directory")
    add_sampling_arguments(parser, unit="query")
    parser.add_argument("--limit", type=positive_int, metavar="N", help="analyse only the first N problems")
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="leave problems with invalid rows out of every condition (listed in analysis.json) instead of stopping",
    )
    parser.add_argument("--rerun", action="store_true", help="run pairs again even if DIR has them (replacing them)")
    add_include_path_argument(parser)
    add_engine_arguments(parser)
    parser.set_defaults(func=run_analyze_command)


def run_analyze_command(args: argparse.Namespace) -> int:
    """Run `sparkle analyze`; `UserError` propagates to `sparkle.cli.main` (one line, exit 2)."""
    from sparkle.analysis.benchmark import prepare_benchmark
    from sparkle.analysis.conditions import resolve_conditions
    from sparkle.analysis.report import write_analysis_report
    from sparkle.analysis.runner import AnalysisSettings, run_analysis
    from sparkle.eval.runner import model_specs

    conditions = resolve_conditions(args.conditions)
    models = model_specs(args.models, args.names)
    engine = engine_from_args(args)
    benchmark = prepare_benchmark(
        args.benchmark, args.output, config=args.config, limit=args.limit, skip_invalid=args.skip_invalid
    )
    report = benchmark.report
    print(
        f"sparkle analyze: {report['problems']} problems ({report['subproblems']} subproblems) "
        f"from {report['source']}, "
        f"{len(models)} model(s) x {len(conditions)} condition(s), backend {engine.backend}, {args.samples} samples"
    )
    settings = AnalysisSettings(
        samples=args.samples, max_gen_toks=args.max_gen_toks, seed=args.seed, benchmark_sha256=benchmark.sha256
    )
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    include_path = args.include_path.resolve() if args.include_path else None
    status = run_analysis(
        models, conditions, args.output, benchmark, settings, engine, include_path=include_path, rerun=args.rerun
    )
    info = {
        "samples": args.samples,
        "settings": {"samples": args.samples, "max_gen_toks": args.max_gen_toks, "seed": args.seed},
        "benchmark": {**report, "path": str(benchmark.path), "sha256": benchmark.sha256},
    }
    paths = write_analysis_report(args.output, models, conditions, benchmark.problems, info, status)
    done = sum(s == "done" for s in status.values())
    print(f"ran {done} model x condition pair(s), skipped {len(status) - done} finished before")
    print(paths["markdown"].read_text(encoding="utf-8").split("\n## By difficulty")[0].rstrip())
    for path in paths.values():
        print(f"wrote {path}")
    return 0
