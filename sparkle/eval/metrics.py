"""Per-problem metrics over k sampled responses: avg@k, unbiased pass@k and maj@k.

All three are computed for one problem from the correctness (`acc`) and the extracted answer (`pred`)
of each sample, in sample order, and then averaged over problems by lm-eval (aggregation ``mean``).

- **avg@n** (the paper's Avg@8, original-system.md §9.4): the fraction of the n samples that are
  correct, c / n.
- **pass@k**, the unbiased estimator of Chen et al. 2021 ("Evaluating Large Language Models Trained on
  Code", eq. 1): the probability that at least one of k samples drawn without replacement from the n
  is correct, ``1 - C(n - c, k) / C(n, k)``. It uses all n samples for every k (unlike the original's
  "any of the first k correct"), and pass@1 equals avg@n.
- **maj@k**: a majority vote over the answers of the *first* k samples, scored by the correctness of
  the winning answer (§9.4). Answers are grouped by equivalence rather than by string, so ``0.5`` and
  ``\\frac{1}{2}`` vote together: samples are visited in order, and each answer joins the first group
  whose representative (its first answer) it equals under `sparkle.reward.compare_answers` (with the
  representative as the reference), else opens a new group. A sample without an extracted answer
  casts no vote; the original compacted the answer list instead, which shifted the first-k window
  (§11 item 8). **Ties** go to the group whose first vote came earliest. No votes at all score 0.
  Because a sample's group depends only on earlier samples, the groups of the first k samples are a
  prefix of the groups of all n, so one pass serves every k.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import comb

DEFAULT_KS = (1, 2, 4, 8)
SAMPLE_METRIC = re.compile(r"^(avg|pass|maj)@(\d+)$")
"""The metric names `metric_names` produces: family (avg, pass, maj) and k."""


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k (Chen et al. 2021) from n samples of which c are correct; needs 1 <= k <= n."""
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got n={n}, c={c}")
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= n, got n={n}, k={k}")
    if n - c < k:
        return 1.0
    return 1.0 - comb(n - c, k) / comb(n, k)


def metric_ks(n: int) -> tuple[int, ...]:
    """The k values reported for n samples: the powers of two up to n, and n itself."""
    if n < 1:
        raise ValueError(f"need at least one sample, got {n}")
    ks = [1]
    while ks[-1] * 2 <= n:
        ks.append(ks[-1] * 2)
    if ks[-1] != n:
        ks.append(n)
    return tuple(ks)


def metric_names(n: int) -> tuple[str, ...]:
    """The metric keys `problem_metrics` returns for n samples, in report order."""
    ks = metric_ks(n)
    return (f"avg@{n}", *(f"pass@{k}" for k in ks), *(f"maj@{k}" for k in ks))


@dataclass(frozen=True)
class Vote:
    """The outcome of a majority vote: the winning group, its size, and whether it is correct."""

    winner: int | None
    """Index of the first sample in the winning group; None when no sample had an answer."""
    votes: int
    correct: bool


def answer_groups(preds: Sequence[str | None], same: Callable[[str, str], bool]) -> list[int | None]:
    """Group the answers in sample order; return, per sample, the index of its group's first sample.

    `same(answer, representative)` decides membership; samples without an answer map to None.
    """
    representatives: list[int] = []
    groups: list[int | None] = []
    for i, pred in enumerate(preds):
        if pred is None:
            groups.append(None)
            continue
        for rep in representatives:
            if same(pred, preds[rep]):  # type: ignore[arg-type]
                groups.append(rep)
                break
        else:
            representatives.append(i)
            groups.append(i)
    return groups


def majority_vote(groups: Sequence[int | None], accs: Sequence[bool], k: int) -> Vote:
    """Vote over the first k samples; ties go to the group whose first sample comes first."""
    counts: dict[int, int] = {}
    for group in groups[:k]:
        if group is not None:
            counts[group] = counts.get(group, 0) + 1
    if not counts:
        return Vote(None, 0, False)
    # dicts keep insertion order, which is the order of each group's first vote, i.e. its first sample
    winner = max(counts, key=lambda g: (counts[g], -g))
    return Vote(winner, counts[winner], bool(accs[winner]))


def same_answer(pred: str, representative: str) -> bool:
    """Equivalence for voting: `pred` equals `representative` under the one verifier."""
    from sparkle.reward import compare_answers

    return pred == representative or compare_answers(pred, representative).equivalent


def problem_metrics(
    accs: Sequence[bool],
    preds: Sequence[str | None],
    same: Callable[[str, str], bool] = same_answer,
) -> dict[str, float]:
    """avg@n, pass@k and maj@k (k in `metric_ks(n)`) for one problem's n samples, in sample order."""
    n = len(accs)
    if len(preds) != n:
        raise ValueError(f"{n} correctness values but {len(preds)} answers")
    if n == 0:
        raise ValueError("no samples")
    c = sum(bool(a) for a in accs)
    ks = metric_ks(n)
    groups = answer_groups(preds, same)
    metrics = {f"avg@{n}": c / n}
    metrics.update({f"pass@{k}": pass_at_k(n, c, k) for k in ks})
    metrics.update({f"maj@{k}": float(majority_vote(groups, accs, k).correct) for k in ks})
    return metrics
