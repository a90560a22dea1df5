"""Run the analysis conditions for every model through `sparkle eval`'s runner.

Each condition is its ``sparkle_preview_<condition>_local`` lm-eval task reading the benchmark file
`sparkle.analysis.benchmark` wrote, so everything `sparkle.eval.runner` does applies unchanged: one model
load for all its conditions, ``--samples`` repeats scored by `sparkle.reward`, the prompt budget checked
before generating, vLLM models in fresh processes, and each model x condition pair written to
``DIR/<model>/<task>/`` (``samples.jsonl``, then ``results.json`` as the completion marker).

**Resuming.** A pair is skipped when its ``results.json`` records the same settings: model path, task,
samples, max_gen_toks, seed and the SHA-256 of the benchmark file (so ``--limit``, ``--skip-invalid`` or
edited data count as other settings). A pair made with other settings is an error unless ``rerun``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sparkle.analysis.benchmark import PreparedBenchmark
from sparkle.analysis.conditions import Condition
from sparkle.errors import UserError
from sparkle.eval.runner import Engine, EvalSettings, ModelSpec, TaskSource, pair_dir, run_eval


@dataclass(frozen=True)
class AnalysisSettings(EvalSettings):
    """`EvalSettings` plus the digest of the benchmark file; a finished pair is reused only if all match."""

    benchmark_sha256: str = ""


def condition_dir(output: Path, model: ModelSpec, condition: Condition) -> Path:
    """Where the pair of `model` x `condition` lives."""
    return pair_dir(output, model, condition.local_task)


def run_analysis(
    models: Sequence[ModelSpec],
    conditions: Sequence[Condition],
    output: Path,
    benchmark: PreparedBenchmark,
    settings: AnalysisSettings,
    engine: Engine,
    *,
    include_path: Path | None = None,
    rerun: bool = False,
) -> dict[tuple[str, str], str]:
    """Evaluate every model x condition not yet finished in `output`; return each pair's status by condition.

    Statuses: ``skipped`` (finished before with the same settings) or ``done``.
    """
    clash = [m.name for m in models if (output / m.name).resolve() == benchmark.path.parent.resolve()]
    if clash:
        raise UserError(f"model name {clash[0]!r} is the benchmark folder's name in {output}; pass --names")
    if settings.benchmark_sha256 != benchmark.sha256:
        raise ValueError("settings.benchmark_sha256 must be the prepared benchmark's digest")
    source = TaskSource(benchmarks_dir=benchmark.path.parent)
    if include_path is not None:
        source.include_path = include_path
    by_task = {c.local_task: c for c in conditions}
    status = run_eval(models, list(by_task), output, settings, engine, source, rerun=rerun)
    return {(model, by_task[task].name): state for (model, task), state in status.items()}
