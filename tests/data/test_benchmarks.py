"""The five evaluation sets and the fine-grained sparkle_preview loader."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from data_helpers import read_jsonl, read_parquet, run_cli, sample_rows, write_jsonl

from sparkle.data.benchmarks import BENCHMARKS, group_fine_grained, load_fine_grained, strip_dollars
from sparkle.data.sources import Records
from sparkle.errors import UserError


def test_benchmarks_from_a_local_folder(samples: Path, tmp_path: Path):
    fine = samples / "sparkle_preview.jsonl"
    args = ("data", "benchmarks", "--source", samples / "benchmarks", "--fine-grained-source", fine)
    assert run_cli(*args, "--output", tmp_path) == 0
    for name in BENCHMARKS:
        verl_rows = read_parquet(tmp_path / f"sparkle_{name}.parquet")
        eval_rows = read_jsonl(tmp_path / "eval" / f"{name}.jsonl")
        assert len(verl_rows) == len(eval_rows) == 3
        assert all(r["data_source"] == f"sparkle_{name}" and r["extra_info"]["split"] == "test" for r in verl_rows)
        assert [r["reward_model"]["ground_truth"] for r in verl_rows] == [r["answer"] for r in eval_rows]
    gsm8k = read_jsonl(tmp_path / "eval" / "gsm8k.jsonl")
    assert gsm8k[0]["problem"] == sample_rows("benchmarks/gsm8k.jsonl")[0]["question"]  # question -> problem
    olympiad = read_jsonl(tmp_path / "eval" / "olympiad_bench.jsonl")
    assert [r["answers"] for r in olympiad] == [["4"], ["12"], ["2", "3"]]  # $...$ removed
    assert olympiad[2]["answer"] == "2, 3"
    grouped = read_jsonl(tmp_path / "eval" / "sparkle_preview.jsonl")
    assert [len(p["subproblems"]) for p in grouped] == [3, 2, 3, 2, 3]
    report = json.loads((tmp_path / "eval" / "benchmarks.report.json").read_text())
    assert report["fine_grained"]["subproblems_written"] == 13


def test_only_a_subset_and_an_unknown_name(samples: Path, tmp_path: Path, capsys):
    args = ("data", "benchmarks", "--source", samples / "benchmarks", "--no-fine-grained", "--output", tmp_path)
    assert run_cli(*args, "--only", "gsm8k,math500") == 0
    assert sorted(p.name for p in tmp_path.glob("*.parquet")) == ["sparkle_gsm8k.parquet", "sparkle_math500.parquet"]
    assert run_cli(*args, "--only", "gsm9k") == 2
    assert "unknown benchmark(s) gsm9k" in capsys.readouterr().err


def test_missing_benchmark_file_in_the_folder(tmp_path: Path, capsys):
    (tmp_path / "bench").mkdir()
    status = run_cli("data", "benchmarks", "--source", tmp_path / "bench", "--no-fine-grained", "--output", tmp_path)
    assert status == 2
    assert "no aime2024.jsonl" in capsys.readouterr().err


def test_strip_dollars():
    assert [strip_dollars(a) for a in ("$4$", "$$x^2$$", "$", "5", "$a$b")] == ["4", "x^2", "$", "5", "$a$b"]


def test_fine_grained_rows_are_grouped_and_ordered_whatever_the_row_order(samples: Path, tmp_path: Path):
    rows = sample_rows("sparkle_preview.jsonl")
    shuffled = rows[:]
    random.Random(0).shuffle(shuffled)
    problems = load_fine_grained(str(write_jsonl(tmp_path / "fg.jsonl", shuffled)))
    ordered = load_fine_grained(str(samples / "sparkle_preview.jsonl"))
    assert {p.problem_id for p in problems} == {p.problem_id for p in ordered}
    by_id = {p.problem_id: p for p in problems}
    for expected in ordered:
        got = by_id[expected.problem_id]
        assert got == expected
        assert [s.sequence for s in got.subproblems] == list(range(1, len(got.subproblems) + 1))
    aime = by_id["aime24-1"]
    assert aime.answer == ["23"] and aime.planning.startswith("1. Factor 3600") and aime.source == "aime24"
    assert aime.subproblems[-1].answer == "23"
    assert aime.subproblems[1].augmented_problem.endswith(
        "Current subproblem: How many positive divisors does 3600 have?"
    )


def test_fine_grained_folder_goes_through_load_dataset(samples: Path, tmp_path: Path):
    folder = tmp_path / "preview"
    write_jsonl(folder / "test.jsonl", sample_rows("sparkle_preview.jsonl"))
    assert len(load_fine_grained(str(folder))) == 5


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda rows: rows.pop(1), "chain of 'aime24-1' is [1, 3] (+1 more inconsistent issue(s))"),
        (lambda rows: rows[1].__setitem__("total_subproblems", 4), "has 3 rows but total_subproblems 3 and 4"),
        (lambda rows: rows[2].__setitem__("problem", "changed"), "row 2, field 'problem': inconsistent"),
        (lambda rows: rows[0].pop("planning"), "row 0, field 'planning': missing"),
        (lambda rows: rows[1].__setitem__("subproblem_sequence", 7), "chain of 'aime24-1' is [1, 3, 7]"),
    ],
)
def test_inconsistent_fine_grained_rows_are_errors_or_skipped(mutate, message):
    rows = [dict(r) for r in sample_rows("sparkle_preview.jsonl")]
    mutate(rows)
    with pytest.raises(UserError, match=re.escape(message)):
        group_fine_grained(Records("fg.jsonl", rows))
    problems, issues = group_fine_grained(Records("fg.jsonl", rows), skip_invalid=True)
    assert [p.problem_id for p in problems] == ["amc23-1", "gsm8k-1", "math500-1", "olympiadbench-1"]
    assert issues
