"""The subproblem-chain metric: a problem counts as solved through its chain only if every step is right.

SPARKLE's third axis (Wang et al. 2025, §3 "chain of subproblems"; original-system.md §10.3) asks the
model the annotated subproblems of a problem in order, each query (``augmented_problem``) carrying the
earlier subproblems with their reference answers, and scores each step against its
``subproblem_answer``. The original never released the aggregation (§13); Sparkle defines it as:

- **chain run j** of a problem: the j-th sample of every step. It succeeds when every step's j-th
  sample is correct. Every step has the same k samples (lm-eval ``repeats``), drawn independently,
  because no step's prompt depends on the model's earlier output (the reference answers are in the
  prompt), so pairing the samples by index is a valid draw of a whole chain.
- **chain success** of a problem: the share of its k chain runs that succeed (avg@k over chains; its
  expectation is the product of the steps' accuracies). A benchmark's chain success is the mean over
  its problems. This is the number compared with the original problem's avg@k.
- **step accuracy**: the share of correct samples of one subproblem (avg@k), reported per step
  position and as the mean over all subproblems.

Only complete chains count (every position from the first to ``total_subproblems``); a chain cut short
(e.g. by lm-eval's ``--limit`` on subproblem rows) is left out of the chain success.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StepOutcome:
    """The scored samples of one subproblem: its problem, its position, the chain length, each sample's correctness."""

    problem: str
    sequence: int
    total: int
    correct: tuple[bool, ...]

    def as_item(self) -> dict[str, Any]:
        """The JSON form logged by lm-eval under the ``chain_success`` metric of a subproblem row."""
        return {
            "problem": self.problem,
            "sequence": self.sequence,
            "total": self.total,
            "correct": [int(c) for c in self.correct],
        }

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> StepOutcome:
        return cls(
            str(item["problem"]),
            int(item["sequence"]),
            int(item["total"]),
            tuple(bool(c) for c in item["correct"]),
        )

    @property
    def accuracy(self) -> float:
        return sum(self.correct) / len(self.correct)


def group_chains(steps: Iterable[StepOutcome]) -> tuple[dict[str, list[StepOutcome]], list[str]]:
    """The complete chains by problem (steps in chain order) and the problems whose chain is incomplete.

    A chain is complete when it has ``total`` steps at distinct positions; problems keep first-seen order.
    """
    by_problem: dict[str, list[StepOutcome]] = {}
    for step in steps:
        by_problem.setdefault(step.problem, []).append(step)
    complete: dict[str, list[StepOutcome]] = {}
    incomplete: list[str] = []
    for problem, members in by_problem.items():
        ordered = sorted(members, key=lambda s: s.sequence)
        positions = {s.sequence for s in ordered}
        totals = {s.total for s in ordered}
        if len(totals) == 1 and len(positions) == len(ordered) == ordered[0].total:
            complete[problem] = ordered
        else:
            incomplete.append(problem)
    return complete, incomplete


def chain_runs(chain: Sequence[StepOutcome]) -> list[bool]:
    """Per sample index j: True when the j-th sample of every step is correct."""
    counts = {len(step.correct) for step in chain}
    if len(counts) != 1:
        raise ValueError(f"steps of {chain[0].problem!r} have different sample counts: {sorted(counts)}")
    return [all(run) for run in zip(*(step.correct for step in chain), strict=True)]


def chain_success_rate(chain: Sequence[StepOutcome]) -> float:
    """The share of a problem's chain runs in which every step is correct."""
    runs = chain_runs(chain)
    return sum(runs) / len(runs)


def chain_success(items: Iterable[Mapping[str, Any]]) -> float:
    """lm-eval aggregation of the ``chain_success`` metric: the mean chain success over complete chains.

    `items` are the per-row values logged by the subproblem task (`StepOutcome.as_item`); NaN when no
    chain is complete.
    """
    complete, _ = group_chains(StepOutcome.from_item(item) for item in items)
    if not complete:
        return math.nan
    return sum(chain_success_rate(chain) for chain in complete.values()) / len(complete)
