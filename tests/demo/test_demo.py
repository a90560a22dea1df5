"""`sparkle demo --quick` end to end: every stage runs, writes its artifacts, and the models learn
what issue 8 asks (the report's four learning checks)."""

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
    assert "every step right" in report
    assert (output / "learning_curves.png").read_bytes()[:4] == b"\x89PNG"
    for model in ("warmstart", "stage1", "stage2"):
        assert (output / "models" / model / "model.safetensors").is_file()
    assert 0 < results["mined"]["mined"] <= results["mined"]["sampled"]
    assert set(results["probe"]) == {str(level) for level in range(len(HINT_PARAGRAPHS) + 1)}
    assert set(results["warm_start_loss"]) == {"pretraining", "SFT"}
    assert all(0 < loss < 1 for loss in results["warm_start_loss"].values())  # a random model starts near 6
    for stage in ("warm start", "stage 1", "stage 2", "evaluation"):
        assert results["stage_minutes"][stage] > 0


@pytest.mark.parametrize(
    "check",
    [
        "stage 1 beats the warm start",
        "without hints almost no hard group",
        "with hints at least half",
        "stage 2 beats stage 1",
    ],
)
def test_it_learns(run, check: str) -> None:
    output, results, _ = run
    verdicts = learning_checks(results)
    assert len(verdicts) == 4
    statement = next(text for text in verdicts if text.startswith(check))
    assert verdicts[statement], (output / "report.md").read_text()
    assert f"- [x] {statement}" in (output / "report.md").read_text()


def test_the_command_exits_0_when_every_check_holds(run) -> None:
    _, results, status = run
    assert all(learning_checks(results).values()) and status == 0
