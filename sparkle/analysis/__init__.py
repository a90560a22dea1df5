"""SPARKLE's fine-grained analysis (Wang et al. 2025, §3-§4; original-system.md §10): how a model's accuracy
changes when it is given the planning skeleton, the knowledge base, or the problem's chain of subproblems,
broken down by benchmark, difficulty level and domain.

- `conditions`: the four conditions (vanilla, plan, knowledge, subproblems) and their lm-eval tasks;
- `tasks`: the lm-eval hooks of those tasks (docs, prompts, subproblem scoring) in eval/tasks/sparkle;
- `chain`: the chain metric (every subproblem right in the same sample index) and its lm-eval aggregation;
- `benchmark`: load and check `sparkle_preview`, report bad rows, write the file the local tasks read;
- `runner`: the conditions for every model through `sparkle.eval.runner` (skipping finished pairs);
- `scores`: per-problem scores from the logged samples;
- `summary`: means by benchmark, difficulty and domain;
- `tables`, `figures`, `report`: analysis.md, PNGs, analysis.json and analysis.csv;
- `cli`: `sparkle analyze`.
"""

from sparkle.analysis.chain import StepOutcome, chain_runs, chain_success, chain_success_rate
from sparkle.analysis.conditions import CONDITIONS, Condition

__all__ = ["CONDITIONS", "Condition", "StepOutcome", "chain_runs", "chain_success", "chain_success_rate"]
