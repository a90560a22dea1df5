"""Prompt lengths in tokens, measured the way verl measures them, and trimming hints at step boundaries.

verl 0.9.1's `RLHFDataset.maybe_filter_out_long_prompts` keeps a row iff
``len(tokenizer.apply_chat_template(row["prompt"], add_generation_prompt=True, tokenize=True)) <=
data.max_prompt_length`` — and drops the others without a report (defect 6 of the original, whose
long high-level hints vanished inside the trainer). `PromptMeasurer` computes the same number: it
renders the chat template (batched) and tokenizes the text without adding special tokens, which is
what `apply_chat_template(tokenize=True)` does.

`trim_hint` shortens a partial solution to the longest prefix that ends at a step boundary (a line
end, or the end of a sentence) and whose prompt still fits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from tqdm import tqdm

from sparkle.data.prompts import chat_messages
from sparkle.errors import UserError


def load_tokenizer(name_or_path: str) -> Any:
    """Load the tokenizer of the model to train (a local folder or a hub id) with transformers."""
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(name_or_path)
    except Exception as err:  # OSError, ValueError, hub errors...
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise UserError(f"--tokenizer {name_or_path}: cannot load a tokenizer: {first}") from err
    if not getattr(tokenizer, "chat_template", None):
        raise UserError(f"--tokenizer {name_or_path}: the tokenizer has no chat template (verl needs one)")
    return tokenizer


class PromptMeasurer:
    """Count the tokens of chat-templated prompts exactly as verl's overlong-prompt filter does."""

    def __init__(self, tokenizer: Any, batch_size: int = 512) -> None:
        self.tokenizer = tokenizer
        self.batch_size = batch_size

    def count(self, prompts: Sequence[str], progress: bool = False) -> list[int]:
        """Token counts of `prompts`, each wrapped as one user message plus the generation prompt."""
        counts: list[int] = []
        starts = range(0, len(prompts), self.batch_size)
        for start in tqdm(starts, desc="measuring prompts", unit="batch", disable=None if progress else True):
            batch = [chat_messages(p) for p in prompts[start : start + self.batch_size]]
            rendered = self.tokenizer.apply_chat_template(batch, add_generation_prompt=True, tokenize=False)
            encoded = self.tokenizer(rendered, add_special_tokens=False)["input_ids"]
            counts.extend(len(ids) for ids in encoded)
        return counts

    def count_one(self, prompt: str) -> int:
        """Token count of one prompt."""
        return self.count([prompt])[0]


_BOUNDARY = re.compile(r"\n|(?<=[.!?])[ \t]")


def step_cuts(hint: str) -> list[int]:
    """Ascending cut positions of `hint` at step boundaries: before a line break, after a sentence end."""
    cuts = sorted({m.start() for m in _BOUNDARY.finditer(hint)})
    return [cut for cut in cuts if hint[:cut].strip()]


def trim_hint(hint: str, fits: Callable[[str], bool], longer_than: int = 0) -> str | None:
    """The longest step-boundary prefix of `hint` (right-stripped) that `fits`, longer than `longer_than`.

    `fits` is assumed to be monotone in the prefix length (it is, up to rare BPE effects; the result
    is always a measured fit). Returns None when no such prefix exists.
    """
    candidates = []
    for cut in step_cuts(hint):
        prefix = hint[:cut].rstrip()
        if len(prefix) > longer_than and (not candidates or prefix != candidates[-1]):
            candidates.append(prefix)
    lo, hi, best = 0, len(candidates) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if fits(candidates[mid]):
            best, lo = candidates[mid], mid + 1
        else:
            hi = mid - 1
    return best
