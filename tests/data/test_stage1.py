"""Stage 1: the dsr40k-style training file and the AIME validation file, end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from data_helpers import DOC_INSTRUCTION, read_jsonl, read_parquet, run_cli, sample_rows


def _run(samples: Path, out: Path, *extra: str) -> int:
    val = samples / "benchmarks" / "aime2024.jsonl"
    return run_cli("data", "stage1", "--source", samples / "dsr40k.jsonl", "--val-source", val, "--output", out, *extra)


def test_stage1_rows_follow_the_original_schema(samples: Path, tmp_path: Path):
    out = tmp_path / "data"
    assert _run(samples, out) == 0
    source = sample_rows("dsr40k.jsonl")
    rows = read_parquet(out / "sparkle_dsr40k.parquet")
    assert len(rows) == 50
    for i, (row, src) in enumerate(zip(rows, source, strict=True)):
        assert row["data_source"] == "sparkle_dsr40k"
        assert row["prompt"] == [{"role": "user", "content": f"{DOC_INSTRUCTION}\n\nUser: {src['problem']} Assistant:"}]
        assert row["ability"] == "math"
        assert row["reward_model"] == {"style": "rule", "ground_truth": src["answer"]}
        assert row["extra_info"] == {"split": "train", "index": i, "question": src["problem"]}
    assert read_jsonl(out / "sparkle_dsr40k.jsonl") == rows  # the preview holds the same rows

    val = read_parquet(out / "sparkle_aime2024.parquet")
    assert [r["data_source"] for r in val] == ["sparkle_aime2024"] * 3
    assert [r["extra_info"]["split"] for r in val] == ["test"] * 3
    assert [r["reward_model"]["ground_truth"] for r in val] == ["23", "500", "155"]

    report = json.loads((out / "sparkle_dsr40k.report.json").read_text())
    assert report["train"]["rows_written"] == 50 and report["validation"]["rows_written"] == 3


def test_rerunning_gives_byte_identical_files(samples: Path, tmp_path: Path):
    assert _run(samples, tmp_path / "a") == 0
    assert _run(samples, tmp_path / "b") == 0
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert len(names) == 5
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_no_val_and_custom_name(samples: Path, tmp_path: Path):
    out = tmp_path / "o"
    assert (
        run_cli("data", "stage1", "--source", samples / "dsr40k.jsonl", "--no-val", "--name", "mine", "--output", out)
        == 0
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "sparkle_mine.jsonl",
        "sparkle_mine.parquet",
        "sparkle_mine.report.json",
    ]
    assert read_parquet(out / "sparkle_mine.parquet")[0]["data_source"] == "sparkle_mine"


def test_a_bad_validation_file_is_named_in_the_error(samples: Path, tmp_path: Path, capsys):
    bad = tmp_path / "val.jsonl"
    bad.write_text('{"problem": "p"}\n')
    status = run_cli(
        "data", "stage1", "--source", samples / "dsr40k.jsonl", "--val-source", bad, "--output", tmp_path / "o"
    )
    assert status == 2
    assert f"{bad}: 1 invalid row(s): row 0, field 'answer': missing" in capsys.readouterr().err
