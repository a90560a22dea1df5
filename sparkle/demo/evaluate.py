"""Held-out evaluation of the demo models: avg@k with the SPARKLE prompt and Sparkle's verifier.

avg@k is the mean correctness over k samples per problem at the rollout temperature (0.6), i.e. the
expected pass@1; correctness is `sparkle.reward` answer equivalence (the `acc` of every mode).
"""

from __future__ import annotations

from pathlib import Path

from sparkle.data.prompts import chat_messages, plain_prompt
from sparkle.data.sampler import SamplingSettings, TransformersSampler
from sparkle.demo.tasks import Problem
from sparkle.reward import score_response


def avg_at_k(model: Path, problems: list[Problem], k: int, max_new_tokens: int, seed: int = 0) -> float:
    """Mean correctness of `k` samples per problem (temperature 0.6)."""
    settings = SamplingSettings(n=k, max_new_tokens=max_new_tokens, temperature=0.6, seed=seed, batch_size=32)
    sampler = TransformersSampler(str(model), settings, device="cpu")
    responses = sampler.generate([chat_messages(plain_prompt(p.problem)) for p in problems])
    scores = [
        score_response(text, str(p.answer), "spk_h").correct
        for p, texts in zip(problems, responses, strict=True)
        for text in texts
    ]
    return sum(scores) / len(scores)
