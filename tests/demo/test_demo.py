"""`sparkle demo --quick` end to end: every stage runs, writes its artifacts, and the models learn
what issue 8 asks (the report's learning checks hold)."""

from __future__ import annotations

import json

import pytest

from sparkle.cli import main
from sparkle.demo.report import learning_checks
from sparkle.demo.tasks import HINT_PARAGRAPHS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    output = tmp_path_factory.mktemp("demo")
    status = main(["demo", "--quick", "--output", str(output)])  # 1 when a learning check fails
    return output, json.loads((output / "results.json").read_text()), status


def test_artifacts(run) -> None:
    output, results, _ = run
    report = (output / "report.md").read_text()
    assert "| warm-start |" in report and "| stage 2 (aug) |" in report
    assert (output / "learning_curves.png").read_bytes()[:4] == b"\x89PNG"
    for model in ("warmstart", "stage1", "stage2"):
        assert (output / "models" / model / "model.safetensors").is_file()
    assert 0 < results["mined"]["mined"] <= results["mined"]["sampled"]
    assert set(results["probe"]) == {str(level) for level in range(len(HINT_PARAGRAPHS) + 1)}
    for stage in ("warm start", "stage 1", "stage 2", "evaluation"):
        assert results["stage_minutes"][stage] > 0


def test_it_learns(run) -> None:
    output, results, status = run
    checks = learning_checks(results)
    assert len(checks) == 4
    failed = [text for text, ok in checks.items() if not ok]
    assert failed == [], (output / "report.md").read_text()
    assert status == 0
    assert "- [x] stage 2 beats stage 1" in (output / "report.md").read_text()
