"""Hooks of the SPARKLE lm-eval tasks; the code lives in `sparkle.eval.tasks` (needs Sparkle installed)."""

from sparkle.eval.tasks import KeepAllFilter, doc_to_target, doc_to_text, load_local, process_results

__all__ = ["KeepAllFilter", "doc_to_target", "doc_to_text", "load_local", "process_results"]
