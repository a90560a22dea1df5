"""analysis.md / .json / .csv / .png on recorded generations, checked against an independent recomputation.

`data/recorded/` is a real `sparkle analyze` run on the embedded sample (see record_analysis_run.py):
models ``answering`` (answers from a fixed mix, so some golds are hit) and ``random``, 8 samples per
query. The test re-grades every logged response with `sparkle.reward.is_equivalent`, groups and averages
with plain loops (`analysis_helpers`), and compares with every table cell, the JSON and the CSV.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from analysis_helpers import (
    RECORDED,
    mean,
    preview_rows,
    problem_rows,
    read_jsonl,
    recompute_chains,
    recompute_problem_scores,
)

from sparkle.analysis.conditions import CONDITIONS
from sparkle.analysis.report import write_analysis_report
from sparkle.data.benchmarks import FineGrainedProblem
from sparkle.eval.runner import ModelSpec

MODELS = ["answering", "random"]
LABELS = {
    "aime24": "AIME24",
    "amc23": "AMC23",
    "math500": "MATH500",
    "gsm8k": "GSM8K",
    "olympiadbench": "OlympiadBench",
}
COLUMNS = ["AIME24", "AMC23", "MATH500", "GSM8K", "OlympiadBench", "All"]
PROBLEM_CONDITIONS = ("vanilla", "plan", "knowledge")
HALF_DIGIT = 0.05 + 1e-9
"""Cells show one decimal: a correct cell is within half a unit of the last digit (plus float noise)."""


def samples_of(model: str, condition: str) -> list[dict]:
    return read_jsonl(RECORDED / model / f"sparkle_preview_{condition}_local" / "samples.jsonl")


@pytest.fixture(scope="module")
def recomputed() -> dict:
    """(model, condition) -> problem key -> score; plus ('steps', model) -> problem key -> step accuracies."""
    scores: dict = {}
    for model in MODELS:
        for condition in PROBLEM_CONDITIONS:
            scores[(model, condition)] = recompute_problem_scores(samples_of(model, condition))
        chain, steps = recompute_chains(samples_of(model, "subproblems"))
        scores[(model, "subproblems")] = chain
        scores[("steps", model)] = steps
    return scores


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    output = tmp_path_factory.mktemp("analysis_report") / "run"
    shutil.copytree(RECORDED, output)
    problems = [FineGrainedProblem.from_dict(r) for r in read_jsonl(output / "benchmark" / "sparkle_preview.jsonl")]
    info = {
        "samples": 8,
        "settings": {"samples": 8},
        "benchmark": {"source": "recorded", "problems": 5, "subproblems": 13, "skipped": {"problems": [], "rows": 0}},
    }
    models = [ModelSpec(m, "unused") for m in MODELS]
    paths = write_analysis_report(output, models, CONDITIONS, problems, info, status={})
    return output, paths


def table(markdown: str, heading: str) -> list[list[str]]:
    """The cells of the first table under the heading starting with `heading` (header first, no separator)."""
    block = markdown.split("\n" + heading, 1)[1]
    lines = []
    for line in block.splitlines()[1:]:
        if line.startswith("#"):
            break
        if line.startswith("| "):
            lines.append([c.strip() for c in line.strip("|").split("|")])
    return [lines[0], *lines[2:]]


def section(markdown: str, heading: str) -> tuple[list[str], dict[str, list[str]]]:
    """The header and rows ({first cell: other cells}) of the first table under `heading`."""
    header, *rows = table(markdown, heading)
    return header, {cells[0]: cells[1:] for cells in rows}


def group_keys(axis: str) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for key, row in problem_rows().items():
        if axis == "benchmark":
            names = [LABELS[row["source"]], "All"]
        elif axis == "difficulty":
            names = [row["difficulty_level"]]
        else:
            names = sorted({d.split("->")[0].strip() for d in row["domains"]})
        for name in names:
            groups[name].append(key)
    return groups


def number(cell: str) -> float:
    return float(cell.replace("±", ""))


def test_the_recorded_run_is_worth_checking(recomputed):
    """Logged per-row metrics equal the re-grading, lm-eval's aggregates equal the means, values are mixed."""
    for model in MODELS:
        for condition in (*PROBLEM_CONDITIONS, "subproblems"):
            rows = samples_of(model, condition)
            for row in rows:
                (responses,) = row["filtered_resps"]
                assert len(responses) == 8
            results = json.loads((RECORDED / model / f"sparkle_preview_{condition}_local" / "results.json").read_text())
            aggregates = results["results"][f"sparkle_preview_{condition}_local"]
            if condition == "subproblems":
                overall = mean(list(recomputed[(model, condition)].values()))
                assert aggregates["chain_success,all_samples"] == pytest.approx(overall, abs=1e-12)
                steps = [a for accs in recomputed[("steps", model)].values() for a in accs]
                assert aggregates["avg@8,all_samples"] == pytest.approx(mean(steps), abs=1e-12)
            else:
                for row in rows:
                    assert row["avg@8"] == recomputed[(model, condition)][row["doc"]["problem_key"]]
                overall = mean(list(recomputed[(model, condition)].values()))
                assert aggregates["avg@8,all_samples"] == pytest.approx(overall, abs=1e-12)
    answering = [v for c in PROBLEM_CONDITIONS for v in recomputed[("answering", c)].values()]
    assert 0 < mean(answering) < 1
    assert any(0 < v < 1 for v in answering)
    assert recomputed[("answering", "subproblems")]["amc23/amc23-1"] > 0  # 8 then 48: both in the answer mix
    assert all(v == 0 for c in CONDITIONS for v in recomputed[("random", c.name)].values())


@pytest.mark.parametrize(
    ("heading", "condition"),
    [("## Plan following", "plan"), ("## Knowledge", "knowledge"), ("## Chain of subproblems", "subproblems")],
)
def test_benchmark_tables_in_the_paper_shape(written, recomputed, heading, condition):
    _, paths = written
    header, rows = section(paths["markdown"].read_text(encoding="utf-8"), heading)
    assert header == ["Model", *COLUMNS]
    groups = group_keys("benchmark")
    for model in MODELS:
        for column, cell in zip(COLUMNS, rows[model], strict=True):
            before, after = cell.split(" → ")
            keys = groups[column]
            assert number(before) == pytest.approx(
                100 * mean([recomputed[(model, "vanilla")][k] for k in keys]), abs=HALF_DIGIT
            )
            assert number(after) == pytest.approx(
                100 * mean([recomputed[(model, condition)][k] for k in keys]), abs=HALF_DIGIT
            )


def test_step_accuracy_tables(written, recomputed):
    markdown = written[1]["markdown"].read_text(encoding="utf-8")
    header, rows = section(markdown, "### Subproblem step accuracy")
    assert header == ["Model", *COLUMNS]
    groups = group_keys("benchmark")
    for model in MODELS:
        steps = recomputed[("steps", model)]
        for column, cell in zip(COLUMNS, rows[model], strict=True):
            values = [a for k in groups[column] for a in steps[k]]
            assert number(cell) == pytest.approx(100 * mean(values), abs=HALF_DIGIT)
    header, rows = section(markdown, "### By position in the chain")
    assert header == ["Model", "step 1", "step 2", "step 3"]
    for model in MODELS:
        steps = recomputed[("steps", model)]
        for position, cell in enumerate(rows[model]):
            values = [accs[position] for accs in steps.values() if len(accs) > position]
            assert number(cell) == pytest.approx(100 * mean(values), abs=HALF_DIGIT)


@pytest.mark.parametrize(("heading", "axis"), [("## By difficulty level", "difficulty"), ("## By domain", "domain")])
def test_difficulty_and_domain_breakdowns(written, recomputed, heading, axis):
    header, rows = section(written[1]["markdown"].read_text(encoding="utf-8"), heading)
    others = ["plan", "knowledge", "subproblems"]
    expected_header = [header[0], "Problems"]
    for model in MODELS:
        expected_header += [f"{model} vanilla", f"{model} Δ plan", f"{model} Δ knowledge", f"{model} Δ chain"]
    assert header == expected_header
    groups = group_keys(axis)
    assert list(rows) == sorted(groups, key=int if axis == "difficulty" else str)
    for group, cells in rows.items():
        keys = groups[group]
        assert int(cells[0]) == len(keys)
        for i, model in enumerate(MODELS):
            block = cells[1 + 4 * i : 5 + 4 * i]
            base = mean([recomputed[(model, "vanilla")][k] for k in keys])
            assert number(block[0]) == pytest.approx(100 * base, abs=HALF_DIGIT)
            for cell, condition in zip(block[1:], others, strict=True):
                change = mean([recomputed[(model, condition)][k] for k in keys]) - base
                assert number(cell) == pytest.approx(100 * change, abs=HALF_DIGIT), (group, model, condition)
                assert cell[0] in "+-±"


def test_json_and_csv_hold_the_same_values(written, recomputed):
    _, paths = written
    document = json.loads(paths["json"].read_text(encoding="utf-8"))
    with paths["csv"].open(encoding="utf-8") as handle:
        csv_rows = list(csv.DictReader(handle))
    assert len(csv_rows) == len(document["cells"]) > 0
    for row, cell in zip(csv_rows, document["cells"], strict=True):
        assert row["model"] == cell["model"] and row["group"] == cell["group"] and row["metric"] == cell["metric"]
        assert float(row["value"]) == pytest.approx(cell["value"], abs=1e-6)
    for record in document["problems"]:
        for model in MODELS:
            for condition in CONDITIONS:
                assert record["scores"][model][condition.name] == recomputed[(model, condition.name)][record["problem"]]
            assert record["step_accuracy"][model] == recomputed[("steps", model)][record["problem"]]
    all_vanilla = next(
        c for c in document["cells"]
        if (c["model"], c["condition"], c["axis"], c["group"]) == ("answering", "vanilla", "benchmark", "All")
    )  # fmt: skip
    assert all_vanilla["value"] == pytest.approx(mean(list(recomputed[("answering", "vanilla")].values())))
    assert all_vanilla["count"] == 5
    assert len(preview_rows()) == 13


def test_figures_are_written(written):
    _, paths = written
    for kind in ("conditions", "difficulty_deltas"):
        data = paths[kind].read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(data) > 20_000, kind


def test_a_missing_pair_shows_as_missing(tmp_path):
    output = tmp_path / "run"
    shutil.copytree(RECORDED, output)
    shutil.rmtree(output / "random" / "sparkle_preview_plan_local")
    problems = [FineGrainedProblem.from_dict(r) for r in read_jsonl(output / "benchmark" / "sparkle_preview.jsonl")]
    info = {
        "samples": 8,
        "benchmark": {"source": "x", "problems": 5, "subproblems": 13, "skipped": {"problems": [], "rows": 0}},
    }
    paths = write_analysis_report(output, [ModelSpec(m, "unused") for m in MODELS], CONDITIONS, problems, info, {})
    markdown = paths["markdown"].read_text(encoding="utf-8")
    _, rows = section(markdown, "## Plan following")
    assert all(cell.endswith("→ –") for cell in rows["random"])
    runs = table(markdown, "## Runs")
    assert ["random", "plan", "missing", "0"] in runs
    assert ["answering", "plan", "finished", "5"] in runs


# original-system.md §10.5, plan following (Avg@8, without → with plan);
# columns AIME24, AMC23, MATH500, GSM8K, OlympiadBench
PUBLISHED_PLAN = {
    "Qwen-2.5-Math-7B": ("16.7 → 9.6", "42.5 → 30.9", "44.0 → 41.5", "44.3 → 46.9", "28.6 → 18.9"),
    "SparkleRL-Stage 1": ("46.7 → 45.8", "67.5 → 70.0", "80.0 → 80.8", "91.8 → 94.7", "39.1 → 41.6"),
    "SparkleRL-Stage 2": ("50.4 → 47.9", "71.2 → 71.6", "81.0 → 81.3", "92.4 → 95.3", "40.1 → 43.5"),
}
# §10.5 by difficulty, base model: level -> (vanilla, Δ plan, Δ knowledge) as printed
PUBLISHED_LEVELS = {"1": ("47", "−0.5", "−2.8"), "4": ("10", "±0", "−1.4"), "9": ("0", "±0", "+33.3")}


def test_the_published_tables_come_out_in_the_same_shape():
    """Fed the published numbers, the table code prints the published cells (one decimal, arrows, signs)."""
    from sparkle.analysis.conditions import KNOWLEDGE, PLAN, VANILLA
    from sparkle.analysis.summary import Cell, Summary
    from sparkle.analysis.tables import breakdown_rows, comparison_rows

    sources = ("aime24", "amc23", "math500", "gsm8k", "olympiadbench")
    problems = [
        FineGrainedProblem(f"{s}-{level}", "p", ["1"], "plan", "kb", difficulty_level=level, source=s)
        for s in sources
        for level in PUBLISHED_LEVELS
    ]
    cells = []
    for model, row in PUBLISHED_PLAN.items():
        for label, cell in zip(COLUMNS, row, strict=False):
            before, after = (float(x) / 100 for x in cell.split(" → "))
            cells += [Cell(model, "vanilla", "accuracy", "benchmark", label, before, 1)]
            cells += [Cell(model, "plan", "accuracy", "benchmark", label, after, 1)]
    for level, (vanilla, plan, knowledge) in PUBLISHED_LEVELS.items():
        base = float(vanilla) / 100
        for condition, change in (("vanilla", "0"), ("plan", plan), ("knowledge", knowledge)):
            value = base + float(change.replace("−", "-").replace("±", "")) / 100
            cells.append(Cell("base", condition, "accuracy", "difficulty", level, value, 5))
    summary = Summary(cells, problems)
    rows = comparison_rows(summary, list(PUBLISHED_PLAN), "plan")
    assert [r[0] for r in rows] == list(PUBLISHED_PLAN)
    for row in rows:
        assert tuple(row[1:6]) == PUBLISHED_PLAN[row[0]]
        assert row[6] == "– → –"  # no All column in the published figure
    levels = breakdown_rows(summary, ["base"], [VANILLA, PLAN, KNOWLEDGE], "difficulty")
    for level, problems_count, vanilla, plan, knowledge in levels:
        published = PUBLISHED_LEVELS[level]
        assert problems_count == "5"
        assert float(vanilla) == float(published[0])
        assert [plan, knowledge] == [p.replace("−", "-").replace("±0", "±0.0") for p in published[1:]]
