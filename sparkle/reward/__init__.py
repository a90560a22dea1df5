"""The SPARKLE math reward: answer extraction, equivalence, SPARKLE's scoring modes, verl hook.

Public API:
- `is_equivalent(response, gold)`: does the final answer in a full response equal the gold answer?
- `compute_score(data_source, solution_str, ground_truth, extra_info=None, mode="spk_h")`: verl's
  custom reward function.
- `score_response(...)` / `score_batch(...)`: the same scoring as a dataclass, and over a process pool.
"""

from sparkle.reward.batch import score_batch
from sparkle.reward.equivalence import compare_answers, is_equivalent
from sparkle.reward.extract import extract_answer
from sparkle.reward.scoring import MODES, RewardResult, compute_score, score_response

__all__ = [
    "MODES",
    "RewardResult",
    "compare_answers",
    "compute_score",
    "extract_answer",
    "is_equivalent",
    "score_batch",
    "score_response",
]
