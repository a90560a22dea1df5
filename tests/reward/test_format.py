"""SPARKLE's format checks, against the values measured on the original (original-system.md §5.4)."""

import pytest

from sparkle.reward.format import granular_format_score, strict_format_ok

WELL_FORMED = "<think>\nwork\n</think>\n<answer>\nThe answer is \\boxed{179}.\n</answer>"


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (WELL_FORMED, 1.0),
        ("no tags at all \\boxed{179}", 0.0),
        ("<think>w</think><answer>179</answer>", 0.8),  # tags without a box
        ("<answer>\\boxed{1}</answer><think>w</think>", 0.6),  # all four once, wrong order
        ("more work\n</think>\n<answer>\n\\boxed{179}\n</answer>", 0.75),  # three of four tags
        ("<think><think>w</think><answer>\\boxed{1}</answer>", 0.75),  # <think> twice
    ],
)
def test_granular_format_score(response: str, expected: float) -> None:
    assert granular_format_score(response) == pytest.approx(expected)


def test_strict_requires_each_tag_once_in_order_and_a_box() -> None:
    assert strict_format_ok(WELL_FORMED, augmented=False)
    assert not strict_format_ok(WELL_FORMED.replace("\\boxed{179}", "179"), augmented=False)
    assert not strict_format_ok("<answer>\\boxed{1}</answer><think>w</think>", augmented=False)
    assert not strict_format_ok(WELL_FORMED + "</answer>", augmented=False)


def test_augmented_strict_check_ignores_the_opening_think() -> None:
    continuation = "more work\n</think>\n<answer>\n\\boxed{179}\n</answer>"
    assert not strict_format_ok(continuation, augmented=False)
    assert strict_format_ok(continuation, augmented=True)
    assert strict_format_ok("<think>" + continuation, augmented=True)
    assert not strict_format_ok("more work\n<answer>\n\\boxed{179}\n</answer>", augmented=True)
