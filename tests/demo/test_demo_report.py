"""The demo's learning checks pass and fail on the right side of each threshold, and the report
lists every stage, level and verdict."""

from __future__ import annotations

import copy

from sparkle.demo.report import hinted_signal, learning_checks, write_report
from sparkle.demo.warmstart import FINAL_LOSS_STEPS

RESULTS = {
    "settings": {"eval_samples": 8, "seed": 3, "base_seed": 0},
    "warm_start_loss": {"pretraining": 0.0613, "SFT": 0.0912},
    "eval": {
        "warm-start": {"easy": 0.45, "hard": 0.0, "easy_right_steps": 0.44, "hard_right_steps": 0.0},
        "stage 1": {"easy": 0.90, "hard": 0.01, "easy_right_steps": 0.87, "hard_right_steps": 0.0},
        "stage 2 (aug)": {"easy": 0.88, "hard": 0.20, "easy_right_steps": 0.85, "hard_right_steps": 0.05},
    },
    "probe": {
        "0": {"prompts": 32, "pass_rate": 0.0, "share_all_equal": 1.0},
        "1": {"prompts": 32, "pass_rate": 0.1, "share_all_equal": 0.5},
        "2": {"prompts": 16, "pass_rate": 0.5, "share_all_equal": 0.25},
    },
    "mined": {"sampled": 64, "mined": 60},
    "stage_minutes": {"warm start": 4.5, "stage 1": 2.0},
    "minutes": 6.5,
}


def test_hinted_signal_pools_the_hinted_levels_by_prompts() -> None:
    assert hinted_signal(RESULTS["probe"]) == (32 * 0.5 + 16 * 0.75) / 48


def test_every_check_passes_on_a_run_that_learns() -> None:
    assert all(learning_checks(RESULTS).values())


def test_each_check_fails_on_its_own() -> None:
    broken = []
    for path, value in (
        (("eval", "stage 1", "easy"), 0.5),
        (("probe", "0", "share_all_equal"), 0.8),
        (("probe", "1", "share_all_equal"), 0.9),
        (("eval", "stage 2 (aug)", "hard"), 0.03),
    ):
        results = copy.deepcopy(RESULTS)
        node = results
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        broken.append([ok for ok in learning_checks(results).values()].index(False))
    assert broken == [0, 1, 2, 3]


def test_report_lists_models_levels_checks_and_stage_minutes(tmp_path) -> None:
    report = write_report(tmp_path, RESULTS, tmp_path / "none1.jsonl", tmp_path / "none2.jsonl").read_text()
    assert "| stage 2 (aug) | 88.0 | 20.0 | 54.0 |" in report
    assert "| stage 2 (aug) | 85.0 | 5.0 |" in report  # right answers with every step right
    assert "| 2 | 16 | 0.500 | 0.750 |" in report
    assert report.count("- [x]") == 4 and "warm start 4.5" in report and "seed 3" in report
    assert f"(mean of the last {FINAL_LOSS_STEPS} steps): pretraining 0.061, SFT 0.091." in report
    assert (tmp_path / "learning_curves.png").read_bytes()[:4] == b"\x89PNG"
