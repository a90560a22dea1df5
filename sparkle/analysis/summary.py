"""Aggregate per-problem scores by benchmark, difficulty level and domain (SPARKLE §3-§4; original-system.md §10.5).

Every value is a plain mean over problems (each problem weighs the same) of the per-problem scores of
`sparkle.analysis.scores`, as a fraction:

- **accuracy**: avg@k for vanilla, plan and knowledge; the chain success for subproblems;
- **step_accuracy** (subproblems only): the mean over subproblems (each subproblem weighs the same) of
  the share of correct samples; on the ``step`` axis, per chain position (1 = first subproblem).

Axes and their groups:

- ``benchmark``: the row's ``source`` (``aime24`` -> AIME24, ... in the paper's column order, others as
  named), plus ``All`` (every problem);
- ``difficulty``: ``difficulty_level`` 1-10 in numeric order (``unknown`` when absent or not a number);
- ``domain``: the top-level domain, the part of each ``domains`` label before ``->``; a problem with
  several top-level domains counts in each, one with none in ``(none)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sparkle.analysis.scores import PairScores
from sparkle.data.benchmarks import FineGrainedProblem

ALL = "All"
UNKNOWN_LEVEL = "unknown"
NO_DOMAIN = "(none)"
AXES = ("benchmark", "difficulty", "domain")
BENCHMARK_LABELS = {
    "aime24": "AIME24",
    "aime2024": "AIME24",
    "amc23": "AMC23",
    "amc2023": "AMC23",
    "math500": "MATH500",
    "gsm8k": "GSM8K",
    "olympiadbench": "OlympiadBench",
    "olympiad_bench": "OlympiadBench",
}
PAPER_ORDER = ("AIME24", "AMC23", "MATH500", "GSM8K", "OlympiadBench")


def benchmark_label(source: str | None) -> str:
    if not source:
        return "unknown"
    return BENCHMARK_LABELS.get(source.lower(), source)


def difficulty_group(level: str | None) -> str:
    text = (level or "").strip()
    return text if text.isdigit() else UNKNOWN_LEVEL


def top_domain(label: str) -> str:
    """``"Number Theory -> Congruences"`` -> ``"Number Theory"`` (also for ``→``)."""
    return label.replace("→", "->").split("->")[0].strip()


@dataclass(frozen=True)
class ProblemInfo:
    """What the breakdowns need of a problem."""

    key: str
    benchmark: str
    difficulty: str
    domains: tuple[str, ...]

    @classmethod
    def of(cls, problem: FineGrainedProblem) -> ProblemInfo:
        domains = tuple(dict.fromkeys(d for d in (top_domain(x) for x in problem.domains) if d))
        return cls(problem.key, benchmark_label(problem.source), difficulty_group(problem.difficulty_level), domains)

    def groups(self, axis: str) -> tuple[str, ...]:
        if axis == "benchmark":
            return (self.benchmark, ALL)
        if axis == "difficulty":
            return (self.difficulty,)
        if axis == "domain":
            return self.domains or (NO_DOMAIN,)
        raise ValueError(f"unknown axis {axis!r}")


def group_order(axis: str, infos: Sequence[ProblemInfo]) -> list[str]:
    """The groups of `axis` among `infos`, in table order."""
    seen = list(dict.fromkeys(g for info in infos for g in info.groups(axis)))
    if axis == "benchmark":
        known = [b for b in PAPER_ORDER if b in seen]
        return known + [b for b in seen if b not in known and b != ALL] + [ALL]
    if axis == "difficulty":
        return sorted((g for g in seen if g != UNKNOWN_LEVEL), key=int) + [g for g in seen if g == UNKNOWN_LEVEL]
    return sorted(g for g in seen if g != NO_DOMAIN) + [g for g in seen if g == NO_DOMAIN]


@dataclass(frozen=True)
class Cell:
    """One aggregated value: model, condition, metric, axis and group; `count` = problems (or subproblems)."""

    model: str
    condition: str
    metric: str
    axis: str
    group: str
    value: float
    count: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _problem_cells(pair: PairScores, infos: Sequence[ProblemInfo]) -> Iterable[Cell]:
    for axis in AXES:
        for group in group_order(axis, infos):
            values = [pair.problems[i.key] for i in infos if group in i.groups(axis) and i.key in pair.problems]
            if values:
                yield Cell(pair.model, pair.condition, "accuracy", axis, group, _mean(values), len(values))


def _step_cells(pair: PairScores, infos: Sequence[ProblemInfo]) -> Iterable[Cell]:
    for group in group_order("benchmark", infos):
        steps = [s.accuracy for i in infos if group in i.groups("benchmark") for s in pair.chains.get(i.key, [])]
        if steps:
            yield Cell(pair.model, pair.condition, "step_accuracy", "benchmark", group, _mean(steps), len(steps))
    by_position: dict[int, list[float]] = {}
    for info in infos:
        for position, step in enumerate(pair.chains.get(info.key, []), 1):
            by_position.setdefault(position, []).append(step.accuracy)
    for position, values in sorted(by_position.items()):
        yield Cell(pair.model, pair.condition, "step_accuracy", "step", str(position), _mean(values), len(values))


def summarize(pairs: Sequence[PairScores], problems: Sequence[FineGrainedProblem]) -> list[Cell]:
    """Every aggregated value of every pair over the benchmark's problems."""
    infos = [ProblemInfo.of(p) for p in problems]
    cells: list[Cell] = []
    for pair in pairs:
        cells.extend(_problem_cells(pair, infos))
        if pair.chains:
            cells.extend(_step_cells(pair, infos))
    return cells


class Summary:
    """Lookup over the cells: ``value(model, condition, axis, group[, metric])`` is None when absent."""

    def __init__(self, cells: Sequence[Cell], problems: Sequence[FineGrainedProblem]) -> None:
        self.cells = list(cells)
        self.infos = [ProblemInfo.of(p) for p in problems]
        self._index = {(c.model, c.condition, c.metric, c.axis, c.group): c for c in self.cells}

    def cell(self, model: str, condition: str, axis: str, group: str, metric: str = "accuracy") -> Cell | None:
        return self._index.get((model, condition, metric, axis, group))

    def value(self, model: str, condition: str, axis: str, group: str, metric: str = "accuracy") -> float | None:
        cell = self.cell(model, condition, axis, group, metric)
        return None if cell is None else cell.value

    def groups(self, axis: str) -> list[str]:
        if axis == "step":
            positions = {int(c.group) for c in self.cells if c.axis == "step"}
            return [str(p) for p in sorted(positions)]
        return group_order(axis, self.infos)

    def problems_in(self, axis: str, group: str) -> int:
        return sum(group in info.groups(axis) for info in self.infos)
