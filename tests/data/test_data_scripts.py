"""The original entry points keep working as thin wrappers."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from data_helpers import read_parquet

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts" / "data"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_prepare_stage_one_data_local_dir(samples: Path, tmp_path: Path):
    script = _load("prepare_stage_one_data")
    val = samples / "benchmarks" / "aime2024.jsonl"
    out = tmp_path / "new" / "dir"  # created, as the original did
    assert (
        script.main(["--local_dir", str(out), "--source", str(samples / "dsr40k.jsonl"), "--val-source", str(val)]) == 0
    )
    assert {"sparkle_dsr40k.parquet", "sparkle_dsr40k.jsonl", "sparkle_aime2024.parquet", "sparkle_aime2024.jsonl"} <= {
        p.name for p in out.iterdir()
    }


def test_prepare_stage_two_data_aug_versions(samples: Path, tmp_path: Path):
    script = _load("prepare_stage_two_data_aug")
    for version, max_level in (("all", 4), ("first_half", 2)):
        args = ["--local_dir", str(tmp_path), "--aug_version", version, "--source", str(samples / "hardmath.jsonl")]
        assert script.main(args) == 0
        rows = read_parquet(tmp_path / f"sparkle_hardmath_aug_{version}_train.parquet")
        assert max(r["extra_info"]["thinking_level"] for r in rows) == max_level


def test_wrapper_passes_errors_through(tmp_path: Path, capsys):
    script = _load("prepare_stage_two_data_aug")
    assert script.main(["--local_dir", str(tmp_path), "--source", str(tmp_path / "missing.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
