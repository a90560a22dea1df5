"""The stage-2 "hard" and "mix" sets."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from data_helpers import DOC_INSTRUCTION, read_parquet, run_cli, sample_rows, write_jsonl


def test_hard_set_is_every_hard_problem_once_without_hints(samples: Path, tmp_path: Path):
    assert run_cli("data", "hard", "--source", samples / "hardmath.jsonl", "--output", tmp_path) == 0
    rows = read_parquet(tmp_path / "sparkle_hardmath_hard_train.parquet")
    source = sample_rows("hardmath.jsonl")
    assert sorted(int(r["extra_info"]["index"].split("_")[0]) for r in rows) == list(range(20))
    for row in rows:
        src = source[int(row["extra_info"]["index"].split("_")[0])]
        assert row["prompt"][0]["content"] == f"{DOC_INSTRUCTION}\n\nUser: {src['problem']} Assistant:"
        info = row["extra_info"]
        assert (info["thinking_level"], info["total_thinking_levels"], info["augmented"]) == (0, 0, False)
        assert row["reward_model"]["ground_truth"] == src["answer"]
    assert [int(r["extra_info"]["index"].split("_")[0]) for r in rows] != list(range(20))  # shuffled


def _mix(samples: Path, out: Path, *extra: str) -> list[dict]:
    args = ("data", "mix", "--source", samples / "hardmath.jsonl", "--stage1-source", samples / "dsr40k.jsonl")
    assert run_cli(*args, "--output", out, *extra) == 0
    return read_parquet(out / "sparkle_hardmath_mix_train.parquet")


@pytest.mark.parametrize(("share", "n_stage1"), [("0.5", 20), ("0.2", 5), ("0", 0)])
def test_mix_share_sets_the_number_of_stage1_problems(samples: Path, tmp_path: Path, share: str, n_stage1: int):
    rows = _mix(samples, tmp_path, "--stage1-share", share)
    counts = Counter(r["data_source"] for r in rows)
    assert counts["sparkle_hardmath"] == 20 and counts["sparkle_dsr40k"] == n_stage1
    stage1_problems = {r["problem"] for r in sample_rows("dsr40k.jsonl")}
    assert all(r["extra_info"]["question"] in stage1_problems for r in rows if r["data_source"] == "sparkle_dsr40k")


def test_mix_excludes_stage1_problems_that_are_hard_and_is_seeded(samples: Path, tmp_path: Path):
    hard_problem = sample_rows("hardmath.jsonl")[0]["problem"]
    easy = [*sample_rows("dsr40k.jsonl")[:10], {"problem": hard_problem, "answer": "130"}]
    easy_file = write_jsonl(tmp_path / "easy.jsonl", easy)
    args = ("data", "mix", "--source", samples / "hardmath.jsonl", "--stage1-source", easy_file)
    assert run_cli(*args, "--output", tmp_path / "a") == 0
    rows = read_parquet(tmp_path / "a" / "sparkle_hardmath_mix_train.parquet")
    assert Counter(r["data_source"] for r in rows)["sparkle_dsr40k"] == 10  # 20 wanted, 10 available
    report = json.loads((tmp_path / "a" / "sparkle_hardmath_mix_train.report.json").read_text())
    assert report["stage1_overlapping_hard"] == 1 and report["stage1_requested"] == 20

    first = {r["extra_info"]["question"] for r in _mix(samples, tmp_path / "s1", "--stage1-share", "0.2")}
    again = {r["extra_info"]["question"] for r in _mix(samples, tmp_path / "s2", "--stage1-share", "0.2")}
    other = {
        r["extra_info"]["question"] for r in _mix(samples, tmp_path / "s3", "--stage1-share", "0.2", "--seed", "3")
    }
    assert first == again and first != other


def test_mix_rejects_a_share_of_one(samples: Path, tmp_path: Path, capsys):
    args = ("data", "mix", "--source", samples / "hardmath.jsonl", "--stage1-source", samples / "dsr40k.jsonl")
    assert run_cli(*args, "--stage1-share", "1", "--output", tmp_path) == 2
    assert "--stage1-share must be in [0, 1)" in capsys.readouterr().err
