"""Write the analysis outputs of the finished pairs in ``DIR`` (every file atomically).

- ``analysis.md``: the tables (`sparkle.analysis.tables`);
- ``analysis.json``: the benchmark report (source, counts, skipped problems and their issues, digest),
  settings, pairs and their status, every aggregated value (`Cell`), and per problem its benchmark,
  difficulty, domains and score per model x condition (plus each subproblem step's accuracy);
- ``analysis.csv``: every aggregated value, one row each (fractions);
- ``conditions.png`` and ``difficulty_deltas.png`` (`sparkle.analysis.figures`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sparkle.analysis.conditions import Condition
from sparkle.analysis.figures import conditions_figure, difficulty_deltas_figure
from sparkle.analysis.scores import PairScores, collect_scores
from sparkle.analysis.summary import Cell, ProblemInfo, Summary, summarize
from sparkle.analysis.tables import markdown_report
from sparkle.data.benchmarks import FineGrainedProblem
from sparkle.eval.report import save_figure
from sparkle.eval.runner import ModelSpec
from sparkle.io import atomic_path, write_text_atomic

CSV_FIELDS = ("model", "condition", "metric", "axis", "group", "value", "count")


def problem_records(pairs: Sequence[PairScores], problems: Sequence[FineGrainedProblem]) -> list[dict[str, Any]]:
    """Per problem: where it belongs and its score (and chain steps' accuracies) per model x condition."""
    records = []
    for problem in problems:
        info = ProblemInfo.of(problem)
        scores: dict[str, dict[str, float]] = {}
        steps: dict[str, list[float]] = {}
        for pair in pairs:
            if problem.key in pair.problems:
                scores.setdefault(pair.model, {})[pair.condition] = pair.problems[problem.key]
            if problem.key in pair.chains:
                steps[pair.model] = [s.accuracy for s in pair.chains[problem.key]]
        records.append(
            {
                "problem": problem.key,
                "benchmark": info.benchmark,
                "difficulty": info.difficulty,
                "domains": list(info.domains),
                "scores": scores,
                "step_accuracy": steps,
            }
        )
    return records


def write_csv(path: Path, cells: Sequence[Cell]) -> Path:
    with atomic_path(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_FIELDS)
        for c in cells:
            writer.writerow([c.model, c.condition, c.metric, c.axis, c.group, f"{c.value:.6f}", c.count])
    return path


def write_analysis_report(
    output: Path,
    models: Sequence[ModelSpec],
    conditions: Sequence[Condition],
    problems: Sequence[FineGrainedProblem],
    info: dict[str, Any],
    status: dict[tuple[str, str], str],
) -> dict[str, Path]:
    """Write every output for the finished pairs among models x conditions; return the paths by kind.

    `info` holds ``samples``, ``settings`` and ``benchmark`` (the input report); `status` the run status
    of each (model name, condition name) pair.
    """
    pairs = collect_scores(output, models, conditions)
    found = {(p.model, p.condition): p for p in pairs}
    names = [m.name for m in models]
    cells = summarize(pairs, problems)
    summary = Summary(cells, problems)
    info = {
        **info,
        "models": [{"name": m.name, "path": m.path} for m in models],
        "conditions": [c.name for c in conditions],
        "pairs": [
            {
                "model": m.name,
                "condition": c.name,
                "task": c.local_task,
                "status": status.get((m.name, c.name), "finished") if (m.name, c.name) in found else "missing",
                "problems": len(found[(m.name, c.name)].problems) if (m.name, c.name) in found else 0,
            }
            for m in models
            for c in conditions
        ],
    }
    paths = {"markdown": output / "analysis.md", "json": output / "analysis.json", "csv": output / "analysis.csv"}
    write_text_atomic(paths["markdown"], markdown_report(summary, names, conditions, info))
    document = {**info, "cells": [c.as_dict() for c in cells], "problems": problem_records(pairs, problems)}
    write_text_atomic(paths["json"], json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    write_csv(paths["csv"], cells)
    if pairs:
        paths["conditions"] = save_figure(conditions_figure(summary, names, conditions), output / "conditions.png")
        deltas = difficulty_deltas_figure(summary, names, conditions)
        if deltas is not None:
            paths["difficulty_deltas"] = save_figure(deltas, output / "difficulty_deltas.png")
    return paths
