"""`report.md` and learning-curve PNGs for a demo run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sparkle.demo.warmstart import describe_losses
from sparkle.io import atomic_path, write_text_atomic

STAGE1_MARGIN = 0.10
"""Stage 1 must beat the warm start on held-out easy problems by this much (avg@k)."""
STAGE2_MARGIN = 0.05
"""Stage 2 (aug) must beat stage 1 on held-out hard problems by this much (avg@k)."""
NO_HINT_SIGNAL_MAX = 0.10
HINTED_SIGNAL_MIN = 0.50
"""Share of hard-problem groups with reward variance: at most this without hints, at least this with."""


def _metrics(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return sorted(({"step": r["step"], **r["data"]} for r in rows), key=lambda r: r["step"])


def _val_acc(row: dict[str, Any]) -> float | None:
    keys = [k for k in row if k.startswith("val-core/") and "/acc/mean@" in k]
    return row[keys[0]] if keys else None


def plot_curves(stage_metrics: dict[str, list[dict[str, Any]]], path: Path) -> Path:
    """Reward per step and held-out accuracy (verl validation) per stage, one panel each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for name, rows in stage_metrics.items():
        train = [r for r in rows if "critic/score/mean" in r]
        axes[0].plot([r["step"] for r in train], [r["critic/score/mean"] for r in train], marker=".", label=name)
        val = [(r["step"], _val_acc(r)) for r in rows if _val_acc(r) is not None]
        sets = {key.split("/")[1] for r in rows for key in r if key.startswith("val-core/")}
        label = f"{name} ({', '.join(sorted(sets))})" if sets else name
        axes[1].plot([s for s, _ in val], [a for _, a in val], marker="o", label=label)
    axes[0].set(title="mean reward per GRPO step", xlabel="step", ylabel="reward")
    axes[1].set(title="validation accuracy (avg@2)", xlabel="step", ylabel="accuracy", ylim=(0, 1))
    for axis in axes:
        axis.legend()
        axis.grid(alpha=0.3)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    plt.close(fig)
    return path


def write_report(output: Path, results: dict[str, Any], stage1_metrics: Path, stage2_metrics: Path) -> Path:
    """Write report.md (results table in the original's layout, probe, checks) and learning_curves.png."""
    curves = plot_curves(
        {"stage 1": _metrics(stage1_metrics), "stage 2": _metrics(stage2_metrics)}, output / "learning_curves.png"
    )
    k = results["settings"]["eval_samples"]
    lines = [
        "# Sparkle CPU miniature",
        "",
        f"Run time: {results['minutes']} min ("
        + ", ".join(f"{stage} {minutes}" for stage, minutes in results["stage_minutes"].items())
        + f"); seed {results['settings']['seed']}, base seed {results['settings']['base_seed']}.",
        "",
        f"Warm start, {describe_losses(results['warm_start_loss'])}.",
        "",
        f"## Results (avg@{k}, held-out generated problems)",
        "",
        "| Model | Easy | Hard | Avg |",
        "| --- | --- | --- | --- |",
    ]
    for name, scores in results["eval"].items():
        avg = (scores["easy"] + scores["hard"]) / 2
        lines.append(f"| {name} | {100 * scores['easy']:.1f} | {100 * scores['hard']:.1f} | {100 * avg:.1f} |")
    lines += [
        "",
        f"Right answers with every step right as well (avg@{k}; the reward checks only the answer, so the "
        "rest of each figure above is errors that cancel):",
        "",
        "| Model | Easy | Hard |",
        "| --- | --- | --- |",
    ]
    for name, scores in results["eval"].items():
        lines.append(f"| {name} | {100 * scores['easy_right_steps']:.1f} | {100 * scores['hard_right_steps']:.1f} |")
    lines += [
        "",
        "## Learning-signal probe (stage-1 model on the stage-2 set)",
        "",
        "| hint level | prompts | pass rate | groups with reward variance |",
        "| --- | --- | --- | --- |",
    ]
    for level, row in results["probe"].items():
        lines.append(f"| {level} | {row['prompts']} | {row['pass_rate']:.3f} | {1 - row['share_all_equal']:.3f} |")
    checks = learning_checks(results)
    lines += ["", "## Does it learn?", ""]
    lines += [f"- [{'x' if ok else ' '}] {text}" for text, ok in checks.items()]
    lines += [
        "",
        f"Mined {results['mined']['mined']} of {results['mined']['sampled']} hard problems "
        "(pass rate 0 for the stage-1 model).",
        "",
        f"![learning curves]({curves.name})",
        "",
    ]
    path = output / "report.md"
    write_text_atomic(path, "\n".join(lines))
    return path


def unhinted_signal(probe: dict[str, dict[str, Any]]) -> float:
    """Share of groups with reward variance without a hint (level 0); 1.0 when the probe has no level 0."""
    return 1 - probe["0"]["share_all_equal"] if "0" in probe else 1.0


def hinted_signal(probe: dict[str, dict[str, Any]]) -> float:
    """Share of groups with reward variance over every hinted level (level > 0), pooled by prompts."""
    rows = [row for level, row in probe.items() if level != "0"]
    prompts = sum(row["prompts"] for row in rows)
    return sum(row["prompts"] * (1 - row["share_all_equal"]) for row in rows) / prompts if prompts else 0.0


def learning_checks(results: dict[str, Any]) -> dict[str, bool]:
    """The properties the miniature must show (issue 8), as statements and verdicts."""
    ev, probe = results["eval"], results["probe"]
    warm, one, two = ev["warm-start"], ev["stage 1"], ev["stage 2 (aug)"]
    no_hint = unhinted_signal(probe)
    with_hints = hinted_signal(probe)
    return {
        f"stage 1 beats the warm start on held-out easy problems by >= {STAGE1_MARGIN} "
        f"({warm['easy']:.3f} -> {one['easy']:.3f})": one["easy"] >= warm["easy"] + STAGE1_MARGIN,
        f"without hints almost no hard group has reward variance ({no_hint:.3f} <= {NO_HINT_SIGNAL_MAX})": no_hint
        <= NO_HINT_SIGNAL_MAX,
        f"with hints at least half do ({with_hints:.3f} >= {HINTED_SIGNAL_MIN})": with_hints >= HINTED_SIGNAL_MIN,
        f"stage 2 beats stage 1 on held-out hard problems by >= {STAGE2_MARGIN} "
        f"({one['hard']:.3f} -> {two['hard']:.3f})": two["hard"] >= one["hard"] + STAGE2_MARGIN,
    }
