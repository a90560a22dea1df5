"""verl rows, explicit-schema parquet that verl's loader reads, byte-identical and atomic writes."""

from __future__ import annotations

from pathlib import Path

import datasets
import pytest

from sparkle.data.schema import (
    LEVELED_SCHEMA,
    PLAIN_SCHEMA,
    data_source_name,
    leveled_extra_info,
    verl_row,
    write_dataset,
    write_parquet,
)


def _rows():
    return [
        verl_row("sparkle_x", f"prompt {i}", str(i), {"split": "train", "index": i, "question": f"q{i}"})
        for i in range(3)
    ]


def test_data_source_is_sparkle_plus_the_repo_name():
    assert data_source_name("sparkle-reasoning/dsr40k") == "sparkle_dsr40k"
    assert data_source_name("hardmath") == "sparkle_hardmath"


def test_verl_row_layout():
    row = verl_row("sparkle_x", "P", "42", {"split": "test", "index": 3})
    assert row == {
        "data_source": "sparkle_x",
        "prompt": [{"role": "user", "content": "P"}],
        "ability": "math",
        "reward_model": {"style": "rule", "ground_truth": "42"},
        "extra_info": {"split": "test", "index": 3},
    }


def test_leveled_extra_info_marks_augmented_rows():
    assert leveled_extra_info(7, "q", 0, 3)["augmented"] is False
    info = leveled_extra_info(7, "q", 2, 3, hint_style="sparkle")
    assert info["index"] == "7_2" and info["augmented"] is True and info["total_thinking_levels"] == 3


def test_parquet_reads_back_through_datasets_like_verl(tmp_path: Path):
    parquet, jsonl = write_dataset(_rows(), tmp_path, "sparkle_x", PLAIN_SCHEMA)
    loaded = datasets.load_dataset("parquet", data_files=str(parquet))["train"]
    assert loaded[1]["prompt"] == [{"role": "user", "content": "prompt 1"}]
    assert loaded[1]["extra_info"] == {"split": "train", "index": 1, "question": "q1"}
    assert jsonl.read_text().count("\n") == 3


def test_rewriting_the_same_rows_gives_identical_bytes(tmp_path: Path):
    rows = [verl_row("s", "p", "1", leveled_extra_info(i, "q", i % 3, 2)) for i in range(10)]
    first = write_parquet(rows, tmp_path / "a.parquet", LEVELED_SCHEMA).read_bytes()
    second = write_parquet(rows, tmp_path / "b.parquet", LEVELED_SCHEMA).read_bytes()
    assert first == second


def test_a_failed_write_leaves_the_old_file_untouched(tmp_path: Path):
    target = write_parquet(_rows(), tmp_path / "t.parquet", PLAIN_SCHEMA)
    before = target.read_bytes()
    bad = [*_rows(), {"data_source": "s", "prompt": "not a list", "ability": "math"}]
    with pytest.raises(Exception):  # noqa: B017 - pyarrow raises one of several conversion errors
        write_parquet(bad, target, PLAIN_SCHEMA)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.parquet"]  # no temporary file left
