"""The analysis figures (matplotlib, Agg backend), one panel per model, as in the paper's project-page figures.

- `conditions_figure` (``conditions.png``): per benchmark (and All), one bar per condition: vanilla,
  plan and knowledge avg@k and the chain success, in percent.
- `difficulty_deltas_figure` (``difficulty_deltas.png``): per difficulty level, the change each
  condition brings over vanilla, in percentage points (the paper's "by difficulty" figure).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sparkle.analysis.conditions import VANILLA, Condition
from sparkle.analysis.summary import Summary
from sparkle.analysis.tables import DELTA_LABELS

_CONDITION_BAR_LABELS = {"vanilla": "vanilla", "plan": "w/ plan", "knowledge": "w/ knowledge", "subproblems": "chain"}


def _panels(n: int, width: float) -> tuple[Any, list[Any]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(n, 1, figsize=(width, 3.2 * n + 0.6), squeeze=False)
    return fig, [row[0] for row in axes]


def _grouped_bars(ax: Any, groups: Sequence[str], series: Sequence[tuple[str, list[float | None]]]) -> None:
    width = 0.8 / max(1, len(series))
    for i, (label, values) in enumerate(series):
        xs = [g + (i - (len(series) - 1) / 2) * width for g in range(len(groups))]
        ax.bar(xs, [0.0 if v is None else v for v in values], width, label=label)
    ax.set_xticks(range(len(groups)), groups, fontsize=8)
    ax.legend(fontsize=7, ncol=len(series))


def conditions_figure(summary: Summary, models: Sequence[str], conditions: Sequence[Condition]) -> Any:
    """Grouped bars: accuracy per benchmark group, one bar per condition, one panel per model."""
    groups = summary.groups("benchmark")
    fig, axes = _panels(len(models), max(6.0, 1.4 * len(groups) + 1))
    for ax, model in zip(axes, models, strict=True):
        series = [
            (
                _CONDITION_BAR_LABELS[c.name],
                [None if (v := summary.value(model, c.name, "benchmark", g)) is None else 100 * v for g in groups],
            )
            for c in conditions
        ]
        _grouped_bars(ax, groups, series)
        ax.set_ylim(0, 105)
        ax.set_ylabel("accuracy (%)")
        ax.set_title(f"{model}: accuracy per condition (chain: chain success)", fontsize=9)
    fig.tight_layout()
    return fig


def difficulty_deltas_figure(summary: Summary, models: Sequence[str], conditions: Sequence[Condition]) -> Any | None:
    """Grouped bars: change over vanilla per difficulty level, one bar per other condition; None without them."""
    names = [c.name for c in conditions]
    others = [n for n in names if n != VANILLA.name]
    if VANILLA.name not in names or not others:
        return None
    levels = summary.groups("difficulty")
    fig, axes = _panels(len(models), max(6.0, 0.7 * len(levels) + 2))
    for ax, model in zip(axes, models, strict=True):
        series = []
        for name in others:
            values: list[float | None] = []
            for level in levels:
                base = summary.value(model, VANILLA.name, "difficulty", level)
                after = summary.value(model, name, "difficulty", level)
                values.append(None if base is None or after is None else 100 * (after - base))
            series.append((DELTA_LABELS[name], values))
        _grouped_bars(ax, levels, series)
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_xlabel("difficulty level")
        ax.set_ylabel("Δ vs vanilla (points)")
        ax.set_title(f"{model}: change over vanilla by difficulty", fontsize=9)
    fig.tight_layout()
    return fig
