"""Fixtures shared by every test package: the embedded samples and a tiny model built at test time."""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


@pytest.fixture(scope="session")
def samples() -> Path:
    """The repository's `data/samples/` folder."""
    return SAMPLES


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random Qwen2 + BPE tokenizer built at test time (no hub), shared by the session."""
    from sparkle.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("models") / "tiny")
