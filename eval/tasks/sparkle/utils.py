"""Hooks of the SPARKLE lm-eval tasks; the code lives in `sparkle.eval.tasks` and `sparkle.analysis.tasks`
(needs Sparkle installed)."""

from sparkle.analysis.tasks import (
    chain_success,
    doc_to_target_subproblem,
    doc_to_text_knowledge,
    doc_to_text_plan,
    doc_to_text_subproblem,
    problem_docs,
    process_results_subproblem,
    subproblem_docs,
)
from sparkle.eval.tasks import KeepAllFilter, doc_to_target, doc_to_text, load_local, process_results

__all__ = [
    "KeepAllFilter",
    "chain_success",
    "doc_to_target",
    "doc_to_target_subproblem",
    "doc_to_text",
    "doc_to_text_knowledge",
    "doc_to_text_plan",
    "doc_to_text_subproblem",
    "load_local",
    "problem_docs",
    "process_results",
    "process_results_subproblem",
    "subproblem_docs",
]
