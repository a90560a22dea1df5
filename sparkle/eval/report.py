"""Tables and a chart from the results `sparkle eval` wrote: ``results.md``, ``results.csv``, ``results.png``.

``results.md`` leads with the original's table (original-system.md §9.5): one row per model, one column
per benchmark in the order AIME24, AMC23, MATH500, GSM8K, OlympiadBench, plus ``Avg.`` (the plain mean
of the row's benchmark columns, shown only when the row is complete), values avg@k in percent with two
decimals. pass@k and maj@k tables follow, one row per model x benchmark. ``results.csv`` has every
metric in long form (model, task, benchmark, metric, value, stderr, problems, samples); ``results.png``
is a grouped bar chart of the headline table (matplotlib, Agg backend).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sparkle.eval.metrics import SAMPLE_METRIC
from sparkle.eval.runner import FILTER, ModelSpec, pair_dir, read_results
from sparkle.eval.tasks import LOCAL_SUFFIX, benchmark_of
from sparkle.io import atomic_path, write_text_atomic

MISSING = "–"


@dataclass
class PairResult:
    """The metrics of one finished model x task pair, as fractions in [0, 1]."""

    model: str
    task: str
    samples: int
    problems: int
    metrics: dict[str, float] = field(default_factory=dict)
    stderr: dict[str, float | None] = field(default_factory=dict)

    @property
    def headline(self) -> float:
        return self.metrics[f"avg@{self.samples}"]


def column_label(task: str) -> str:
    label = benchmark_of(task).label
    return f"{label} (local)" if task.endswith(LOCAL_SUFFIX) else label


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def parse_results(model: str, task: str, data: dict[str, Any]) -> PairResult:
    """The avg/pass/maj metrics of `task` from an lm-eval results dict (keys ``<metric>,<filter>``)."""
    entry = (data.get("results") or {}).get(task)
    if not isinstance(entry, dict):
        raise ValueError(f"no results for task {task!r}")
    metrics: dict[str, float] = {}
    stderr: dict[str, float | None] = {}
    for key, value in entry.items():
        name, _, filter_name = key.partition(",")
        if filter_name != FILTER or not SAMPLE_METRIC.match(name) or _number(value) is None:
            continue
        metrics[name] = float(value)
        stderr[name] = _number(entry.get(f"{name}_stderr,{filter_name}"))
    samples = [int(m.group(2)) for name in metrics if (m := SAMPLE_METRIC.match(name)) and m.group(1) == "avg"]
    if len(samples) != 1:
        raise ValueError(f"task {task!r}: expected one avg@k metric, found {len(samples)}")
    counts = (data.get("n-samples") or {}).get(task) or {}
    problems = int(counts.get("effective", entry.get("sample_len", 0)) or 0)
    return PairResult(model, task, samples[0], problems, metrics, stderr)


def collect(output: Path, models: Sequence[ModelSpec], tasks: Sequence[str]) -> list[PairResult]:
    """Every finished pair among models x tasks in `output` (missing or broken pairs are left out)."""
    found = []
    for model in models:
        for task in tasks:
            data = read_results(pair_dir(output, model, task))
            if data is None:
                continue
            try:
                found.append(parse_results(model.name, task, data))
            except ValueError as err:
                print(f"note: {pair_dir(output, model, task)}: {err}; left out of the report")
    return found


def _pct(value: float | None) -> str:
    return MISSING if value is None else f"{100 * value:.2f}"


def headline_rows(
    results: Sequence[PairResult], models: Sequence[str], tasks: Sequence[str]
) -> list[tuple[str, list[float | None], float | None]]:
    """Per model: the avg@k of each task (None if missing) and their mean (None unless all present)."""
    by_pair = {(r.model, r.task): r for r in results}
    rows = []
    for model in models:
        values = [by_pair[(model, t)].headline if (model, t) in by_pair else None for t in tasks]
        present = [v for v in values if v is not None]
        average = sum(present) / len(present) if present and len(present) == len(values) else None
        rows.append((model, values, average))
    return rows


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """The lines of a markdown table (a header, the separator, one line per row)."""
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def markdown_report(results: Sequence[PairResult], models: Sequence[str], tasks: Sequence[str]) -> str:
    """``results.md``: the headline avg@k table, then pass@k and maj@k per model x benchmark."""
    ks = sorted({r.samples for r in results})
    by_pair = {(r.model, r.task): r for r in results}
    lines = ["# Evaluation results", ""]
    if not results:
        return "\n".join([*lines, "No finished model x task pairs yet.", ""])
    k_text = f"avg@{ks[0]}" if len(ks) == 1 else "avg@k (k = samples per problem, see the runs table)"
    lines += [
        f"{k_text} in percent: the mean over problems of the fraction of correct samples, at temperature 0.6, "
        "top_p 1.0, graded by `sparkle.reward`. Avg. is the mean of the benchmark columns.",
        "",
    ]
    header = ["Model", *(column_label(t) for t in tasks), "Avg."]
    rows = [[m, *(_pct(v) for v in values), _pct(avg)] for m, values, avg in headline_rows(results, models, tasks)]
    lines += [*markdown_table(header, rows), ""]
    for family, title in (("pass", "pass@k (unbiased estimator, Chen et al. 2021)"), ("maj", "maj@k (majority vote)")):
        k_values = sorted(
            {
                int(m.group(2))
                for r in results
                for n in r.metrics
                if (m := SAMPLE_METRIC.match(n)) and m.group(1) == family
            }
        )
        fam_rows = []
        for model in models:
            for task in tasks:
                if (model, task) in by_pair:
                    metrics = by_pair[(model, task)].metrics
                    fam_rows.append(
                        [model, column_label(task), *(_pct(metrics.get(f"{family}@{k}")) for k in k_values)]
                    )
        lines += [
            f"## {title}, %",
            "",
            *markdown_table(["Model", "Benchmark", *(f"{family}@{k}" for k in k_values)], fam_rows),
            "",
        ]
    runs = [[r.model, r.task, str(r.problems), str(r.samples)] for r in results]
    lines += ["## Runs", "", *markdown_table(["Model", "Task", "Problems", "Samples per problem"], runs), ""]
    return "\n".join(lines)


CSV_FIELDS = ("model", "task", "benchmark", "metric", "value", "stderr", "problems", "samples")


def write_csv(path: Path, results: Sequence[PairResult]) -> Path:
    """Every metric of every pair, one row each, values as fractions."""
    with atomic_path(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_FIELDS)
        for r in results:
            for name, value in r.metrics.items():
                stderr = r.stderr.get(name)
                writer.writerow(
                    [r.model, r.task, column_label(r.task), name, f"{value:.6f}",
                     "" if stderr is None else f"{stderr:.6f}", r.problems, r.samples]
                )  # fmt: skip
    return path


def bar_chart(results: Sequence[PairResult], models: Sequence[str], tasks: Sequence[str]) -> Any:
    """A grouped bar chart of the headline table: one group per benchmark (and Avg.), one bar per model.

    Returns the matplotlib figure (Agg backend); a missing value is drawn as an empty bar labelled "–".
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = headline_rows(results, models, tasks)
    groups = [column_label(t) for t in tasks] + ["Avg."]
    width = 0.8 / max(1, len(rows))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.2 * len(groups) + 0.25 * len(rows) * len(groups)), 4.5))
    for i, (model, values, average) in enumerate(rows):
        shown = [*values, average]
        xs = [g + (i - (len(rows) - 1) / 2) * width for g in range(len(groups))]
        bars = ax.bar(xs, [100 * v if v is not None else 0.0 for v in shown], width, label=model)
        ax.bar_label(bars, labels=[_pct(v) for v in shown], fontsize=7, padding=2)
    ks = sorted({r.samples for r in results})
    ax.set_ylabel(f"avg@{ks[0]} (%)" if len(ks) == 1 else "avg@k (%)")
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylim(0, 105)
    ax.legend(fontsize=8)
    ax.set_title("Accuracy per benchmark")
    fig.tight_layout()
    return fig


def write_bar_chart(path: Path, results: Sequence[PairResult], models: Sequence[str], tasks: Sequence[str]) -> Path:
    """Save `bar_chart` as a PNG at `path` (atomically)."""
    return save_figure(bar_chart(results, models, tasks), path)


def save_figure(fig: Any, path: Path) -> Path:
    """Save a matplotlib figure as a PNG at `path` (atomically) and close it."""
    import matplotlib.pyplot as plt

    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png", dpi=150)
    finally:
        plt.close(fig)
    return path


def write_report(output: Path, models: Sequence[ModelSpec], tasks: Sequence[str]) -> dict[str, Path]:
    """Write ``results.md``, ``results.csv`` and ``results.png`` in `output`; return their paths."""
    results = collect(output, models, tasks)
    names = [m.name for m in models]
    paths = {"markdown": output / "results.md", "csv": output / "results.csv"}
    write_text_atomic(paths["markdown"], markdown_report(results, names, tasks))
    write_csv(paths["csv"], results)
    if results:
        paths["chart"] = write_bar_chart(output / "results.png", results, names, tasks)
    return paths
