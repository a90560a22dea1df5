"""Fixtures for the evaluation tests (`samples` and `tiny_model_dir` come from tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def prepared_benchmarks(samples: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`sparkle data benchmarks` run on data/samples/benchmarks; returns its output folder (with eval/)."""
    from sparkle.cli import main

    output = tmp_path_factory.mktemp("benchmarks")
    status = main(
        ["data", "benchmarks", "--source", str(samples / "benchmarks"), "--output", str(output), "--no-fine-grained"]
    )
    assert status == 0
    return output


@pytest.fixture(scope="session")
def answering_model_dir(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model fine-tuned to answer with a mix of right and wrong answers (see eval_helpers)."""
    from eval_helpers import train_answering_model

    return train_answering_model(tiny_model_dir, tmp_path_factory.mktemp("models") / "answering")
