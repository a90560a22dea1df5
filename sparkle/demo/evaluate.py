"""Held-out evaluation of the demo models: avg@k with the SPARKLE prompt and Sparkle's verifier.

avg@k is the mean correctness over k samples per problem at the rollout temperature (0.6), i.e. the
expected pass@1; correctness is `sparkle.reward` answer equivalence (the `acc` of every mode). Since
the reward checks only the boxed answer, the same samples are also scored for a right answer whose
every step is right too (`Problem.steps_are_right`): the gap between the two is the share of right
answers reached by errors that cancel.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sparkle.data.prompts import chat_messages, plain_prompt
from sparkle.data.sampler import SamplingSettings, TransformersSampler
from sparkle.demo.settings import prompts_per_generate
from sparkle.demo.tasks import Problem
from sparkle.reward import score_response


@dataclass(frozen=True)
class AvgAtK:
    """avg@k of right answers, and of right answers with every step right."""

    answer: float
    answer_and_steps: float


def avg_at_k(model: Path, problems: list[Problem], k: int, max_new_tokens: int, seed: int = 0) -> AvgAtK:
    """Mean correctness of `k` samples per problem (temperature 0.6)."""
    settings = SamplingSettings(
        n=k, max_new_tokens=max_new_tokens, temperature=0.6, seed=seed, batch_size=prompts_per_generate(k)
    )
    sampler = TransformersSampler(str(model), settings, device="cpu")
    responses = sampler.generate([chat_messages(plain_prompt(p.problem)) for p in problems])
    right, sound = 0, 0
    for problem, texts in zip(problems, responses, strict=True):
        for text in texts:
            if score_response(text, str(problem.answer), "spk_h").correct:
                right += 1
                sound += problem.steps_are_right(text)
    samples = k * len(problems)
    return AvgAtK(answer=right / samples, answer_and_steps=sound / samples)
