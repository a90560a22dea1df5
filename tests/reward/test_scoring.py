"""The four SPARKLE modes and the verl entry point (original-system.md §5.5)."""

import pytest

from sparkle.reward import MODES, compute_score, score_response
from sparkle.reward.scoring import is_augmented

GOLD = "179"
WELL_FORMED_RIGHT = "<think>\nwork\n</think>\n<answer>\nThe answer is \\boxed{179}.\n</answer>"
BOX_ONLY_RIGHT = "so it is \\boxed{179}"
WELL_FORMED_WRONG = WELL_FORMED_RIGHT.replace("179", "178")
CONTINUATION_RIGHT = "more work\n</think>\n<answer>\n\\boxed{179}\n</answer>"


# (response, extra_info, expected scores for spk_s, spk_g, spk_h, spk_h_aug): the original's table.
CASES = [
    (WELL_FORMED_RIGHT, None, (2.0, 1.0, 2.0, 2.0)),
    (BOX_ONLY_RIGHT, None, (1.0, 0.2, 1.0, 1.0)),
    (WELL_FORMED_WRONG, None, (1.0, -1.5, -1.0, -1.0)),
    (CONTINUATION_RIGHT, {"thinking_level": 2}, (2.0, 0.8, 1.0, 2.0)),
]


@pytest.mark.parametrize(("response", "extra_info", "expected"), CASES)
def test_mode_values_match_the_original(response, extra_info, expected) -> None:
    got = tuple(score_response(response, GOLD, mode, extra_info).score for mode in MODES)
    assert got == pytest.approx(expected)


def test_uncertainty_phrase_scores_zero_in_every_mode() -> None:
    response = "<think>hmm</think><answer>\\boxed{\\text{I don't know}}</answer>"
    assert {score_response(response, GOLD, mode).score for mode in MODES} == {0.0}


def test_spk_h_aug_reads_the_hint_level_from_extra_info() -> None:
    # A level-0 row (no hint) must open <think> itself, even though the response looks like a continuation.
    level0 = {"thinking_level": 0, "augmented": False}
    hinted = {"thinking_level": 3, "total_thinking_levels": 4, "augmented": True}
    assert score_response(CONTINUATION_RIGHT, GOLD, "spk_h_aug", level0).score == 1.0
    assert score_response(CONTINUATION_RIGHT, GOLD, "spk_h_aug", hinted).score == 2.0


def test_is_augmented_prefers_extra_info_and_falls_back_to_text() -> None:
    assert is_augmented("<think>x</think>", {"augmented": True})
    assert not is_augmented("x</think>", {"augmented": False})
    assert is_augmented("<think>x</think>", {"thinking_level": 1})
    assert not is_augmented("x</think>", {"thinking_level": 0})
    assert is_augmented("x\n</think><answer>1</answer>", {"index": 3})  # no hint fields: text rule
    assert is_augmented("</think> done", None)
    assert not is_augmented("<think>x</think>", None)


def test_compute_score_has_verl_signature_and_logging_keys() -> None:
    result = compute_score(
        data_source="sparkle_dsr40k",
        solution_str=WELL_FORMED_RIGHT,
        ground_truth=GOLD,
        extra_info={"split": "train", "index": 0, "global_steps": 3},
    )
    assert result == {"score": 2.0, "acc": 1.0, "format_ok": 1.0, "pred": "179", "timed_out": 0.0}
    wrong = compute_score("sparkle_dsr40k", "no answer here", GOLD, mode="spk_s")
    assert wrong["pred"] == "" and wrong["acc"] == 0.0


def test_list_of_accepted_gold_answers() -> None:
    assert compute_score("x", BOX_ONLY_RIGHT, ["180", "179"])["acc"] == 1.0
    assert compute_score("x", BOX_ONLY_RIGHT, ["180", "181"])["acc"] == 0.0


def test_unknown_mode_is_an_error() -> None:
    with pytest.raises(ValueError, match="spk_h_aug"):
        compute_score("x", BOX_ONLY_RIGHT, GOLD, mode="hierarchical")
