"""Procedural arithmetic problems with step-by-step solutions in the SPARKLE answer format.

Two families, both seeded and deterministic:
- easy: "What is a + b?" with a in [0, 29] and b in [0, 9]: one step (`a + b = s`), for stage 1;
- hard: "What is a + b + c?" with single digits: two steps (`a + b = s`, `s + c = t`), each of
  which is an easy problem. A model trained on the easy family writes the first step and stops, so
  its pass rate on hard problems is near 0; with the first step given as a hint (stage 2), what is
  left is exactly an easy step, so hinted groups get non-zero reward variance.

Every solution is `<think>\\n<steps, one per line>\\n</think>\\n<answer>\\nThe answer is \\boxed{n}.\\n</answer>`,
and the hard problems' `CoT` puts one step per paragraph, so the stage-2 split gives one step per hint
level. Each family is enumerated and shuffled, so held-out problems never appear in training.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One generated problem with its reasoning steps and answer."""

    problem: str
    steps: tuple[str, ...]
    answer: int

    @property
    def solution(self) -> str:
        """The response a perfect model writes."""
        think = "\n".join(self.steps)
        return f"<think>\n{think}\n</think>\n<answer>\nThe answer is \\boxed{{{self.answer}}}.\n</answer>"

    @property
    def cot(self) -> str:
        """The reference trace for hints: one step per paragraph."""
        return "\n\n".join(self.steps)

    def record(self) -> dict[str, str]:
        """A row in the dsr40k / hardmath schema (`problem`, `solution`, `CoT`, `answer`)."""
        return {"problem": self.problem, "solution": self.solution, "CoT": self.cot, "answer": str(self.answer)}


def chain_problem(numbers: list[int]) -> Problem:
    """Add `numbers` left to right, one addition per step."""
    steps, total = [], numbers[0]
    for number in numbers[1:]:
        steps.append(f"{total} + {number} = {total + number}")
        total += number
    return Problem(f"What is {' + '.join(map(str, numbers))}?", tuple(steps), total)


def easy_problems(seed: int) -> list[Problem]:
    """Every one-step problem a + b (a in [0, 29], b in [0, 9]), each once, in a seeded order."""
    problems = [chain_problem([a, b]) for a in range(30) for b in range(10)]
    random.Random(f"easy-{seed}").shuffle(problems)
    return problems


def hard_problems(seed: int) -> list[Problem]:
    """Every two-step problem a + b + c with single digits, each once, in a seeded order."""
    problems = [chain_problem([a, b, c]) for a in range(10) for b in range(10) for c in range(10)]
    random.Random(f"hard-{seed}").shuffle(problems)
    return problems


def sample_with_replacement(problems: list[Problem], n: int, seed: int) -> list[Problem]:
    """`n` problems drawn with replacement (supervised warm-start data)."""
    rng = random.Random(f"sample-{seed}")
    return [rng.choice(problems) for _ in range(n)]
