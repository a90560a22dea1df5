"""``analysis.md``: the fine-grained results in the shape of the paper's figures (original-system.md §10.5).

- **Plan following** and **Knowledge**: one row per model, one column per benchmark (plus ``All``), each
  cell ``without → with`` (vanilla avg@k → plan / knowledge avg@k), in percent with one decimal as
  published.
- **Chain of subproblems**: ``original → chain`` (vanilla avg@k → chain success), then the step accuracy
  per benchmark and per chain position.
- **By difficulty level** and **By domain**: one row per level (1-10) or top-level domain with its
  problem count; per model the vanilla accuracy and the change (percentage points) each other
  condition brings (``Δ plan``, ``Δ knowledge``, ``Δ chain``), like the paper's difficulty figure.

A value that was not run is ``–``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sparkle.analysis.conditions import KNOWLEDGE, PLAN, SUBPROBLEMS, VANILLA, Condition
from sparkle.analysis.summary import Summary
from sparkle.eval.report import MISSING, markdown_table

DELTA_LABELS = {PLAN.name: "Δ plan", KNOWLEDGE.name: "Δ knowledge", SUBPROBLEMS.name: "Δ chain"}


def pct(value: float | None) -> str:
    """A fraction as a percentage with one decimal (the published precision)."""
    return MISSING if value is None else f"{100 * value:.1f}"


def arrow(before: float | None, after: float | None) -> str:
    """``16.7 → 9.6``."""
    return f"{pct(before)} → {pct(after)}"


def delta(before: float | None, after: float | None) -> str:
    """The change in percentage points, signed (``+1.6``, ``-0.5``, ``±0.0``)."""
    if before is None or after is None:
        return MISSING
    text = f"{100 * (after - before):+.1f}"
    return "±0.0" if text in ("+0.0", "-0.0") else text


def comparison_rows(summary: Summary, models: Sequence[str], after: str, metric: str = "accuracy") -> list[list[str]]:
    """Per model, per benchmark group: vanilla accuracy → the `after` condition's `metric`."""
    groups = summary.groups("benchmark")
    return [
        [
            model,
            *(
                arrow(
                    summary.value(model, VANILLA.name, "benchmark", g),
                    summary.value(model, after, "benchmark", g, metric),
                )
                for g in groups
            ),
        ]
        for model in models
    ]


def breakdown_rows(
    summary: Summary, models: Sequence[str], conditions: Sequence[Condition], axis: str
) -> list[list[str]]:
    """Per group of `axis`: its problem count, then per model the vanilla accuracy and each condition's delta."""
    others = [c.name for c in conditions if c.name != VANILLA.name]
    rows = []
    for group in summary.groups(axis):
        row = [group, str(summary.problems_in(axis, group))]
        for model in models:
            base = summary.value(model, VANILLA.name, axis, group)
            row.append(pct(base))
            row.extend(delta(base, summary.value(model, name, axis, group)) for name in others)
        rows.append(row)
    return rows


def breakdown_header(first: str, models: Sequence[str], conditions: Sequence[Condition]) -> list[str]:
    others = [c.name for c in conditions if c.name != VANILLA.name]
    header = [first, "Problems"]
    for model in models:
        header.append(f"{model} vanilla")
        header.extend(f"{model} {DELTA_LABELS[name]}" for name in others)
    return header


def markdown_report(
    summary: Summary, models: Sequence[str], conditions: Sequence[Condition], info: dict[str, Any]
) -> str:
    """The whole ``analysis.md``; `info` holds ``samples`` (k), ``benchmark`` (its report) and ``pairs``."""
    names = {c.name for c in conditions}
    k = info["samples"]
    bench = info["benchmark"]
    groups = summary.groups("benchmark")
    positions = summary.groups("step")
    lines = [
        "# Fine-grained analysis",
        "",
        f"Benchmark: {bench['source']}, {bench['problems']} problems, {bench['subproblems']} subproblems "
        f"({bench['skipped']['rows']} rows of {len(bench['skipped']['problems'])} problems skipped as invalid). "
        f"{k} samples per query at temperature 0.6, graded by `sparkle.reward`. Values in percent: avg@{k} (the mean "
        f"over problems of the share of correct samples; pass@1), chain success for the chain of subproblems.",
        "",
    ]
    if VANILLA.name not in names:
        lines += ["The vanilla condition was not run, so no comparison has a baseline.", ""]
    for condition, title in ((PLAN, "Plan following"), (KNOWLEDGE, "Knowledge")):
        if condition.name in names:
            lines += [
                f"## {title} (avg@{k}, %, without → {condition.label})",
                "",
                *markdown_table(["Model", *groups], comparison_rows(summary, models, condition.name)),
                "",
            ]
    if SUBPROBLEMS.name in names:
        lines += [
            f"## Chain of subproblems (%, original problem avg@{k} → chain success)",
            "",
            "A problem's chain success is the share of its sample indices j at which the j-th sample of every "
            "subproblem is correct (each subproblem asked with the earlier subproblems and their reference answers, "
            "graded against its own answer).",
            "",
            *markdown_table(["Model", *groups], comparison_rows(summary, models, SUBPROBLEMS.name)),
            "",
            f"### Subproblem step accuracy (avg@{k} over subproblems, %)",
            "",
            *markdown_table(
                ["Model", *groups],
                [
                    [m, *(pct(summary.value(m, SUBPROBLEMS.name, "benchmark", g, "step_accuracy")) for g in groups)]
                    for m in models
                ],
            ),
            "",
            "### By position in the chain (%)",
            "",
            *markdown_table(
                ["Model", *(f"step {p}" for p in positions)],
                [
                    [m, *(pct(summary.value(m, SUBPROBLEMS.name, "step", p, "step_accuracy")) for p in positions)]
                    for m in models
                ],
            ),
            "",
        ]
    for axis, title, first in (
        ("difficulty", f"By difficulty level (avg@{k} = pass@1, %, all benchmarks pooled; Δ in points)", "Level"),
        ("domain", f"By domain (avg@{k}, %, top-level domain; Δ in points)", "Domain"),
    ):
        lines += [
            f"## {title}",
            "",
            *markdown_table(
                breakdown_header(first, models, conditions), breakdown_rows(summary, models, conditions, axis)
            ),
            "",
        ]
    runs = [[p["model"], p["condition"], p["status"], str(p["problems"])] for p in info["pairs"]]
    lines += ["## Runs", "", *markdown_table(["Model", "Condition", "Status", "Problems scored"], runs), ""]
    return "\n".join(lines)
