"""Loading the analysis benchmark: bad rows named with file, row, field and problem id; --skip-invalid counts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from analysis_helpers import PREVIEW, preview_rows, read_jsonl, write_jsonl

from sparkle.analysis.benchmark import prepare_benchmark
from sparkle.errors import UserError


def run_cli(*args: str | Path) -> int:
    from sparkle.cli import main

    return main([str(a) for a in args])


def broken(tmp_path: Path, mutate) -> Path:
    rows = [dict(r) for r in preview_rows()]
    mutate(rows)
    return write_jsonl(tmp_path / "broken.jsonl", rows)


@pytest.mark.parametrize(
    ("mutate", "message", "kinds", "bad"),
    [
        (
            lambda rows: rows[0].pop("planning"),
            "row 0, field 'planning': missing",
            {"missing": 1},
            "aime24/aime24-1",
        ),
        (
            lambda rows: rows[3].__setitem__("knowledge", "  "),
            "row 3, field 'knowledge': empty",
            {"empty": 1},
            "amc23/amc23-1",
        ),
        (lambda rows: rows.pop(6), "chain of 'gsm8k-1' is [1, 3]", {"inconsistent": 2}, "gsm8k/gsm8k-1"),
        (
            lambda rows: rows[9].__setitem__("subproblem_sequence", 5),
            "chain of 'math500-1' is [1, 5]",
            {"inconsistent": 1},
            "math500/math500-1",
        ),
    ],
)
def test_a_bad_problem_stops_with_its_row_field_and_id_or_is_skipped_and_counted(tmp_path, mutate, message, kinds, bad):
    path = broken(tmp_path, mutate)
    with pytest.raises(UserError) as error:
        prepare_benchmark(str(path), tmp_path / "out")
    text = str(error.value)
    assert text.startswith(f"{path}: 1 problem(s) with invalid rows ({bad}): ")
    assert message in text and "--skip-invalid" in text
    assert not (tmp_path / "out").exists()

    prepared = prepare_benchmark(str(path), tmp_path / "out", skip_invalid=True)
    assert bad not in [p.key for p in prepared.problems] and len(prepared.problems) == 4
    skipped = prepared.report["skipped"]
    assert skipped["problems"] == [bad]
    assert skipped["by_problem"] == kinds
    assert skipped["rows"] == sum(f"{r['source']}/{r['problem ID']}" == bad for r in read_jsonl(path))
    assert all(issue["problem"] == bad for issue in skipped["issues"])
    assert prepared.report["problems_read"] == 5 and prepared.report["problems_kept"] == 4


def test_the_command_reports_bad_input_in_one_line(tmp_path, capsys):
    path = broken(tmp_path, lambda rows: rows[0].pop("planning"))
    (tmp_path / "model").mkdir()
    args = [
        "analyze",
        "--models",
        tmp_path / "model",
        "--benchmark",
        path,
        "--backend",
        "hf",
        "--output",
        tmp_path / "o",
    ]
    assert run_cli(*args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert re.match(
        r"sparkle analyze: error: .*broken\.jsonl: 1 problem\(s\) with invalid rows \(aime24/aime24-1\)", err
    )
    assert run_cli(*args[:-2], "--conditions", "plan,nope", "--output", tmp_path / "o") == 2
    assert "unknown condition 'nope'" in capsys.readouterr().err


def test_grouped_file_limit_and_missing_source(tmp_path):
    raw = prepare_benchmark(str(PREVIEW), tmp_path / "raw")
    assert raw.path == tmp_path / "raw" / "benchmark" / "sparkle_preview.jsonl"
    assert (raw.report["problems"], raw.report["subproblems"]) == (5, 13)
    # the grouped file (as `sparkle data benchmarks` and this very function write it) reads back identically
    again = prepare_benchmark(str(raw.path), tmp_path / "again")
    assert again.problems == raw.problems and again.sha256 == raw.sha256
    # --limit keeps the first problems and changes the digest the pairs record
    limited = prepare_benchmark(str(PREVIEW), tmp_path / "limited", limit=2)
    assert [p.key for p in limited.problems] == ["aime24/aime24-1", "amc23/amc23-1"]
    assert limited.sha256 != raw.sha256
    # rows without `source` (the per-benchmark hub configs) are named after the file
    rows = [{k: v for k, v in r.items() if k not in ("source", "general_id")} for r in preview_rows()[:3]]
    single = prepare_benchmark(str(write_jsonl(tmp_path / "aime24.jsonl", rows)), tmp_path / "single")
    assert [p.key for p in single.problems] == ["aime24/aime24-1"]
