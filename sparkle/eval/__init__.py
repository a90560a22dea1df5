"""Evaluation on the standard benchmarks: lm-eval tasks, avg@k / pass@k / maj@k, a runner and reports.

- `metrics`: per-problem avg@n, unbiased pass@k (Chen et al. 2021) and maj@k with explicit tie-breaking;
- `tasks`: what `eval/tasks/sparkle/utils.py` hands to lm-eval (prompt, gold, scoring, local data);
- `runner`: `sparkle eval`'s loop over models x tasks on lm-eval's Python API, skipping finished pairs;
- `report`: ``results.md`` (the original's table), ``results.csv`` and ``results.png``.
"""

from sparkle.eval.metrics import majority_vote, metric_ks, pass_at_k, problem_metrics

__all__ = ["majority_vote", "metric_ks", "pass_at_k", "problem_metrics"]
