"""Bad input: one error per problem class naming file, row and field; --skip-invalid counts and lists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from data_helpers import read_parquet, run_cli, write_jsonl

from sparkle.data.sources import Records
from sparkle.data.validate import FieldSpec, raise_for_issues, validate_records
from sparkle.errors import UserError

BAD_ROWS = [
    {"problem": "What is 1 + 1?", "solution": "2", "answer": "2"},  # 0 good
    {"problem": "What is 2 + 2?", "solution": "4"},  # 1 missing answer
    {"problem": "   ", "answer": "3"},  # 2 empty problem
    {"problem": "What is 3 + 3?", "answer": ["6"]},  # 3 wrong type
    {"problem": "What is  1 + 1?\n", "answer": "2"},  # 4 duplicate of row 0 (whitespace differs)
    {"problem": "What is half of one?", "answer": "\\frac{1}{2"},  # 5 unreadable (unbalanced brace)
    {"problem": "What is 5 + 5?", "answer": "10"},  # 6 good
    {"problem": "What is 7 + 7?", "answer": None},  # 7 null answer
]


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "bad.jsonl", BAD_ROWS)


def test_bad_rows_stop_the_command_with_every_problem_class_named(bad_file, tmp_path, capsys):
    out = tmp_path / "out"
    status = run_cli("data", "stage1", "--source", bad_file, "--no-val", "--output", out)
    assert status == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert str(bad_file) in err
    assert "6 invalid row(s)" in err
    assert "row 1, field 'answer': missing" in err
    assert "(+1 more missing issue(s))" in err  # row 7
    assert "row 2, field 'problem': empty" in err
    assert "row 3, field 'answer': type: expected a string, got list" in err
    assert "row 4, field 'problem': duplicate: same problem as row 0" in err
    assert "row 5, field 'answer': unreadable_answer" in err
    assert "--skip-invalid" in err
    assert not out.exists() or not any(out.iterdir())


def test_skip_invalid_drops_counts_and_lists_every_bad_row(bad_file, tmp_path):
    out = tmp_path / "out"
    assert run_cli("data", "stage1", "--source", bad_file, "--no-val", "--output", out, "--skip-invalid") == 0
    rows = read_parquet(out / "sparkle_dsr40k.parquet")
    assert [r["extra_info"]["index"] for r in rows] == [0, 6]  # source row indices are kept
    skipped = json.loads((out / "sparkle_dsr40k.report.json").read_text())["train"]["skipped"]
    assert skipped["rows_read"] == 8
    assert skipped["rows_skipped"] == 6
    assert skipped["by_problem"] == {"missing": 2, "empty": 1, "type": 1, "duplicate": 1, "unreadable_answer": 1}
    assert [(r["row"], r["field"], r["problem"]) for r in skipped["rows"]] == [
        (1, "answer", "missing"),
        (2, "problem", "empty"),
        (3, "answer", "type"),
        (4, "problem", "duplicate"),
        (5, "answer", "unreadable_answer"),
        (7, "answer", "missing"),
    ]


def test_no_answer_check_keeps_unparseable_answers(bad_file, tmp_path):
    out = tmp_path / "out"
    args = ("data", "stage1", "--source", bad_file, "--no-val", "--output", out, "--skip-invalid")
    assert run_cli(*args, "--no-answer-check") == 0
    assert [r["extra_info"]["index"] for r in read_parquet(out / "sparkle_dsr40k.parquet")] == [0, 5, 6]


def test_every_sample_answer_is_readable_by_the_reward(samples: Path):
    from sparkle.data.validate import answer_checker

    readable = answer_checker()
    files = ["dsr40k.jsonl", "hardmath.jsonl", *(f"benchmarks/{p.name}" for p in (samples / "benchmarks").iterdir())]
    for name in files:
        for line in (samples / name).read_text().splitlines():
            row = json.loads(line)
            answers = row.get("answer", row.get("final_answer"))
            for answer in answers if isinstance(answers, list) else [answers]:
                assert readable(str(answer).strip("$")), (name, answer)


def test_answers_kind_normalises_numbers_and_lists():
    spec = (FieldSpec("problem"), FieldSpec("answer", kind="answers", normalise=lambda a: [x.upper() for x in a]))
    records = Records(
        "mem", [{"problem": "a", "answer": 5}, {"problem": "b", "answer": ["x", 2]}, {"problem": "c", "answer": {}}]
    )
    validated = validate_records(records, spec, check_answers=False)
    assert [rec["answer"] for _, rec in validated.rows] == [["5"], ["X", "2"]]
    assert [(i.row, i.kind) for i in validated.issues] == [(2, "type")]
    with pytest.raises(UserError, match="mem: 1 invalid row"):
        raise_for_issues(validated)


def test_optional_fields_may_be_absent_but_not_mistyped():
    spec = (FieldSpec("problem"), FieldSpec("CoT", required=False))
    records = Records("mem", [{"problem": "a"}, {"problem": "b", "CoT": ""}, {"problem": "c", "CoT": 3}])
    validated = validate_records(records, spec, check_answers=False)
    assert [row for row, _ in validated.rows] == [0, 1]
    assert [(i.row, i.field, i.kind) for i in validated.issues] == [(2, "CoT", "type")]
