"""The four analysis conditions and the lm-eval task behind each (SPARKLE §3; original-system.md §10.3).

| condition     | prompt (`sparkle.data.prompts`)        | one query per | scored against       |
| ------------- | -------------------------------------- | ------------- | -------------------- |
| `vanilla`     | `plain_prompt(problem)`                | problem       | the problem's answer |
| `plan`        | `plan_prompt(problem, planning)`       | problem       | the problem's answer |
| `knowledge`   | `knowledge_prompt(problem, knowledge)` | problem       | the problem's answer |
| `subproblems` | `subproblem_prompt(augmented_problem)` | subproblem    | `subproblem_answer`  |

Each condition is the lm-eval task ``sparkle_preview_<condition>`` (hub ``sparkle-reasoning/sparkle_preview``,
config ``all``) and ``sparkle_preview_<condition>_local`` (the grouped file written by `sparkle data
benchmarks` or `sparkle analyze`), in ``eval/tasks/sparkle/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sparkle.errors import UserError

TASK_PREFIX = "sparkle_preview_"
LOCAL_SUFFIX = "_local"
DATA_NAME = "sparkle_preview"
"""The local tasks read ``<benchmarks dir>/sparkle_preview.jsonl``."""


@dataclass(frozen=True)
class Condition:
    """One analysis condition: its name, how the tables name it, and whether it asks problems or subproblems."""

    name: str
    label: str
    per_subproblem: bool = False

    @property
    def task(self) -> str:
        return TASK_PREFIX + self.name

    @property
    def local_task(self) -> str:
        return self.task + LOCAL_SUFFIX


VANILLA = Condition("vanilla", "original problem")
PLAN = Condition("plan", "w/ plan")
KNOWLEDGE = Condition("knowledge", "w/ knowledge")
SUBPROBLEMS = Condition("subproblems", "chain of subproblems", per_subproblem=True)
CONDITIONS = (VANILLA, PLAN, KNOWLEDGE, SUBPROBLEMS)
BY_NAME = {c.name: c for c in CONDITIONS}


def resolve_conditions(names: Sequence[str]) -> tuple[Condition, ...]:
    """Conditions from names (spaces or commas; ``all``), in the canonical order; unknown names are errors."""
    wanted: set[str] = set()
    for item in names:
        for name in filter(None, (part.strip() for part in item.split(","))):
            if name == "all":
                wanted.update(BY_NAME)
            elif name in BY_NAME:
                wanted.add(name)
            else:
                raise UserError(f"unknown condition {name!r}; known: all, {', '.join(BY_NAME)}")
    if not wanted:
        raise UserError("no conditions given")
    return tuple(c for c in CONDITIONS if c.name in wanted)
