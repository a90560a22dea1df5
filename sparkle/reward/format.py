"""SPARKLE's format checks on the response text (original-system.md §5.4), reproduced exactly.

The expected layout is `<think> ... </think> <answer> ... \\boxed{...} ... </answer>`.
"""

from __future__ import annotations

TAGS = ("<think>", "</think>", "<answer>", "</answer>")


def _answer_lacks_box(response: str) -> bool:
    """True if an `<answer>...</answer>` block exists and has no `\\boxed{` in it.

    The block is the one a non-greedy `<answer>(.*?)</answer>` search would find (the first
    `<answer>` and the first `</answer>` after it), located with two linear `find` calls.
    """
    start = response.find("<answer>")
    if start < 0:
        return False
    end = response.find("</answer>", start + len("<answer>"))
    return end >= 0 and "\\boxed{" not in response[start + len("<answer>") : end]


def strict_format_ok(response: str, augmented: bool) -> bool:
    """The hierarchical modes' check: every tag exactly once, in order, and a box in the answer.

    With `augmented` (the prompt already opened `<think>` and holds a partial solution), `<think>`
    is not checked at all: only `</think>`, `<answer>`, `</answer>` must appear once, in order.
    """
    tags = TAGS[1:] if augmented else TAGS
    if any(response.count(tag) != 1 for tag in tags):
        return False
    positions = [response.find(tag) for tag in tags]
    if positions != sorted(positions):
        return False
    return not _answer_lacks_box(response)


def granular_format_score(response: str) -> float:
    """The standard and granular modes' score in [0, 1].

    Start at 1; minus 0.25 per tag whose count is not 1; minus 0.2 if an answer block lacks a box;
    minus 0.4 if all four tags appear once but out of order; clamp to [0, 1].
    """
    score = 1.0 - 0.25 * sum(response.count(tag) != 1 for tag in TAGS)
    if _answer_lacks_box(response):
        score -= 0.2
    if all(response.count(tag) == 1 for tag in TAGS):
        positions = [response.find(tag) for tag in TAGS]
        if positions != sorted(positions):
            score -= 0.4
    return min(1.0, max(0.0, score))
