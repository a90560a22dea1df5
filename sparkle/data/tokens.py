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
from dataclasses import dataclass
from typing import Any

import numpy as np
from tqdm import tqdm

from sparkle.data.prompts import augmented_prompt, chat_messages, plain_prompt
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


@dataclass
class HintTokens:
    """Token positions of one problem's longest-hint prompt, to count its other prompts cheaply.

    `ends` are the end offsets (in the rendered text) of its `total` tokens, `hint_start` is where the
    hint begins, `plain_end` where the level-0 prompt text (``... Assistant:``) ends, and `suffix` the
    number of tokens after the newline that closes the hint (the chat template's end of turn and
    generation prompt, which also follow a level-0 prompt). For a hint prefix of length h,
    ``estimate(h)`` = tokens ending at or before the character after the prefix + `suffix`, and
    ``estimate_plain()`` = tokens ending at or before `plain_end` + `suffix`. With a byte-level BPE
    whose pre-tokenizer splits before newlines, special tokens and after punctuation runs (Qwen, Llama 3,
    GPT-2 style) these are exact for level 0 and every lower hint level; otherwise they are estimates,
    which `PromptMeasurer.measure_problems` verifies.
    """

    hint_start: int
    plain_end: int
    ends: np.ndarray
    suffix: int

    @property
    def total(self) -> int:
        return len(self.ends)

    def _through(self, position: int) -> int:
        return int(np.searchsorted(self.ends, position, side="right"))

    def estimate(self, hint_len: int) -> int:
        return self._through(self.hint_start + hint_len + 1) + self.suffix

    def estimate_plain(self) -> int:
        return self._through(self.plain_end) + self.suffix


@dataclass
class ProblemCounts:
    """Token counts of a problem's prompts (level 0 first) and, if usable, its `HintTokens`."""

    levels: list[int]
    tokens: HintTokens | None = None


@dataclass
class CountStats:
    """How the counts were obtained, for the report: `method` ``offsets`` (derived counts used) or
    ``exact`` (every count from its own tokenization); `exact_counts` tokenizations; `derived_counts`
    counts taken from offsets without an exact check; `sample_mismatches` checks that disagreed."""

    method: str = "offsets"
    exact_counts: int = 0
    derived_counts: int = 0
    sample_mismatches: int = 0


class PromptMeasurer:
    """Count the tokens of chat-templated prompts exactly as verl's overlong-prompt filter does."""

    def __init__(self, tokenizer: Any, batch_size: int = 256) -> None:
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.backend = tokenizer.backend_tokenizer if getattr(tokenizer, "is_fast", False) else None

    def render(self, prompts: Sequence[str]) -> list[str]:
        """The chat-templated text of each prompt (one user message plus the generation prompt)."""
        batch = [chat_messages(p) for p in prompts]
        return self.tokenizer.apply_chat_template(batch, add_generation_prompt=True, tokenize=False)

    def _lengths(self, texts: list[str]) -> list[int]:
        if self.backend is not None and hasattr(self.backend, "encode_batch_fast"):
            return [len(e.ids) for e in self.backend.encode_batch_fast(texts, add_special_tokens=False)]
        return [len(ids) for ids in self.tokenizer(texts, add_special_tokens=False)["input_ids"]]

    def _batches(self, n: int, desc: str | None) -> Any:
        starts = range(0, n, self.batch_size)
        return tqdm(starts, desc=desc, unit="batch", disable=None if desc else True, leave=False)

    def count(self, prompts: Sequence[str], progress: str | None = None) -> list[int]:
        """Token counts of `prompts`, each wrapped as one user message plus the generation prompt."""
        counts: list[int] = []
        for start in self._batches(len(prompts), progress):
            counts.extend(self._lengths(self.render(prompts[start : start + self.batch_size])))
        return counts

    def count_one(self, prompt: str) -> int:
        """Token count of one prompt."""
        return self.count([prompt])[0]

    def _hint_tokens(self, problems: Sequence[tuple[str, list[str]]], desc: str) -> list[HintTokens | None]:
        """One tokenization (with offsets) of each problem's longest-hint prompt."""
        out: list[HintTokens | None] = []
        for start in self._batches(len(problems), desc):
            batch = problems[start : start + self.batch_size]
            contents = [augmented_prompt(problem, hints[-1]) for problem, hints in batch]
            rendered = self.render(contents)
            encodings = self.backend.encode_batch(rendered, add_special_tokens=False)
            for (problem, hints), content, text, enc in zip(batch, contents, rendered, encodings, strict=True):
                position = text.find(content)
                cumulative = all(hints[-1].startswith(h) for h in hints)
                if position < 0 or not cumulative:  # a template that rewrites the content: count exactly
                    out.append(None)
                    continue
                hint_start = position + len(content) - len(hints[-1]) - 1
                ends = np.fromiter((end for _, end in enc.offsets), dtype=np.int32, count=len(enc.offsets))
                suffix = len(ends) - int(np.searchsorted(ends, hint_start + len(hints[-1]) + 1, side="right"))
                out.append(HintTokens(hint_start, position + len(plain_prompt(problem)), ends, suffix))
        return out

    def measure_problems(
        self,
        problems: Sequence[tuple[str, list[str]]],
        limit: int,
        *,
        margin: int = 16,
        sample: int = 64,
    ) -> tuple[list[ProblemCounts], CountStats]:
        """Token counts of every level of every ``(problem, cumulative hints)``, as `count` would give them.

        Each problem's longest-hint prompt is tokenized once, exactly; its level 0 and lower levels are
        derived from the offsets of that tokenization (`HintTokens`). Every derived count within
        `margin` of `limit`, and the first `sample` derived counts, are re-counted exactly; if any of
        those disagrees, every derived count is replaced by an exact one (and no `HintTokens` are
        returned). Problems without hints, or whose template rewrites the content, are counted exactly.
        """
        stats = CountStats()
        tokens: list[HintTokens | None] = [None] * len(problems)
        with_hints = [i for i, (_, hints) in enumerate(problems) if hints]
        if self.backend is not None:
            found = self._hint_tokens([problems[i] for i in with_hints], "measuring prompts")
            for i, hint_tokens in zip(with_hints, found, strict=True):
                tokens[i] = hint_tokens
        else:
            stats.method = "exact"

        results = [ProblemCounts([-1] * (len(hints) + 1)) for _, hints in problems]
        exact_keys: list[tuple[int, int]] = []  # (problem, level) to count exactly
        checks: list[tuple[int, int]] = []  # derived counts to verify
        derived: list[tuple[int, int]] = []
        for i, (_, hints) in enumerate(problems):
            hint_tokens = tokens[i]
            if hint_tokens is None:
                exact_keys.extend((i, level) for level in range(len(hints) + 1))
                continue
            results[i].levels[-1] = hint_tokens.total
            for level in range(len(hints)):
                estimate = hint_tokens.estimate(len(hints[level - 1])) if level else hint_tokens.estimate_plain()
                results[i].levels[level] = estimate
                derived.append((i, level))
                if abs(estimate - limit) <= margin or len(checks) < sample:
                    checks.append((i, level))
        exact = self._exact(problems, checks + exact_keys)
        stats.sample_mismatches = sum(results[i].levels[level] != exact[(i, level)] for i, level in checks)
        if stats.sample_mismatches:
            stats.method = "exact"
            exact.update(self._exact(problems, [key for key in derived if key not in exact]))
        for (i, level), value in exact.items():
            results[i].levels[level] = value
        for i, hint_tokens in enumerate(tokens):
            results[i].tokens = None if stats.sample_mismatches else hint_tokens
        stats.derived_counts = 0 if stats.sample_mismatches else len(derived) - len(checks)
        stats.exact_counts = len(exact) + sum(t is not None for t in tokens)
        return results, stats

    def _exact(self, problems: Sequence[tuple[str, list[str]]], keys: list[tuple[int, int]]) -> dict:
        prompts = [
            augmented_prompt(problems[i][0], problems[i][1][level - 1]) if level else plain_prompt(problems[i][0])
            for i, level in keys
        ]
        return dict(zip(keys, self.count(prompts), strict=True))


_BOUNDARY = re.compile(r"\n|(?<=[.!?])[ \t]")


def step_cuts(hint: str) -> list[int]:
    """Ascending cut positions of `hint` at step boundaries: before a line break, after a sentence end."""
    cuts = sorted({m.start() for m in _BOUNDARY.finditer(hint)})
    return [cut for cut in cuts if hint[:cut].strip()]


def trim_hint(
    hint: str,
    fits: Callable[[str], bool],
    longer_than: int = 0,
    estimate: Callable[[str], int] | None = None,
    limit: int | None = None,
) -> str | None:
    """The longest step-boundary prefix of `hint` (right-stripped) that `fits`, longer than `longer_than`.

    Without `estimate`, a binary search calls `fits` (assumed monotone in the prefix length). With
    `estimate` (a token-count estimate) and `limit`, the candidate is chosen by estimate and then
    confirmed with `fits`, stepping to shorter prefixes until one fits. The result always fits.
    Returns None when no such prefix exists.
    """
    candidates: list[str] = []
    for cut in step_cuts(hint):
        prefix = hint[:cut].rstrip()
        if len(prefix) > longer_than and (not candidates or prefix != candidates[-1]):
            candidates.append(prefix)
    if estimate is not None and limit is not None:
        lo, hi = 0, len(candidates)
        while lo < hi:  # first candidate whose estimate is over the limit
            mid = (lo + hi) // 2
            if estimate(candidates[mid]) <= limit:
                lo = mid + 1
            else:
                hi = mid
        for index in range(lo - 1, -1, -1):
            if fits(candidates[index]):
                return candidates[index]
        return None
    lo, hi, best = 0, len(candidates) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if fits(candidates[mid]):
            best, lo = candidates[mid], mid + 1
        else:
            hi = mid - 1
    return best
