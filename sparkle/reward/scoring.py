"""SPARKLE's reward modes (original-system.md §5.5) on top of Sparkle's single verifier.

| mode        | format test                          | score                                     |
| ----------- | ------------------------------------ | ----------------------------------------- |
| `spk_s`     | granular score >= 0.7                | 1[format] + 1[correct], in {0, 1, 2}      |
| `spk_g`     | granular score f in [0, 1]           | correct: 0.2 + 0.8 f; wrong: -3 + 1.5 f   |
| `spk_h`     | strict                               | wrong -1; correct, bad format 1; both 2   |
| `spk_h_aug` | strict, `<think>` optional if hinted | as `spk_h`                                |

In every mode an extracted answer containing an uncertainty phrase ("I don't know", ...) scores 0.

Differences from the original, all fixes of its listed defects:
- correctness uses `sparkle.reward.equivalence`, the same verifier as evaluation (the original
  trained and evaluated with two different graders);
- `spk_h_aug` reads whether the prompt carried a hint from the row's `extra_info` (`augmented`, else
  `thinking_level > 0`, both written by the stage-2 data); only rows without those fields fall back
  to the original's text detection;
- an unknown mode is an error rather than a silent fallback to `spk_h`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sparkle.reward.equivalence import compare_answers, gold_answer
from sparkle.reward.extract import extract_answer, response_text
from sparkle.reward.format import granular_format_score, strict_format_ok

MODES = ("spk_s", "spk_g", "spk_h", "spk_h_aug")
DEFAULT_MODE = "spk_h"
UNCERTAINTY_PHRASES = (
    "i don't know",
    "i do not know",
    "cannot determine",
    "unable to determine",
    "insufficient information",
)
GRANULAR_PASS = 0.7


@dataclass(frozen=True)
class RewardResult:
    """One scored response: the shaped score and the parts it was made of."""

    score: float
    correct: bool
    format_ok: bool
    pred: str | None
    timed_out: bool

    def as_verl_dict(self) -> dict[str, Any]:
        """verl's custom-reward return value: `score` is the reward, the other keys are logged."""
        return {
            "score": self.score,
            "acc": float(self.correct),
            "format_ok": float(self.format_ok),
            "pred": self.pred or "",
            "timed_out": float(self.timed_out),
        }


def is_augmented(response: str, extra_info: Mapping[str, Any] | None) -> bool:
    """Whether the prompt already opened `<think>` with a partial solution (stage-2 hint rows).

    `extra_info["augmented"]` decides if present, else `extra_info["thinking_level"] > 0`. Without
    either, the original's text rule applies: the response closes a `</think>` it never opened.
    """
    if extra_info:
        if extra_info.get("augmented") is not None:
            return bool(extra_info["augmented"])
        if extra_info.get("thinking_level") is not None:
            return int(extra_info["thinking_level"]) > 0
    stripped = response.strip()
    return stripped.startswith("</think>") or ("</think>" in stripped and "<think>" not in stripped)


def _golds(ground_truth: str | Sequence[str]) -> list[str]:
    if isinstance(ground_truth, str):
        return [ground_truth]
    return [str(g) for g in ground_truth]


def check_mode(mode: str) -> None:
    """Raise ValueError unless `mode` is one of `MODES`."""
    if mode not in MODES:
        raise ValueError(f"unknown reward mode {mode!r}; expected one of {', '.join(MODES)}")


def score_response(
    solution: str,
    ground_truth: str | Sequence[str],
    mode: str = DEFAULT_MODE,
    extra_info: Mapping[str, Any] | None = None,
) -> RewardResult:
    """Score one response against one gold answer (or a list of accepted answers) in `mode`."""
    check_mode(mode)
    response = response_text(solution)
    pred = extract_answer(response)
    if pred is not None and any(p in pred.lower() for p in UNCERTAINTY_PHRASES):
        return RewardResult(0.0, False, False, pred, False)
    correct = timed_out = False
    if pred is not None:
        for gold in _golds(ground_truth):
            verdict = compare_answers(pred, gold_answer(gold) or "")
            correct, timed_out = verdict.equivalent, timed_out or verdict.timed_out
            if correct:
                break
    if mode in ("spk_h", "spk_h_aug"):
        format_ok = strict_format_ok(response, augmented=mode == "spk_h_aug" and is_augmented(solution, extra_info))
        score = (2.0 if format_ok else 1.0) if correct else -1.0
    else:
        granular = granular_format_score(response)
        format_ok = granular >= GRANULAR_PASS
        if mode == "spk_s":
            score = float(format_ok) + float(correct)
        else:
            score = 0.2 + 0.8 * granular if correct else -3.0 + 1.5 * granular
    return RewardResult(score, correct, format_ok, pred, timed_out and not correct)


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: str | Sequence[str],
    extra_info: Mapping[str, Any] | None = None,
    mode: str = DEFAULT_MODE,
    **kwargs: Any,
) -> dict[str, Any]:
    """verl custom reward function (`reward.custom_reward_function`); the mode is a reward kwarg.

    verl 0.9.1 calls it with keyword arguments: the decoded response as `solution_str`, the row's
    `reward_model.ground_truth`, and its `extra_info` (plus verl's own keys). Set the mode with
    `reward.custom_reward_function.reward_kwargs.mode=spk_h_aug`. Returns `score` and, for logging,
    `acc`, `format_ok`, `pred` (verl's majority-vote key) and `timed_out`.
    """
    del data_source, kwargs  # one verifier for every source; verl passes extra keys we do not use
    return score_response(solution_str, ground_truth, mode, extra_info).as_verl_dict()
