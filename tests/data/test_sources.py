"""Loading rows from local files and, through `datasets.load_dataset`, from dataset folders (the hub path)."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest
from data_helpers import read_parquet, run_cli, write_jsonl

from sparkle.data.sources import load_records
from sparkle.errors import UserError

ROWS = [{"problem": f"What is {i} + {i}?", "answer": str(2 * i)} for i in range(5)]


def test_jsonl_json_and_parquet_files_give_the_same_rows(tmp_path: Path):
    write_jsonl(tmp_path / "a.jsonl", ROWS)
    (tmp_path / "b.json").write_text(json.dumps(ROWS))
    (tmp_path / "c.json").write_text(json.dumps({"data": ROWS}))
    (tmp_path / "d.json").write_text("".join(json.dumps(r) + "\n" for r in ROWS))  # JSON lines named .json
    datasets.Dataset.from_list(ROWS).to_parquet(str(tmp_path / "e.parquet"))
    for name in ("a.jsonl", "b.json", "c.json", "d.json", "e.parquet"):
        records = load_records(str(tmp_path / name))
        assert records.rows == ROWS, name
        assert records.label == str(tmp_path / name)


def test_local_dataset_folder_goes_through_datasets_load_dataset(tmp_path: Path):
    folder = tmp_path / "my_dataset"
    (folder / "data").mkdir(parents=True)
    datasets.Dataset.from_list(ROWS).to_parquet(str(folder / "data" / "train-00000-of-00001.parquet"))
    datasets.Dataset.from_list(ROWS[:2]).to_parquet(str(folder / "data" / "test-00000-of-00001.parquet"))
    assert load_records(str(folder), split="train").rows == ROWS
    assert load_records(str(folder), split="test").rows == ROWS[:2]
    with pytest.raises(UserError, match="no split 'validation'"):
        load_records(str(folder), split="validation")


def test_a_single_split_folder_serves_any_requested_split(tmp_path: Path):
    write_jsonl(tmp_path / "only" / "rows.jsonl", ROWS)
    records = load_records(str(tmp_path / "only"), split="test")
    assert records.rows == ROWS
    assert "using its only split 'train'" in records.notes[0]


def test_stage1_from_a_hub_style_folder(tmp_path: Path, samples: Path):
    folder = tmp_path / "dsr40k"
    (folder / "data").mkdir(parents=True)
    rows = [json.loads(line) for line in (samples / "dsr40k.jsonl").read_text().splitlines()]
    datasets.Dataset.from_list(rows).to_parquet(str(folder / "data" / "train-00000-of-00001.parquet"))
    out = tmp_path / "out"
    assert run_cli("data", "stage1", "--source", folder, "--no-val", "--output", out) == 0
    written = read_parquet(out / "sparkle_dsr40k.parquet")
    assert [r["extra_info"]["question"] for r in written] == [r["problem"] for r in rows]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"problem": "a"}\n{"problem": \n', r"row 1 \(line 2\): invalid JSON"),
        ('{"problem": "a"}\n[1, 2]\n', "row 1: expected a JSON object, got list"),
    ],
)
def test_bad_jsonl_names_file_and_row(tmp_path: Path, content: str, message: str):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(UserError, match=message) as err:
        load_records(str(path))
    assert str(path) in str(err.value)


def test_missing_path_unsupported_type_and_corrupt_parquet(tmp_path: Path):
    with pytest.raises(UserError, match="no such file"):
        load_records(str(tmp_path / "nope.jsonl"))
    (tmp_path / "x.csv").write_text("a,b\n")
    with pytest.raises(UserError, match="unsupported file type"):
        load_records(str(tmp_path / "x.csv"))
    (tmp_path / "x.parquet").write_bytes(b"not parquet")
    with pytest.raises(UserError, match="not a readable parquet file"):
        load_records(str(tmp_path / "x.parquet"))
    (tmp_path / "x.json").write_text('{"rows": 3}')
    with pytest.raises(UserError, match="expected a list of objects"):
        load_records(str(tmp_path / "x.json"))
