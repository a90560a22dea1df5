"""Per-problem scores of the finished model x condition pairs, read from lm-eval's logged samples.

Each logged row of ``samples.jsonl`` carries its doc and the metrics `process_results` computed for it
(every sample graded by `sparkle.reward` during the run), so nothing is re-graded here:

- vanilla / plan / knowledge: one row per problem; its score is the row's ``avg@k`` (the share of its k
  samples that are correct; pass@1 in the difficulty analyses, original-system.md §10.3);
- subproblems: one row per subproblem with its `StepOutcome` under ``chain_success``; steps are grouped
  into chains and the problem's score is its chain success (`sparkle.analysis.chain`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from sparkle.analysis.chain import StepOutcome, chain_success_rate, group_chains
from sparkle.analysis.conditions import Condition
from sparkle.analysis.runner import condition_dir
from sparkle.eval.runner import SAMPLES_FILE, ModelSpec, read_results
from sparkle.eval.tasks import read_rows


@dataclass
class PairScores:
    """The per-problem scores of one finished model x condition pair, as fractions in [0, 1]."""

    model: str
    condition: str
    samples: int
    problems: dict[str, float] = field(default_factory=dict)
    """Problem key -> avg@k (vanilla, plan, knowledge) or chain success (subproblems)."""
    chains: dict[str, list[StepOutcome]] = field(default_factory=dict)
    """Subproblems only: problem key -> its steps in chain order."""


def sample_count(results: dict[str, Any]) -> int:
    """The k of a pair, as recorded by `sparkle eval`'s runner."""
    samples = ((results.get("sparkle") or {}).get("settings") or {}).get("samples")
    if not isinstance(samples, int):
        raise ValueError("results.json has no sparkle.settings.samples")
    return samples


def pair_scores(directory: Path, model: str, condition: Condition) -> PairScores | None:
    """The scores of the pair in `directory`; None if it is not finished. Malformed rows raise ValueError."""
    results = read_results(directory)
    if results is None:
        return None
    k = sample_count(results)
    scores = PairScores(model, condition.name, k)
    rows = read_rows(directory / SAMPLES_FILE)
    if condition.per_subproblem:
        steps = [StepOutcome.from_item(row["chain_success"]) for row in rows]
        complete, incomplete = group_chains(steps)
        if incomplete:
            raise ValueError(f"{len(incomplete)} incomplete subproblem chain(s), e.g. {incomplete[0]!r}")
        scores.chains = complete
        scores.problems = {key: chain_success_rate(chain) for key, chain in complete.items()}
    else:
        scores.problems = {row["doc"]["problem_key"]: float(row[f"avg@{k}"]) for row in rows}
    return scores


def collect_scores(output: Path, models: Sequence[ModelSpec], conditions: Sequence[Condition]) -> list[PairScores]:
    """Every finished pair among models x conditions in `output` (unfinished or broken ones left out, with a note)."""
    found = []
    pairs = [(m, c) for m in models for c in conditions]
    for model, condition in tqdm(pairs, desc="reading samples", unit="pair", disable=None, leave=False):
        directory = condition_dir(output, model, condition)
        try:
            scores = pair_scores(directory, model.name, condition)
        except (ValueError, KeyError, TypeError, OSError) as err:
            print(f"note: {directory}: {type(err).__name__}: {err}; left out of the report")
            continue
        if scores is not None:
            found.append(scores)
    return found
